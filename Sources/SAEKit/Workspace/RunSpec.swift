import Foundation

/// How the seeds of a run get their checkpoints.
public enum RunKind: String, Codable, Sendable, CaseIterable {
    /// Trained here by the native trainer (`PhaseExecutors.train`).
    case native
    /// Existing checkpoints (sparsify / SAELens / Gemma Scope folders), referenced or copied.
    case imported
    /// Trained by an external command per seed (torchrun, sbatch, …); its output is imported.
    case external
}

/// The pipeline phases. A run is train (or import) each seed → profile each seed → match every pair →
/// consensus.
public enum Phase: String, Codable, Sendable, CaseIterable, Comparable {
    case train, profile, match, consensus
    public static func < (a: Phase, b: Phase) -> Bool { a.order < b.order }
    var order: Int { Phase.allCases.firstIndex(of: self)! }
}

/// The external trainer command of an `external` run.
public struct ExternalTrainer: Codable, Sendable, Equatable {
    /// A `/bin/sh -c` template. Placeholders: `{seed}` `{out}` `{data}` `{k}` `{latents}` `{steps}`
    /// `{run}` `{workdir}`. Values with shell-special characters are inserted single-quoted; the same
    /// values are also exported as `SEEDSCOPE_SEED`, `SEEDSCOPE_OUT`, … .
    public var command: String
    /// The command's working directory (the directory `run create` was called from).
    public var cwd: String
    public init(command: String, cwd: String) { self.command = command; self.cwd = cwd }
}

/// Where an imported seed's checkpoint comes from.
public struct ImportSource: Codable, Sendable, Equatable {
    public var seed: Int
    /// Absolute path of the checkpoint folder (or file).
    public var path: String
    /// Copy into the workspace (true) or reference in place (false).
    public var copy: Bool
    public init(seed: Int, path: String, copy: Bool) { self.seed = seed; self.path = path; self.copy = copy }
}

/// `runs/<name>/run.json`: what a run is. Written once by `run create` / `import` (imports may add
/// seeds); everything the phases need to reproduce their results.
public struct RunSpec: Codable, Sendable, Equatable {
    public static let currentVersion = 1
    public var version: Int = RunSpec.currentVersion
    public var name: String
    public var created: Date
    public var kind: RunKind
    /// Activation dataset (safetensors) used for training and profiling; nil for imports without data
    /// (then there is no profile phase).
    public var dataset: String?
    /// Architecture name (`SAEArchitecture` raw value: topk, batchtopk, relu, jumprelu, gated).
    public var architecture: String
    /// TopK's k.
    public var k: Int?
    /// Number of latents m.
    public var latents: Int?
    /// Training steps.
    public var steps: Int?
    /// Other hyper-parameters by name (`lr`, `batch_size`, `auxk_alpha`, `l1_coefficient`, …).
    public var hyper: [String: Double]
    public var seeds: [Int]
    /// The "shared" threshold on matched cosines (paper: 0.7).
    public var threshold: Double
    /// Phases this run executes (default all; profile only when there is a dataset).
    public var phases: [Phase]
    /// Queue priority: higher runs first.
    public var priority: Int
    public var external: ExternalTrainer?
    public var imports: [ImportSource]

    public init(name: String, kind: RunKind, dataset: String? = nil, architecture: String = "topk", k: Int? = nil,
                latents: Int? = nil, steps: Int? = nil, hyper: [String: Double] = [:], seeds: [Int],
                threshold: Double = 0.7, phases: [Phase]? = nil, priority: Int = 0,
                external: ExternalTrainer? = nil, imports: [ImportSource] = [], created: Date = Date()) {
        self.name = name; self.kind = kind; self.dataset = dataset; self.architecture = architecture
        self.k = k; self.latents = latents; self.steps = steps; self.hyper = hyper; self.seeds = seeds
        self.threshold = threshold; self.priority = priority; self.external = external; self.imports = imports
        self.created = created
        self.phases = phases ?? Phase.allCases.filter { $0 != .profile || dataset != nil }
    }

    /// Checks the spec is runnable; throws a one-line usage error naming the run otherwise.
    public func validate() throws {
        func bad(_ m: String) -> SeedScopeError { .usage("run \(name): \(m)") }
        guard Workspace.isValidRunName(name) else { throw bad("invalid name (letters, digits, . _ - only)") }
        guard !seeds.isEmpty else { throw bad("no seeds") }
        guard Set(seeds).count == seeds.count else { throw bad("duplicate seeds") }
        guard seeds.allSatisfy({ $0 >= 0 }) else { throw bad("seeds must be non-negative") }
        guard SAEArchitecture(rawValue: architecture) != nil else { throw bad("unknown architecture \"\(architecture)\"") }
        guard threshold > -1, threshold < 1 else { throw bad("threshold must be in (-1, 1)") }
        if phases.contains(.profile), dataset == nil { throw bad("the profile phase needs a dataset (--data)") }
        switch kind {
        case .native:
            guard dataset != nil else { throw bad("training needs a dataset (--data)") }
            guard let m = latents, m > 0 else { throw bad("training needs --latents > 0") }
            if architecture == "topk" || architecture == "batchtopk" {
                guard let k, k > 0, k <= m else { throw bad("topk needs 0 < k <= latents") }
            }
            guard let s = steps, s > 0 else { throw bad("training needs --steps > 0") }
        case .external:
            guard let e = external, !e.command.trimmingCharacters(in: .whitespaces).isEmpty else { throw bad("external run without a command") }
            guard e.command.contains("{out}") else { throw bad("the external command must contain {out} (where it writes its checkpoint)") }
        case .imported:
            for s in seeds where !imports.contains(where: { $0.seed == s }) { throw bad("seed \(s) has no import source") }
        }
    }

    /// Unordered seed pairs (a < b in `seeds` order), the matching jobs.
    public var pairs: [SeedPair] {
        var out: [SeedPair] = []
        for i in seeds.indices { for j in seeds.indices where j > i { out.append(SeedPair(a: seeds[i], b: seeds[j])) } }
        return out
    }
}

/// Two seeds of one run, matched as A against B.
public struct SeedPair: Codable, Sendable, Hashable, CustomStringConvertible {
    public var a: Int
    public var b: Int
    public init(a: Int, b: Int) { self.a = a; self.b = b }
    public var description: String { "\(a)-\(b)" }
}
