import Foundation
import SAEKit

extension WorkspaceExplorerData {
    /// UI job id: "<run>/<job>" (e.g. "kjv/match-seed0-seed1").
    static func jobID(_ run: String, _ job: JobID) -> String { "\(run)/\(job)" }

    static func uiState(_ s: SAEKit.JobStatus) -> SeedScopeUI.JobStatus.State {
        switch s {
        case .pending, .queued: return .queued
        case .running, .paused: return .running
        case .done: return .done
        case .failed: return .failed
        case .cancelled: return .cancelled
        }
    }

    public func jobs() -> [SeedScopeUI.JobStatus] {
        var out: [SeedScopeUI.JobStatus] = []
        if let reason = readOnlyReason {
            // The jobs panel is the only free-text surface the TUI polls: the read-only notice goes first.
            out.append(SeedScopeUI.JobStatus(id: "read-only", title: "read-only workspace", state: .failed, progress: 0,
                                             eta: nil, message: reason + "; jobs shown from their records"))
        }
        guard let engine else { return out + diskJobs() }
        var ids: [String: (run: String, job: JobID)] = [:]
        for j in engine.snapshot().jobs {
            let id = Self.jobID(j.run, j.job)
            ids[id] = (j.run, j.job)
            var msg = j.error ?? j.progress?.message ?? ""
            if msg.isEmpty, j.status == .paused { msg = "paused" }
            if msg.isEmpty, let p = j.progress, let t = p.total { msg = "\(p.step)/\(t)" + (p.loss.map { String(format: " loss %.4g", $0) } ?? "") }
            out.append(SeedScopeUI.JobStatus(id: id, title: "\(j.run) \(j.job)", state: Self.uiState(j.status),
                                             progress: j.status == .done ? 1 : (j.progress?.fraction ?? 0),
                                             eta: j.progress?.eta, message: msg))
        }
        state.withLock { $0.jobIDs = ids }
        return out
    }

    /// Jobs from the on-disk records (read-only mode), re-read at most every poll interval.
    func diskJobs() -> [SeedScopeUI.JobStatus] {
        if let c = state.withLock({ $0.diskJobs }), Date().timeIntervalSince(c.at) < pollInterval { return c.jobs }
        var out: [SeedScopeUI.JobStatus] = []
        for name in (try? workspace.runNames()) ?? [] {
            guard let spec = try? workspace.spec(name) else { continue }
            let l = workspace.layout(name)
            for p in JobPlan.jobs(for: spec, layout: l) {
                guard let r = try? WorkspaceJSON.readIfPresent(JobRecord.self, from: l.recordURL(p.id)) else { continue }
                let frac = r.status == .done ? 1 : r.total.map { $0 > 0 ? min(1, Double(r.step ?? 0) / Double($0)) : 0 } ?? 0
                out.append(SeedScopeUI.JobStatus(id: Self.jobID(name, p.id), title: "\(name) \(p.id)", state: Self.uiState(r.status),
                                                 progress: frac, eta: r.status == .running ? r.eta : nil,
                                                 message: r.error ?? r.message ?? ""))
            }
        }
        state.withLock { $0.diskJobs = (Date(), out) }
        return out
    }

    public func cancel(job: String) {
        guard let engine else { return }
        if let (run, id) = state.withLock({ $0.jobIDs[job] }) { engine.cancel(run: run, job: id) }
    }

    /// Creates a run from the launch form and enqueues it. Native runs use the built-in trainer; with an
    /// external command the run trains each seed with it (`{seed}`, `{out}` substituted by the engine).
    public func launch(_ request: LaunchRequest) throws -> String {
        guard let engine else { throw SeedScopeError.usage(readOnlyReason.map { "cannot launch: \($0)" } ?? "cannot launch: no job engine") }
        let arch = request.architecture
        let topk = arch == "topk" || arch == "batchtopk"
        guard request.width > 0 else { throw SeedScopeError.usage("launch: width must be > 0") }
        if topk, request.sparsity.rounded() != request.sparsity || request.sparsity < 1 {
            throw SeedScopeError.usage("launch: k must be a positive integer for \(arch), got \(request.sparsity)")
        }
        let dataset = request.dataset.trimmingCharacters(in: .whitespaces)
        let external = request.externalCommand.trimmingCharacters(in: .whitespaces)
        let names = Set((try? workspace.runNames()) ?? [])
        let stem = "\(Self.datasetLabel(dataset))-\(arch)-m\(request.width)"
        var name = stem, n = 2
        while names.contains(name) { name = "\(stem)-\(n)"; n += 1 }
        let spec = RunSpec(name: name, kind: external.isEmpty ? .native : .external,
                           dataset: dataset.isEmpty ? nil : dataset, architecture: arch,
                           k: topk ? Int(request.sparsity) : nil, latents: request.width, steps: request.steps,
                           hyper: topk ? [:] : ["l1": request.sparsity], seeds: request.seeds,
                           external: external.isEmpty ? nil : ExternalTrainer(command: external, cwd: workspace.root.path))
        try workspace.createRun(spec)
        let queued = try engine.start(run: name)
        _ = revision
        return queued.first.map { Self.jobID(name, $0) } ?? name
    }
}
