import Foundation

/// One job of a run's pipeline, e.g. `train-seed0`, `profile-seed2`, `match-seed0-seed1`, `consensus`.
public struct JobID: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var phase: Phase
    /// The seed of a train/profile job.
    public var seed: Int?
    /// The pair of a match job.
    public var pair: SeedPair?

    public static func train(_ s: Int) -> JobID { JobID(phase: .train, seed: s, pair: nil) }
    public static func profile(_ s: Int) -> JobID { JobID(phase: .profile, seed: s, pair: nil) }
    public static func match(_ p: SeedPair) -> JobID { JobID(phase: .match, seed: nil, pair: p) }
    public static let consensus = JobID(phase: .consensus, seed: nil, pair: nil)

    /// The file-name form (`match-seed0-seed1`).
    public var description: String {
        if let s = seed { return "\(phase.rawValue)-seed\(s)" }
        if let p = pair { return "match-seed\(p.a)-seed\(p.b)" }
        return phase.rawValue
    }

    /// Pipeline order: phase, then seed / pair.
    public static func < (x: JobID, y: JobID) -> Bool {
        if x.phase != y.phase { return x.phase < y.phase }
        if let a = x.seed, let b = y.seed { return a < b }
        if let a = x.pair, let b = y.pair { return (a.a, a.b) < (b.a, b.b) }
        return false
    }
}

/// A planned job: its id, what it waits for and the folder its output is committed to.
public struct PlannedJob: Sendable {
    public var id: JobID
    public var dependencies: [JobID]
    /// The folder the job's output lands in (renamed into place from a staging folder when it succeeds).
    public var outputDir: URL
}

/// Builds a run's pipeline from its spec:
/// train/import each seed → profile each seed (when the run has a dataset) → match every pair (after
/// both seeds' checkpoints, and profiles when profiled, so matching can report alive-only fractions) →
/// consensus over all pairs. Phases missing from `spec.phases` are left out.
public enum JobPlan {
    public static func jobs(for spec: RunSpec, layout: RunLayout) -> [PlannedJob] {
        var out: [PlannedJob] = []
        let has = Set(spec.phases)
        for s in spec.seeds where has.contains(.train) {
            out.append(PlannedJob(id: .train(s), dependencies: [], outputDir: layout.checkpointDir(s)))
        }
        for s in spec.seeds where has.contains(.profile) {
            out.append(PlannedJob(id: .profile(s), dependencies: has.contains(.train) ? [.train(s)] : [],
                                  outputDir: layout.profileDir(s)))
        }
        if spec.seeds.count >= 2 {
            for p in spec.pairs where has.contains(.match) {
                var deps: [JobID] = []
                if has.contains(.train) { deps += [.train(p.a), .train(p.b)] }
                if has.contains(.profile) { deps += [.profile(p.a), .profile(p.b)] }
                out.append(PlannedJob(id: .match(p), dependencies: deps, outputDir: layout.matchDir(p)))
            }
            if has.contains(.consensus) {
                let deps = has.contains(.match) ? spec.pairs.map { JobID.match($0) } : []
                out.append(PlannedJob(id: .consensus, dependencies: deps, outputDir: layout.consensusDir))
            }
        }
        return out
    }
}
