import ArgumentParser
import Foundation
import SAEKit

/// `seedscope run create|start|status|cancel`: the headless face of the job engine.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, start, watch and cancel comparison runs (train each seed → profile → match every pair → consensus).",
        subcommands: [RunCreate.self, RunStart.self, RunStatus.self, RunCancel.self])
}

struct WorkspaceOption: ParsableArguments {
    @Option(name: [.short, .long], help: "The workspace folder.")
    var workspace: String = "."
    var url: URL { URL(fileURLWithPath: workspace).standardizedFileURL }
}

struct RunCreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a run (and the workspace if needed).")

    @Argument(help: "Run name (letters, digits, . _ -).") var name: String
    @OptionGroup var ws: WorkspaceOption
    @Option(help: "Activation dataset (.safetensors with `activations`).") var data: String?
    @Option(help: "Architecture: topk, batchtopk, relu, jumprelu, gated.") var arch: String = "topk"
    @Option(help: "TopK k.") var k: Int?
    @Option(help: "Number of latents m.") var latents: Int?
    @Option(help: "Seeds, comma separated (e.g. 0,1,2).") var seeds: String = "0,1"
    @Option(help: "Training steps.") var steps: Int?
    @Option(help: "Learning rate.") var lr: Double?
    @Option(help: "Batch size (rows per step).") var batchSize: Int?
    @Option(help: "Extra hyper-parameter NAME=VALUE (repeatable).") var hyper: [String] = []
    @Option(help: "Shared threshold on matched cosines.") var threshold: Double = 0.7
    @Option(help: "Queue priority (higher first).") var priority: Int = 0
    @Option(help: "Phases to run, comma separated (train,profile,match,consensus; default all, profile only with --data).")
    var phases: String?
    @Option(help: ArgumentHelp("External trainer command per seed, run with /bin/sh -c; placeholders {seed} {out} {data} {k} {latents} {steps} {run} {workdir}.",
                               valueName: "CMD"))
    var external: String?
    @Flag(help: "Machine-readable JSON output.") var json = false

    func run() throws {
        try runReportingErrors {
            let seedList = try parseSeeds(seeds)
            var hp: [String: Double] = [:]
            if let lr { hp["lr"] = lr }
            if let batchSize { hp["batch_size"] = Double(batchSize) }
            for h in hyper {
                let kv = h.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2, let v = Double(kv[1]) else { throw SeedScopeError.usage("--hyper expects NAME=NUMBER, got \"\(h)\"") }
                hp[kv[0]] = v
            }
            var dataPath: String? = nil
            if let data {
                let u = URL(fileURLWithPath: data).standardizedFileURL
                _ = try ActivationDataset(path: u.path)   // validate now: one-line error naming the file
                dataPath = u.path
            }
            let ph = try phases.map { try $0.split(separator: ",").map { s -> Phase in
                guard let p = Phase(rawValue: s.trimmingCharacters(in: .whitespaces)) else { throw SeedScopeError.usage("unknown phase \"\(s)\" (train, profile, match, consensus)") }
                return p
            } }
            let ext = external.map { ExternalTrainer(command: $0, cwd: FileManager.default.currentDirectoryPath) }
            let spec = RunSpec(name: name, kind: ext == nil ? .native : .external, dataset: dataPath, architecture: arch, k: k,
                               latents: latents, steps: steps, hyper: hp, seeds: seedList, threshold: threshold, phases: ph,
                               priority: priority, external: ext)
            try spec.validate()
            let w = try Workspace.openOrCreate(ws.url)
            try w.createRun(spec)
            let jobs = JobPlan.jobs(for: spec, layout: w.layout(name))
            if json {
                print(String(decoding: try WorkspaceJSON.encoder().encode(spec), as: UTF8.self))
            } else {
                print("created run \(name) in \(w.root.path): \(spec.kind.rawValue), seeds \(seedList.map(String.init).joined(separator: ",")), \(jobs.count) jobs (\(spec.phases.map(\.rawValue).joined(separator: " → ")))")
                // Pre-flight estimates per phase (documented models, ResourceModel), and a warning when a
                // job would not fit: the engine will refuse it.
                let est = JobEstimator.estimates(spec: spec, layout: w.layout(name), executors: .builtIn)
                let avail = MemoryProbe.available()
                for phase in Phase.allCases {
                    guard let e = est.first(where: { $0.job.phase == phase && $0.estimate.memoryBytes != nil })?.estimate else { continue }
                    let n = est.filter { $0.job.phase == phase }.count
                    var line = "  \(phase.rawValue): \(n) job(s), each ~\(MemoryProbe.format(e.memoryBytes!))"
                    if let t = e.seconds { line += ", ~" + formatDuration(t) }
                    line += " (\(e.formula))"
                    if let a = avail, e.memoryBytes! > a { line += " — WILL NOT FIT: only \(MemoryProbe.format(a)) available" }
                    print(line)
                }
                print("start it with: seedscope run start \(name) --workspace \(w.root.path) --wait")
            }
        }
    }
}

func parseSeeds(_ s: String) throws -> [Int] {
    let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    var out: [Int] = []
    for p in parts {
        if let r = p.range(of: "-"), let a = Int(p[..<r.lowerBound]), let b = Int(p[r.upperBound...]), a <= b {
            out += Array(a...b)
        } else if let v = Int(p) { out.append(v) } else {
            throw SeedScopeError.usage("--seeds expects comma-separated integers or ranges like 0-3, got \"\(s)\"")
        }
    }
    guard !out.isEmpty else { throw SeedScopeError.usage("--seeds is empty") }
    return out
}

struct RunCancel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a run's queued and running jobs.")
    @Argument var name: String
    @OptionGroup var ws: WorkspaceOption
    @Flag(help: "Machine-readable JSON output.") var json = false

    func run() throws {
        try runReportingErrors {
            let ro = try Workspace.open(ws.url, mode: .readOnly)
            let spec = try ro.spec(name)
            let layout = ro.layout(name)
            if let pid = WorkspaceLock.liveHolder(ro.lockURL) {
                // The engine lives in another process: ask it (it polls for this file about once a second).
                try AtomicFile.write("cancel requested by process \(getpid())\n", to: layout.cancelRequestURL)
                let deadline = Date().addingTimeInterval(15)
                while FileManager.default.fileExists(atPath: layout.cancelRequestURL.path), Date() < deadline { usleep(100_000) }
                let acked = !FileManager.default.fileExists(atPath: layout.cancelRequestURL.path)
                if !acked { try? FileManager.default.removeItem(at: layout.cancelRequestURL) }
                // Give running jobs a moment to record their cancellation.
                if acked { usleep(500_000) }
                emit(acked ? "cancel sent to the engine in process \(pid)" : "the engine in process \(pid) did not respond within 15 s", ok: acked, pid: pid)
                if !acked { throw ExitCode(1) }
                return
            }
            ro.close()
            let w = try Workspace.open(ws.url)
            try w.requireWritable("cancel run \(name)")
            var n = 0
            for p in JobPlan.jobs(for: spec, layout: layout) {
                var r = try layout.record(p.id)
                guard r.status == .running || r.status == .queued else { continue }
                if let c = r.child { ChildProcess.killOrphan(c) }
                r.status = .cancelled; r.error = "cancelled"; r.finished = Date(); r.child = nil
                try layout.writeRecord(r, p.id)
                let parent = p.outputDir.deletingLastPathComponent(), base = p.outputDir.lastPathComponent
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(".\(base).partial"))
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(".\(base).work"))
                n += 1
            }
            emit("no engine running; \(n) interrupted job(s) of \(name) marked cancelled", ok: true, pid: nil)
        }
    }

    func emit(_ msg: String, ok: Bool, pid: Int32?) {
        if json {
            print(JSONValue.object([("run", .string(name)), ("ok", .bool(ok)), ("engine_pid", pid.map { .int(Int64($0)) } ?? .null),
                                    ("message", .string(msg))]).serialized(pretty: true))
        } else { print(msg) }
    }
}
