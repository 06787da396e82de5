import Foundation

/// Pre-flight estimates of a run's jobs (memory, time), for the launch form, `run create` and the
/// engine's memory guard.
public enum JobEstimator {
    /// Job `id`'s resource estimate from its executor's model; shapes come from safetensors headers only
    /// (cheap), so a launch form can call this for every job before anything starts. Unknown when an
    /// input's shape is not known yet. Without a registered executor the default `ResourceModel` applies.
    public static func estimate(_ id: JobID, spec: RunSpec, layout: RunLayout, executors: PhaseExecutors) -> ResourceEstimate {
        let datasetDim: Int? = spec.dataset.flatMap { try? ActivationDataset(path: $0) }?.dim
        func shape(_ seed: Int) -> (m: Int, d: Int)? {
            // Before training, the spec's shape is the plan.
            if !FileManager.default.fileExists(atPath: layout.checkpointDir(seed).path), let m = spec.latents, let d = datasetDim { return (m, d) }
            guard let c = try? layout.checkpoint(seed: seed),
                  let f = try? SafetensorsFile(path: c.appendingPathComponent("sae.safetensors").path),
                  let i = try? f.info("encoder.weight"), i.shape.count == 2 else { return nil }
            return (i.shape[0], i.shape[1])
        }
        switch id.phase {
        case .train:
            switch spec.kind {
            case .native:
                guard let d = datasetDim else { return .unknown }
                return executors.train?.estimate(spec: spec, dIn: d)
                    ?? ResourceModel.train(m: spec.latents ?? 0, d: d, k: spec.k ?? 0, steps: spec.steps ?? 0, batch: Int(spec.hyper["batch_size"] ?? 4096))
            case .external: return ResourceEstimate(memoryBytes: nil, seconds: nil, formula: "external process (not estimated)")
            case .imported: return ResourceEstimate(memoryBytes: nil, seconds: nil, formula: "file import")
            }
        case .profile:
            guard let s = shape(id.seed!), let path = spec.dataset, let ds = try? ActivationDataset(path: path) else { return .unknown }
            return executors.profile?.estimate(spec: spec, latents: s.m, dIn: s.d, rows: ds.rowCount) ?? ResourceModel.profile(m: s.m, d: s.d, rows: ds.rowCount)
        case .match:
            guard let s = shape(id.pair!.a) else { return .unknown }
            return executors.match?.estimate(spec: spec, latents: s.m, dIn: s.d) ?? ResourceModel.match(m: s.m, d: s.d)
        case .consensus:
            guard let first = spec.seeds.first, let s = shape(first) else { return .unknown }
            return executors.consensus?.estimate(spec: spec, latents: s.m) ?? ResourceModel.consensus(m: s.m, seeds: spec.seeds.count)
        }
    }

    /// Estimates for every job of `spec`, in pipeline order.
    public static func estimates(spec: RunSpec, layout: RunLayout, executors: PhaseExecutors) -> [JobEstimate] {
        JobPlan.jobs(for: spec, layout: layout).map { JobEstimate(job: $0.id, estimate: estimate($0.id, spec: spec, layout: layout, executors: executors)) }
    }
}

/// One job's pre-flight estimate.
public struct JobEstimate: Sendable {
    public var job: JobID
    public var estimate: ResourceEstimate
}
