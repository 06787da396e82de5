import Foundation
import SAEKit
import Synchronization

/// `ExplorerData` over a real workspace folder (runs, job records, match folders, profiles).
///
/// Opened writable (the workspace lock was free) it owns a `JobEngine` with `PhaseExecutors.builtIn`,
/// the same code path as `seedscope run start --wait`: runs with unfinished jobs are resumed on open,
/// `launch` creates and enqueues a run, `cancel` cancels. Opened read-only (another process holds the
/// lock) it shows the jobs from their on-disk records and `readOnlyReason` says why.
///
/// Thread-safety: all mutable state sits in one `Mutex`; the engine is itself thread-safe. Per-run
/// results (`run(_:)`) and pair matches are cached until `revision` changes.
public final class WorkspaceExplorerData: ExplorerData, @unchecked Sendable {
    public let workspace: Workspace
    /// The engine when the workspace is writable, nil in read-only mode.
    public let engine: JobEngine?
    /// Why the workspace is read-only, nil when writable (the TUI shows it as a job line).
    public var readOnlyReason: String? { workspace.readOnlyReason }

    struct State {
        var revision = 0
        var signature = ""
        var lastPoll = Date.distantPast
        var runCache: [String: RunData] = [:]
        var widthCache: [String: Int] = [:]
        var kCache: [String: Int?] = [:]
        var baselines: [String: Baseline] = [:]
        var baselineStarted: Set<String> = []
        var jobIDs: [String: (run: String, job: JobID)] = [:]
        var diskJobs: (at: Date, jobs: [SeedScopeUI.JobStatus])? = nil
        var tokenizers: [String: Tokenizer?] = [:]
        var profiles: [String: ProfileStore] = [:]
    }
    let state = Mutex(State())
    /// Seconds between workspace polls (`revision`).
    let pollInterval: Double

    /// Opens `url` (writable if possible). With `startEngine` (the default) a writable workspace gets a
    /// job engine that resumes every run that still has jobs to do.
    public init(url: URL, startEngine: Bool = true, workers: Int = 1, pollInterval: Double = 0.5) throws {
        workspace = try Workspace.open(url)
        self.pollInterval = pollInterval
        if startEngine, !workspace.isReadOnly {
            let e = try JobEngine(workspace: workspace, executors: .builtIn, workers: workers)
            engine = e
            for name in (try? workspace.runNames()) ?? [] where Self.hasWorkLeft(workspace, name) {
                _ = try? e.start(run: name)
            }
        } else {
            engine = nil
        }
    }

    deinit { engine?.shutdown(); workspace.close() }

    /// A run has work left when some planned job's record is not done (never started runs included:
    /// opening the TUI on a fresh workspace is how users start them).
    static func hasWorkLeft(_ ws: Workspace, _ name: String) -> Bool {
        guard let spec = try? ws.spec(name) else { return false }
        let l = ws.layout(name)
        return JobPlan.jobs(for: spec, layout: l).contains { (try? l.record($0.id).status) != .done }
    }

    // MARK: Revision

    public var revision: Int {
        let now = Date()
        let due = state.withLock { s -> Bool in
            guard now.timeIntervalSince(s.lastPoll) >= pollInterval else { return false }
            s.lastPoll = now
            return true
        }
        if due {
            let sig = signature()
            state.withLock { s in
                if sig != s.signature {
                    s.signature = sig; s.revision += 1
                    s.runCache = [:]; s.diskJobs = nil
                }
            }
        }
        return state.withLock { $0.revision }
    }

    /// Cheap fingerprint of everything shown: modification times of the manifest and of each run's
    /// jobs/matches folders (records and results are written by rename, which touches the folder) and
    /// the engine's job states.
    func signature() -> String {
        func mtime(_ u: URL) -> String {
            guard let a = try? FileManager.default.attributesOfItem(atPath: u.path),
                  let d = a[.modificationDate] as? Date else { return "-" }
            return String(d.timeIntervalSince1970)
        }
        var parts = [mtime(workspace.manifestURL)]
        for name in (try? workspace.runNames()) ?? [] {
            let l = workspace.layout(name)
            parts.append(mtime(l.jobsDir)); parts.append(mtime(l.dir.appendingPathComponent("matches")))
            parts.append(mtime(l.specURL))
        }
        if let e = engine {
            for j in e.snapshot().jobs { parts.append("\(j.run)/\(j.job)=\(j.status.rawValue)") }
        }
        return parts.joined(separator: "|")
    }

    // MARK: Runs

    public func runs() -> [RunSummary] {
        let names = (try? workspace.runNames()) ?? []
        let snap = engine?.snapshot()
        return names.compactMap { name in
            guard let spec = try? workspace.spec(name) else { return nil }
            return summary(spec, snap: snap)
        }
    }

    /// The run's row: status from its jobs (engine when live, records otherwise).
    func summary(_ spec: RunSpec, snap: EngineSnapshot?) -> RunSummary {
        let l = workspace.layout(spec.name)
        let planned = JobPlan.jobs(for: spec, layout: l).map(\.id)
        let live = Dictionary(uniqueKeysWithValues: (snap?.jobs(of: spec.name) ?? []).map { ($0.job, $0) })
        var statuses: [JobID: SAEKit.JobStatus] = [:]
        var fractions: [Double] = []
        for id in planned {
            let st = live[id]?.status ?? (try? l.record(id).status) ?? .pending
            statuses[id] = st
            fractions.append(st == .done ? 1 : (live[id]?.progress?.fraction ?? 0))
        }
        let matches = planned.filter { $0.phase == .match }
        let ready = statuses[.consensus] == .done || (!matches.isEmpty && matches.allSatisfy { statuses[$0] == .done })
        let all = Array(statuses.values)
        let status: RunSummary.Status
        if ready { status = .ready }
        else if all.contains(where: { $0 == .running || $0 == .paused }) && (snap != nil || workspace.isReadOnly) { status = .running }
        else if all.contains(.queued) && snap != nil { status = .queued }
        else if all.contains(where: { $0 == .failed || $0 == .cancelled }) { status = .failed }
        else { status = .incomplete }
        let progress = (status == .running || status == .queued) && !fractions.isEmpty
            ? fractions.reduce(0, +) / Double(fractions.count) : nil
        var arch = spec.architecture
        if let k = spec.k ?? checkpointK(spec) { arch += " k=\(k)" }
        else if let l1 = spec.hyper["l1"] ?? spec.hyper["l1_coefficient"] { arch += " l1=\(l1)" }
        let dataset = spec.dataset.map { Self.datasetLabel($0) } ?? "-"
        return RunSummary(id: spec.name, name: spec.name, status: status, seeds: spec.seeds, width: width(spec),
                          architecture: arch, dataset: dataset, progress: progress)
    }

    /// "smollm2-L10-kjv" for ".../smollm2-L10-kjv/activations.safetensors": the folder names a dataset
    /// better than its file.
    static func datasetLabel(_ path: String) -> String {
        let u = URL(fileURLWithPath: path)
        let base = u.deletingPathExtension().lastPathComponent
        return ["activations", "data", "acts"].contains(base) ? u.deletingLastPathComponent().lastPathComponent : base
    }

    /// Latents per SAE: the spec, a referenced import's record, the checkpoint header, or a profile.
    func width(_ spec: RunSpec) -> Int {
        if let m = spec.latents { return m }
        if let w = state.withLock({ $0.widthCache[spec.name] }) { return w }
        let l = workspace.layout(spec.name)
        var w = 0
        for s in spec.seeds where w == 0 {
            let ref = l.checkpointDir(s).appendingPathComponent(CheckpointReference.fileName)
            if let r = try? WorkspaceJSON.readIfPresent(CheckpointReference.self, from: ref) { w = r.latents; break }
            if let dir = try? l.checkpoint(seed: s),
               let f = try? SafetensorsFile(path: dir.appendingPathComponent("sae.safetensors").path),
               let info = try? f.info("encoder.weight"), let m = info.shape.first { w = m; break }
            if let p = profileURL(l, seed: s), let store = try? ProfileStore(url: p) { w = store.numLatents }
        }
        if w > 0 { state.withLock { $0.widthCache[spec.name] = w } }
        return w
    }

    /// k of a top-k run whose spec has none (imports): `k` in the first seed's checkpoint cfg.json.
    func checkpointK(_ spec: RunSpec) -> Int? {
        guard spec.architecture == "topk" || spec.architecture == "batchtopk" else { return nil }
        if let k = state.withLock({ $0.kCache[spec.name] }) { return k }
        let k = spec.seeds.first.flatMap { try? workspace.layout(spec.name).checkpoint(seed: $0) }
            .flatMap { try? Data(contentsOf: $0.appendingPathComponent("cfg.json")) }
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }?["k"] as? Int
        state.withLock { $0.kCache[spec.name] = .some(k) }
        return k
    }

    /// The dataset path of a spec, resolved against the workspace root when relative.
    func datasetURL(_ spec: RunSpec) -> URL? {
        guard let d = spec.dataset else { return nil }
        return d.hasPrefix("/") ? URL(fileURLWithPath: d) : workspace.root.appendingPathComponent(d)
    }
}
