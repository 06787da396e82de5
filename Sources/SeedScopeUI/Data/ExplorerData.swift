/// The data-provider protocol the TUI displays. The engine (workspace runs, matching results, latent
/// profiles, job queue) is adapted to it at one place; `SyntheticExplorerData` implements it in memory
/// for tests, benchmarks and `seedscope tui --synthetic`.
///
/// Everything crossing the boundary is a value type. The UI calls the protocol only from its main
/// thread; implementations must be thread-safe anyway (`Sendable`) because their own workers
/// (training, matching) update them in the background. The UI polls `revision` and `jobs()` on a
/// ~100 ms tick and reloads whatever changed, so implementations never call back into the UI.
///
/// Cost contract (the UI relies on it to stay responsive):
/// - `revision`, `runs()`, `jobs()`: cheap (called every tick).
/// - `run(_:)`: may take up to ~100 ms for 8 seeds × 32K latents (called once per run open; cache it).
/// - `pair(_:from:to:)`: O(width); called once per ordered seed pair the UI needs, results are cached
///   by the UI for as long as the run stays open.
/// - `latentCard(_:seed:latent:)`: called when a latent detail view opens; may read from disk.
public protocol ExplorerData: AnyObject, Sendable {
    /// Increases whenever `runs()` or any run's results change (a job finished, a run was added).
    var revision: Int { get }
    /// All runs of the workspace, in display order.
    func runs() -> [RunSummary]
    /// Per-seed latent statistics and baselines of one run; nil when the run has no results yet.
    func run(_ id: String) -> RunData?
    /// Matching of seed index `a` onto seed index `b` (indices into `RunData.seeds`), one entry per
    /// latent of `a`. nil when not computed.
    func pair(_ run: String, from a: Int, to b: Int) -> PairMatch?
    /// The profile card of one latent (activation histogram, top windows, interval samples).
    func latentCard(_ run: String, seed: Int, latent: Int) -> LatentCard?
    /// Background jobs (training, matching, profiling), newest last.
    func jobs() -> [JobStatus]
    /// Starts a comparison run; returns the new job's id or throws a one-line error.
    func launch(_ request: LaunchRequest) throws -> String
    /// Requests cancellation of a job (no-op when it already finished).
    func cancel(job: String)
}

/// One row of the Runs view.
public struct RunSummary: Sendable, Equatable {
    public enum Status: String, Sendable { case ready, running, queued, failed, incomplete }
    public var id: String
    /// Human-readable name, e.g. "kjv-L10 topk k=32".
    public var name: String
    public var status: Status
    /// Seed numbers (as trained), e.g. [0, 1, 2, 3].
    public var seeds: [Int]
    /// Number of latents per SAE.
    public var width: Int
    /// Architecture and sparsity, e.g. "topk k=32" or "relu l1=5e-3".
    public var architecture: String
    /// Dataset label, e.g. "smollm2-L10-kjv".
    public var dataset: String
    /// Progress 0...1 of the job producing this run, nil when none runs.
    public var progress: Double?
    public init(id: String, name: String, status: Status, seeds: [Int], width: Int, architecture: String,
                dataset: String, progress: Double? = nil) {
        self.id = id; self.name = name; self.status = status; self.seeds = seeds; self.width = width
        self.architecture = architecture; self.dataset = dataset; self.progress = progress
    }
}

/// Per-seed, per-latent statistics of one run. Arrays have `width` entries, indexed by latent id.
public struct SeedLatents: Sendable {
    /// Fraction of tokens on which the latent is non-zero (0 for dead latents).
    public var firingFrequency: [Float]
    /// Largest activation seen on the profiling set.
    public var maxActivation: [Float]
    /// Dead: never fired on the profiling set (or the engine's dead-latent rule).
    public var dead: [Bool]
    /// A short display string of the latent's top tokens ("▁LORD ▁God ▁Lord"), used by text search.
    public var topTokens: [String]
    public init(firingFrequency: [Float], maxActivation: [Float], dead: [Bool], topTokens: [String]) {
        self.firingFrequency = firingFrequency; self.maxActivation = maxActivation; self.dead = dead
        self.topTokens = topTokens
    }
}

/// Everything the overview and table need about a run except the pairwise matchings.
public struct RunData: Sendable {
    public var summary: RunSummary
    /// One entry per seed, same order as `summary.seeds`.
    public var latents: [SeedLatents]
    /// Max-cosine samples of a random-init SAE pair of the same shape (the chance baseline drawn in
    /// every histogram); empty when unknown.
    public var baselineDecoderMaxCos: [Float]
    public var baselineEncoderMaxCos: [Float]
    /// Number of tokens the statistics were computed on (stated in the UI).
    public var profiledTokens: Int
    /// Matching method label shown in the UI, e.g. "hungarian" or "greedy (provisional)".
    public var method: String
    public init(summary: RunSummary, latents: [SeedLatents], baselineDecoderMaxCos: [Float],
                baselineEncoderMaxCos: [Float], profiledTokens: Int, method: String) {
        self.summary = summary; self.latents = latents; self.baselineDecoderMaxCos = baselineDecoderMaxCos
        self.baselineEncoderMaxCos = baselineEncoderMaxCos; self.profiledTokens = profiledTokens; self.method = method
    }
}

/// The matching of seed `from` onto seed `to`: one entry per latent of `from` (width `m`).
public struct PairMatch: Sendable {
    public var from: Int
    public var to: Int
    /// Matched latent in `to` (the one-to-one assignment), -1 when unmatched.
    public var partner: [Int32]
    /// Cosine of the decoder rows of the matched pair.
    public var decoderCos: [Float]
    /// Cosine of the encoder rows of the matched pair.
    public var encoderCos: [Float]
    /// Max decoder cosine against any latent of `to` (≥ `decoderCos`).
    public var decoderMaxCos: [Float]
    /// Max encoder cosine against any latent of `to`.
    public var encoderMaxCos: [Float]
    /// Activation agreement with the partner (e.g. masked cosine of activations), NaN when unknown.
    public var agreement: [Float]
    public init(from: Int, to: Int, partner: [Int32], decoderCos: [Float], encoderCos: [Float],
                decoderMaxCos: [Float], encoderMaxCos: [Float], agreement: [Float]) {
        self.from = from; self.to = to; self.partner = partner; self.decoderCos = decoderCos
        self.encoderCos = encoderCos; self.decoderMaxCos = decoderMaxCos; self.encoderMaxCos = encoderMaxCos
        self.agreement = agreement
    }
}

/// One top-activating (or sampled) window: display tokens and the latent's activation on each.
public struct ActivatingWindow: Sendable, Equatable {
    /// Window (sequence) index in the dataset.
    public var window: Int
    /// Position of the first token within its sequence.
    public var start: Int
    /// Display strings of the tokens (raw decoded pieces; the UI escapes control characters).
    public var tokens: [String]
    /// Activation per token (same count as `tokens`).
    public var activations: [Float]
    public init(window: Int, start: Int, tokens: [String], activations: [Float]) {
        self.window = window; self.start = start; self.tokens = tokens; self.activations = activations
    }
}

/// Samples from one activation interval ("Interval a–b · contains x%").
public struct IntervalSample: Sendable, Equatable {
    public var low: Float
    public var high: Float
    /// Fraction of the latent's non-zero activations falling in [low, high).
    public var fraction: Float
    public var windows: [ActivatingWindow]
    public init(low: Float, high: Float, fraction: Float, windows: [ActivatingWindow]) {
        self.low = low; self.high = high; self.fraction = fraction; self.windows = windows
    }
}

/// The profile of one latent.
public struct LatentCard: Sendable {
    public var seed: Int
    public var latent: Int
    /// Histogram of non-zero activations: `counts.count` equal-width bins over [0, `histogramMax`].
    public var histogramCounts: [Int]
    public var histogramMax: Float
    public var topWindows: [ActivatingWindow]
    public var intervals: [IntervalSample]
    /// "equal-width" or "equal-count": how interval samples were binned (stated in the UI).
    public var intervalMode: String
    public init(seed: Int, latent: Int, histogramCounts: [Int], histogramMax: Float,
                topWindows: [ActivatingWindow], intervals: [IntervalSample], intervalMode: String) {
        self.seed = seed; self.latent = latent; self.histogramCounts = histogramCounts
        self.histogramMax = histogramMax; self.topWindows = topWindows; self.intervals = intervals
        self.intervalMode = intervalMode
    }
}

/// A background job as the jobs panel shows it.
public struct JobStatus: Sendable, Equatable {
    public enum State: String, Sendable { case queued, running, done, failed, cancelled }
    public var id: String
    public var title: String
    public var state: State
    /// 0...1
    public var progress: Double
    /// Estimated seconds remaining, nil when unknown.
    public var eta: Double?
    /// Last status line (loss, stage, or the error).
    public var message: String
    public init(id: String, title: String, state: State, progress: Double, eta: Double?, message: String) {
        self.id = id; self.title = title; self.state = state; self.progress = progress; self.eta = eta
        self.message = message
    }
}

/// What the launch form submits.
public struct LaunchRequest: Sendable, Equatable {
    public var dataset: String
    /// "topk", "batchtopk", "relu", "jumprelu", "gated"
    public var architecture: String
    /// k for top-k architectures, L1 coefficient for relu/gated/jumprelu.
    public var sparsity: Double
    public var width: Int
    public var seeds: [Int]
    public var steps: Int
    /// When non-empty, run this external trainer command once per seed (`{seed}` and `{out}` are
    /// substituted) instead of the built-in trainer.
    public var externalCommand: String
    public init(dataset: String, architecture: String, sparsity: Double, width: Int, seeds: [Int], steps: Int,
                externalCommand: String = "") {
        self.dataset = dataset; self.architecture = architecture; self.sparsity = sparsity; self.width = width
        self.seeds = seeds; self.steps = steps; self.externalCommand = externalCommand
    }
}
