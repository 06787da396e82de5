import Foundation

/// The summary files the phases write and `seedscope report` reads. JSON keys are snake_case
/// (`WorkspaceJSON` coding); dictionary keys are written as given.

/// A count and the fraction it is of the base SAE's latents.
public struct CriterionResult: Codable, Sendable, Equatable {
    public var count: Int
    /// `count` / latents of seed A (or alive latents of A for `criteria_alive`).
    public var fraction: Double
    public init(count: Int, fraction: Double) { self.count = count; self.fraction = fraction }
}

/// Mean matched cosine of the two independent assignments (paper's alignment score).
public struct AlignmentScores: Codable, Sendable, Equatable {
    public var decoder: Double
    public var encoder: Double
    public init(decoder: Double, encoder: Double) { self.decoder = decoder; self.encoder = encoder }
}

/// `matches/<a>-<b>/summary.json`, written by the match phase. Schema `seedscope.pair-summary/1`.
public struct PairSummary: Codable, Sendable, Equatable {
    public static let schemaID = "seedscope.pair-summary/1"
    /// The criteria every matcher reports, in report order (DESIGN.md "Definitions"):
    /// - `shared`: matched decoder cos > t and matched encoder cos > t (headline)
    /// - `equal_threshold`: same partner under both assignments and both cosines > t
    /// - `enc_dec_agree`: same partner under both assignments, no threshold
    /// - `decoder_only`: matched decoder cos > t
    /// - `max_cos`: max decoder cos > t and max encoder cos > t (no one-to-one matching)
    public static let criterionNames = ["shared", "equal_threshold", "enc_dec_agree", "decoder_only", "max_cos"]

    public var schema: String = PairSummary.schemaID
    /// [a, b].
    public var seeds: [Int]
    /// [m_a, m_b].
    public var latents: [Int]
    /// The threshold t the fractions use (the run's `threshold`).
    public var threshold: Double
    /// Criterion name → result over all latents of A.
    public var criteria: [String: CriterionResult]
    /// Criterion name → result over latents alive in A (present when profiles exist).
    public var criteriaAlive: [String: CriterionResult]?
    public var alignment: AlignmentScores
    /// Dead latents [in A, in B] on the profiling tokens (when profiled).
    public var dead: [Int]?
    /// e.g. "certified sparse Jonker-Volgenant".
    public var method: String
    public var seconds: Double?
    /// Inputs' identity, seedscope version, …
    public var provenance: [String: String]?

    public init(seeds: [Int], latents: [Int], threshold: Double, criteria: [String: CriterionResult],
                criteriaAlive: [String: CriterionResult]? = nil, alignment: AlignmentScores, dead: [Int]? = nil,
                method: String, seconds: Double? = nil, provenance: [String: String]? = nil) {
        self.seeds = seeds; self.latents = latents; self.threshold = threshold; self.criteria = criteria
        self.criteriaAlive = criteriaAlive; self.alignment = alignment; self.dead = dead; self.method = method
        self.seconds = seconds; self.provenance = provenance
    }
}

/// `consensus/consensus.json`, written by the consensus phase. Schema `seedscope.consensus/1`.
public struct ConsensusSummary: Codable, Sendable, Equatable {
    public static let schemaID = "seedscope.consensus/1"

    /// One base SAE's distribution: `shared_in[j]` = number of its latents shared (criterion
    /// `criterion`, pairwise, not a clique) with exactly j of the other N−1 SAEs; j = 0 is "only in 1",
    /// j = N−1 is "in all N". Sums to `latents`.
    public struct Base: Codable, Sendable, Equatable {
        public var seed: Int
        public var latents: Int
        public var sharedIn: [Int]
        public var dead: Int?
        public init(seed: Int, latents: Int, sharedIn: [Int], dead: Int? = nil) {
            self.seed = seed; self.latents = latents; self.sharedIn = sharedIn; self.dead = dead
        }
    }

    public var schema: String = ConsensusSummary.schemaID
    public var seeds: [Int]
    public var threshold: Double
    /// The criterion used (normally "shared").
    public var criterion: String
    public var bases: [Base]
    /// PW-MCC: decoder alignment score averaged over all pairs.
    public var pwMcc: Double
    public var provenance: [String: String]?

    public init(seeds: [Int], threshold: Double, criterion: String, bases: [Base], pwMcc: Double, provenance: [String: String]? = nil) {
        self.seeds = seeds; self.threshold = threshold; self.criterion = criterion; self.bases = bases
        self.pwMcc = pwMcc; self.provenance = provenance
    }
}

/// `seed<N>/profile/summary.json`, written by the profile phase. Schema `seedscope.profile-summary/1`.
public struct ProfileSummary: Codable, Sendable, Equatable {
    public static let schemaID = "seedscope.profile-summary/1"
    public var schema: String = ProfileSummary.schemaID
    public var seed: Int
    public var latents: Int
    /// Tokens the profile was computed on.
    public var tokens: Int
    /// Latents that never fired on those tokens.
    public var dead: Int
    /// Mean number of active latents per token (L0).
    public var meanL0: Double?
    public init(seed: Int, latents: Int, tokens: Int, dead: Int, meanL0: Double? = nil) {
        self.seed = seed; self.latents = latents; self.tokens = tokens; self.dead = dead; self.meanL0 = meanL0
    }
}

/// `seed<N>/checkpoint/metrics.json`, written by the train phase (native or external).
/// Schema `seedscope.train-metrics/1`; every field optional except the schema.
public struct TrainMetrics: Codable, Sendable, Equatable {
    public static let schemaID = "seedscope.train-metrics/1"
    public var schema: String = TrainMetrics.schemaID
    public var steps: Int?
    public var tokens: Int?
    public var finalLoss: Double?
    /// Fraction of variance unexplained on held-out rows.
    public var fvu: Double?
    public var deadFraction: Double?
    public var seconds: Double?
    /// How the checkpoint was produced: "native", "external", "import".
    public var source: String?
    /// The command of an external trainer.
    public var command: String?
    /// The folder an imported checkpoint was copied from.
    public var importedFrom: String?
    /// Fraction of the dataset's ground-truth features (synthetic data from `seedscope generate`) that
    /// this SAE recovers: some decoder row with cosine > 0.9.
    public var groundTruthRecovered: Double?
    public init(steps: Int? = nil, tokens: Int? = nil, finalLoss: Double? = nil, fvu: Double? = nil, deadFraction: Double? = nil,
                seconds: Double? = nil, source: String? = nil, command: String? = nil, importedFrom: String? = nil) {
        self.steps = steps; self.tokens = tokens; self.finalLoss = finalLoss; self.fvu = fvu
        self.deadFraction = deadFraction; self.seconds = seconds; self.source = source; self.command = command
        self.importedFrom = importedFrom
    }
}

extension PairSummary { public static let fileName = "summary.json" }
extension ConsensusSummary { public static let fileName = "consensus.json" }
extension ProfileSummary { public static let fileName = "summary.json" }
extension TrainMetrics { public static let fileName = "metrics.json" }
