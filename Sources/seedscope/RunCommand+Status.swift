import ArgumentParser
import Foundation
import SAEKit

/// `run status --json` output.
struct StatusOutput: Codable {
    struct Job: Codable {
        var job: String
        var status: String
        var attempts: Int
        var step: Int?
        var total: Int?
        var loss: Double?
        var eta: Double?
        var message: String?
        var error: String?
        var seconds: Double?
        var memoryEstimate: Int64?
    }
    struct RunInfo: Codable {
        var name: String
        var kind: String
        var seeds: [Int]
        var phases: [String]
        var done: Int
        var total: Int
        var state: String
        var jobs: [Job]
    }
    var workspace: String
    /// PID of the process holding the workspace lock (an engine or a TUI), nil when none.
    var enginePid: Int32?
    /// Which phases this build can execute.
    var executors: [String: Bool]
    var runs: [RunInfo]
}

func collectStatus(_ w: Workspace, names: [String]) throws -> StatusOutput {
    var runs: [StatusOutput.RunInfo] = []
    for n in names {
        let spec = try w.spec(n)
        let l = w.layout(n)
        var jobs: [StatusOutput.Job] = []
        for p in JobPlan.jobs(for: spec, layout: l) {
            let r = try l.record(p.id)
            jobs.append(.init(job: p.id.description, status: r.status.rawValue, attempts: r.attempts, step: r.step, total: r.total,
                              loss: r.loss, eta: r.eta, message: r.message, error: r.error, seconds: r.seconds, memoryEstimate: r.memoryEstimate))
        }
        let done = jobs.filter { $0.status == "done" }.count
        let state: String
        if done == jobs.count { state = "done" }
        else if jobs.contains(where: { $0.status == "running" }) { state = WorkspaceLock.liveHolder(w.lockURL) != nil ? "running" : "interrupted" }
        else if jobs.contains(where: { $0.status == "failed" }) { state = "failed" }
        else if jobs.contains(where: { $0.status == "cancelled" }) { state = "cancelled" }
        else { state = done > 0 ? "partial" : "not started" }
        runs.append(.init(name: n, kind: spec.kind.rawValue, seeds: spec.seeds, phases: spec.phases.map(\.rawValue),
                          done: done, total: jobs.count, state: state, jobs: jobs))
    }
    return StatusOutput(workspace: w.root.path, enginePid: WorkspaceLock.liveHolder(w.lockURL),
                        executors: PhaseExecutors.builtIn.available, runs: runs)
}

struct RunStatus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show runs and their jobs (read-only; safe while an engine runs).")
    @Argument(help: "A run (default: all runs).") var name: String?
    @OptionGroup var ws: WorkspaceOption
    @Flag(help: "Machine-readable JSON output.") var json = false

    func run() throws {
        try runReportingErrors {
            let w = try Workspace.open(ws.url, mode: .readOnly)
            let names = try name.map { n in _ = try w.spec(n); return [n] } ?? w.runNames()
            let st = try collectStatus(w, names: names)
            if json { print(String(decoding: try WorkspaceJSON.encoder().encode(st), as: UTF8.self)); return }
            print("workspace \(st.workspace)" + (st.enginePid.map { " — engine running in process \($0)" } ?? " — no engine running"))
            if st.runs.isEmpty { print("no runs; create one with `seedscope run create NAME --workspace \(w.root.path) …`") }
            for r in st.runs {
                print("\(r.name): \(r.state), \(r.done)/\(r.total) jobs done (\(r.kind), seeds \(r.seeds.map(String.init).joined(separator: ",")))")
                guard name != nil || r.state != "done" else { continue }
                for j in r.jobs where name != nil || j.status != "done" {
                    var line = "  \(j.job.padding(toLength: 22, withPad: " ", startingAt: 0)) \(j.status)"
                    if let s = j.step, j.status == "running" { line += " step \(s)" + (j.total.map { "/\($0)" } ?? "") }
                    if let l = j.loss, j.status == "running" { line += String(format: " loss %.4g", l) }
                    if let e = j.eta, j.status == "running" { line += " ETA " + formatDuration(e) }
                    if let m = j.message, j.status == "running" { line += " — " + String(m.prefix(60)) }
                    if let s = j.seconds, j.status == "done" { line += String(format: " (%.1fs)", s) }
                    if let e = j.error, j.status != "done" { line += ": \(e)" }
                    print(line)
                }
            }
        }
    }
}
