import Foundation

/// Everything a phase executor gets for one job.
///
/// Contract: the executor writes its result files into `outputDir` (an empty staging folder, hidden
/// next to the final location); when it returns normally the engine renames `outputDir` into place
/// atomically and only then records the job done. Resumable state (training checkpoints, partial
/// blocks) goes into `workDir`, which survives an interrupted attempt (crash, kill -9, Ctrl-C) and is
/// deleted once the job is done. `resume` is true when a previous attempt was interrupted and `workDir`
/// holds whatever it left: continue from there if possible, else start over. Call
/// `control.checkpoint()` between units of work (cancel/pause) and `control.report(...)` for progress.
public struct JobContext: Sendable {
    public let workspace: URL
    public let spec: RunSpec
    public let layout: RunLayout
    public let job: JobID
    /// Staging folder for the result (empty at start).
    public let outputDir: URL
    /// Persistent scratch folder for resumable state.
    public let workDir: URL
    /// A previous attempt was interrupted; `workDir` holds its state.
    public let resume: Bool
    public let control: JobControl

    /// The checkpoint folder of seed `seed` (resolving referenced imports).
    public func checkpoint(seed: Int) throws -> URL { try layout.checkpoint(seed: seed) }

    /// Seed `seed`'s committed profile folder, nil when the run has no profile phase.
    public func profile(seed: Int) -> URL? {
        let u = layout.profileDir(seed)
        return FileManager.default.fileExists(atPath: u.path) ? u : nil
    }

    /// Committed match folders of every pair (for consensus).
    public func matches() -> [SeedPair: URL] {
        var out: [SeedPair: URL] = [:]
        for p in spec.pairs where FileManager.default.fileExists(atPath: layout.matchDir(p).path) { out[p] = layout.matchDir(p) }
        return out
    }
}

/// Trains one seed of a `native` run.
public protocol TrainExecutor: Sendable {
    /// Trains `seed` with `context.spec` (dataset, architecture, k, latents, steps, hyper) and writes a
    /// checkpoint in seedscope layout (`SAECheckpoint.writeSparsifyLayout`: cfg.json + sae.safetensors)
    /// into `context.outputDir`, plus `metrics.json` (`TrainMetrics`). Training checkpoints for resuming
    /// go in `context.workDir`; continue from them when `context.resume`. The log is
    /// `context.layout.trainLog(seed)` (append).
    func train(seed: Int, context: JobContext) throws
    /// Peak memory and time for training `seed` of `spec` on activations of dimension `dIn`.
    func estimate(spec: RunSpec, dIn: Int) -> ResourceEstimate
}

/// Profiles one seed's SAE on the run's dataset.
public protocol ProfileExecutor: Sendable {
    /// Writes `summary.json` (`ProfileSummary`) and its arrays into `context.outputDir`.
    func profile(seed: Int, checkpoint: URL, context: JobContext) throws
    func estimate(spec: RunSpec, latents: Int, dIn: Int, rows: Int) -> ResourceEstimate
}

/// Matches two seeds' SAEs.
public protocol MatchExecutor: Sendable {
    /// Writes `summary.json` (`PairSummary`, schema `seedscope.pair-summary/1`, fractions at
    /// `context.spec.threshold`) and the per-latent arrays into `context.outputDir`. `inputs` carries
    /// both checkpoints and, when the run profiles, both profile folders (for alive-only fractions).
    func match(_ inputs: MatchInputs, context: JobContext) throws
    func estimate(spec: RunSpec, latents: Int, dIn: Int) -> ResourceEstimate
}

/// Builds the N-seed consensus from all pairwise matches.
public protocol ConsensusExecutor: Sendable {
    /// Writes `consensus.json` (`ConsensusSummary`, schema `seedscope.consensus/1`) and arrays into
    /// `context.outputDir`. `matches` maps each pair to its committed match folder.
    func consensus(matches: [SeedPair: URL], context: JobContext) throws
    func estimate(spec: RunSpec, latents: Int) -> ResourceEstimate
}

/// Inputs of one match job.
public struct MatchInputs: Sendable {
    public var pair: SeedPair
    public var checkpointA: URL
    public var checkpointB: URL
    public var profileA: URL?
    public var profileB: URL?
}

extension TrainExecutor {
    public func estimate(spec: RunSpec, dIn: Int) -> ResourceEstimate {
        ResourceModel.train(m: spec.latents ?? 0, d: dIn, k: spec.k ?? 0, steps: spec.steps ?? 0,
                            batch: Int(spec.hyper["batch_size"] ?? 4096))
    }
}
extension ProfileExecutor {
    public func estimate(spec: RunSpec, latents: Int, dIn: Int, rows: Int) -> ResourceEstimate {
        ResourceModel.profile(m: latents, d: dIn, rows: rows)
    }
}
extension MatchExecutor {
    public func estimate(spec: RunSpec, latents: Int, dIn: Int) -> ResourceEstimate { ResourceModel.match(m: latents, d: dIn) }
}
extension ConsensusExecutor {
    public func estimate(spec: RunSpec, latents: Int) -> ResourceEstimate { ResourceModel.consensus(m: latents, seeds: spec.seeds.count) }
}

/// The executors an engine uses for the computing phases. Import and external training are built into
/// the engine (`ImportExecutor`, `ExternalTrainExecutor`); a phase whose executor is nil fails its jobs
/// with "no trainer available in this build" (or profiler / matcher / consensus builder) — never a
/// made-up result. The product uses `PhaseExecutors.builtIn` (BuiltInExecutors.swift); tests pass their
/// own.
public struct PhaseExecutors: Sendable {
    public var train: (any TrainExecutor)?
    public var profile: (any ProfileExecutor)?
    public var match: (any MatchExecutor)?
    public var consensus: (any ConsensusExecutor)?

    public init(train: (any TrainExecutor)? = nil, profile: (any ProfileExecutor)? = nil,
                match: (any MatchExecutor)? = nil, consensus: (any ConsensusExecutor)? = nil) {
        self.train = train; self.profile = profile; self.match = match; self.consensus = consensus
    }

    /// Which phases this build can execute (for `run status --json` and the launch form).
    public var available: [String: Bool] {
        ["train.native": train != nil, "train.external": true, "train.import": true,
         "profile": profile != nil, "match": match != nil, "consensus": consensus != nil]
    }

    /// The failure message of a phase without an executor.
    static func missing(_ p: Phase) -> String {
        switch p {
        case .train: return "no trainer available in this build"
        case .profile: return "no profiler available in this build"
        case .match: return "no matcher available in this build"
        case .consensus: return "no consensus builder available in this build"
        }
    }
}
