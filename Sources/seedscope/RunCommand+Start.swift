import ArgumentParser
import Foundation
import SAEKit
import Synchronization

/// Set by SIGINT / SIGTERM; `run start --wait` then interrupts the engine cleanly (jobs stay resumable).
let interruptSignal = Atomic<Int32>(0)

struct RunStart: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start (or resume) a run's pipeline; finished jobs are skipped, interrupted ones resume.")

    @Argument var name: String
    @OptionGroup var ws: WorkspaceOption
    @Flag(help: "Run in this process and wait until the run finishes (otherwise a background engine is started).")
    var wait = false
    @Option(help: "Concurrent jobs.") var jobs: Int = 1
    @Option(help: "Override the run's queue priority.") var priority: Int?
    @Flag(help: "Print only errors and the final line.") var quiet = false
    @Flag(help: "Machine-readable JSON output (final status).") var json = false
    @Flag(help: .hidden) var detached = false

    func run() throws {
        try runReportingErrors {
            if !wait { try startInBackground(); return }
            let w = try Workspace.open(ws.url)
            try w.requireWritable("start run \(name)")
            let spec = try w.spec(name)
            if detached { signal(SIGHUP, SIG_IGN) }
            signal(SIGINT) { s in interruptSignal.store(s, ordering: .relaxed) }
            signal(SIGTERM) { s in interruptSignal.store(s, ordering: .relaxed) }
            let engine = try JobEngine(workspace: w, executors: .builtIn, workers: jobs)
            let queued = try engine.start(run: name, priority: priority)
            if !quiet && !json {
                print("run \(name): \(queued.count) job(s) to do (\(spec.kind.rawValue), seeds \(spec.seeds.map(String.init).joined(separator: ",")))")
            }
            let view = ProgressView(run: name, quiet: quiet || json)
            while true {
                let snap = engine.snapshot()
                view.update(snap)
                if snap.isFinished(name) { break }
                if interruptSignal.load(ordering: .relaxed) != 0 {
                    view.finishLine()
                    FileHandle.standardError.write(Data("seedscope: interrupted; stopping jobs (they resume on the next start)\n".utf8))
                    engine.interrupt()
                    throw ExitCode(130)
                }
                usleep(100_000)
            }
            engine.shutdown()
            view.finishLine()
            let snap = engine.snapshot().jobs(of: name)
            let failed = snap.filter { $0.status == .failed || $0.status == .cancelled }
            // Leave the summary next to the results (the workspace layout's report.md / report.json).
            if let report = try? RunReport.build(workspace: w, run: name) {
                try? AtomicFile.write(report.markdown(), to: w.layout(name).reportURL("md"))
                if let j = try? report.json() { try? AtomicFile.write(j + "\n", to: w.layout(name).reportURL("json")) }
            }
            if json {
                let st = try collectStatus(w, names: [name])
                print(String(decoding: try WorkspaceJSON.encoder().encode(st), as: UTF8.self))
            } else {
                let done = snap.filter { $0.status == .done }.count
                print("run \(name): \(done)/\(snap.count) jobs done" + (failed.isEmpty ? "" : ", \(failed.count) not done"))
                for f in failed { FileHandle.standardError.write(Data("seedscope: \(name) \(f.job): \(f.status.rawValue): \(f.error ?? "")\n".utf8)) }
            }
            if !failed.isEmpty { throw ExitCode(1) }
        }
    }

    /// Starts `seedscope run start NAME --wait --detached` in its own process group with its output in
    /// runs/NAME/engine.log, and returns once it holds the workspace lock.
    func startInBackground() throws {
        let ro = try Workspace.open(ws.url, mode: .readOnly)
        _ = try ro.spec(name)
        if let pid = WorkspaceLock.liveHolder(ro.lockURL) {
            throw SeedScopeError.usage("workspace \(ro.root.path) is open in process \(pid); cannot start run \(name) (use `seedscope run status`)")
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var argv = [exe, "run", "start", name, "--workspace", ro.root.path, "--wait", "--detached", "--quiet", "--jobs", String(jobs)]
        if let priority { argv += ["--priority", String(priority)] }
        let log = ro.layout(name).dir.appendingPathComponent("engine.log")
        let child = try ChildProcess.spawn(argv, environment: [:], log: log)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if WorkspaceLock.liveHolder(ro.lockURL) == child.pid { break }
            if let e = child.poll() {
                let tail = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").last.map(String.init) ?? ""
                throw SeedScopeError.usage("the background engine stopped at once (\(e)): \(tail)")
            }
            usleep(50_000)
        }
        if json {
            print(JSONValue.object([("run", .string(name)), ("engine_pid", .int(Int64(child.pid))), ("log", .string(log.path))]).serialized(pretty: true))
        } else {
            print("run \(name) started in the background (engine process \(child.pid), log \(log.path))")
            print("watch it with: seedscope run status \(name) --workspace \(ro.root.path)")
        }
    }
}

/// Progress output: a redrawn one-line bar on a terminal, plain lines otherwise (one per job state
/// change, plus a progress line every 10 s).
final class ProgressView {
    let run: String
    let quiet: Bool
    let tty = isatty(STDOUT_FILENO) != 0
    var lastStatus: [String: JobStatus] = [:]
    var lastPlain = Date.distantPast
    var barShown = false

    init(run: String, quiet: Bool) { self.run = run; self.quiet = quiet }

    func update(_ snap: EngineSnapshot) {
        guard !quiet else { return }
        let jobs = snap.jobs(of: run)
        for j in jobs where lastStatus[j.job.description] != j.status {
            let prev = lastStatus[j.job.description]
            lastStatus[j.job.description] = j.status
            if prev == nil && (j.status == .done || j.status == .queued) { continue }
            var line = "\(j.job): \(j.status.rawValue)"
            if j.status == .running, j.resumed { line += " (resuming)" }
            if j.status == .running, let m = j.estimate?.memoryBytes { line += ", est. \(MemoryProbe.format(m))" }
            if j.status == .done, let p = j.progress { line += String(format: " in %.1fs", p.elapsed) }
            if let e = j.error, j.status == .failed || j.status == .cancelled { line += ": \(e)" }
            emitLine(line)
        }
        let running = jobs.filter { $0.status == .running || $0.status == .paused }
        let done = jobs.filter { $0.status == .done }.count
        guard let r = running.first else { return }
        let text = Self.describe(r, done: done, total: jobs.count, width: tty ? 24 : 0)
        if tty {
            print("\r\u{1B}[K" + text, terminator: "")
            fflush(nil)
            barShown = true
        } else if Date().timeIntervalSince(lastPlain) >= 10 {
            print(text); fflush(nil)
            lastPlain = Date()
        }
    }

    func emitLine(_ s: String) {
        if tty && barShown { print("\r\u{1B}[K", terminator: "") }
        print(s)
        fflush(nil)
    }

    func finishLine() {
        if tty && barShown { print("\r\u{1B}[K", terminator: ""); fflush(nil); barShown = false }
    }

    static func describe(_ j: JobSnapshot, done: Int, total: Int, width: Int) -> String {
        var s = ""
        let p = j.progress
        if width > 0 {
            let f = p?.fraction ?? 0
            let n = Int((f * Double(width)).rounded())
            s += "[" + String(repeating: "#", count: n) + String(repeating: "-", count: width - n) + "] "
        }
        s += "\(j.job)"
        if let p {
            if let t = p.total { s += " \(p.step)/\(t)" } else if p.step > 0 { s += " \(p.step)" }
            if let f = p.fraction { s += String(format: " %3.0f%%", f * 100) }
            if let l = p.loss { s += String(format: " loss %.4g", l) }
            if let e = p.eta { s += " ETA " + formatDuration(e) }
        }
        if j.status == .paused { s += " (paused)" }
        s += " · \(done)/\(total) done"
        return s
    }
}

func formatDuration(_ s: Double) -> String {
    if s < 60 { return String(format: "%.0fs", s) }
    if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
    return String(format: "%dh%02dm", Int(s) / 3600, (Int(s) % 3600) / 60)
}
