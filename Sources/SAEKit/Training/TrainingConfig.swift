import Foundation

/// The optimizer of a training run (reference/formats.md §1.7).
public enum TrainingOptimizer: String, Codable, Sendable, CaseIterable {
    /// Adam β=(0.9, 0.999), ε=1e-8, linear warm-up then linear decay to 0 (sparsify `--optimizer adam`).
    case adam
    /// SignSGD wrapped in Schedule-Free with β=0.95, constant lr (sparsify's default `signum`).
    /// Saved weights are the Schedule-Free average x.
    case signum
}

/// Everything that defines a training run except the data and the seeds. Stored in every
/// checkpoint and in each SAE's cfg.json, so a run can be resumed and reproduced.
public struct TrainingConfig: Codable, Sendable, Equatable {
    /// topk, batchtopk, relu or jumprelu.
    public var architecture: SAEArchitecture = .topk
    /// Number of latents m.
    public var latents: Int = 4608
    /// Active latents per token (topk; average per token for batchtopk).
    public var k: Int = 32
    /// Optimizer steps.
    public var steps: Int = 1000
    /// Tokens per batch B.
    public var batchSize: Int = 1024
    /// Learning rate; nil → `TrainingConfig.defaultLearningRate`.
    public var learningRate: Double? = nil
    public var optimizer: TrainingOptimizer = .adam
    /// Adam linear warm-up steps; nil → min(1000, steps/10).
    public var warmupSteps: Int? = nil
    /// Shuffle seed fixing the data order (identical for every init seed).
    public var shuffleSeed: UInt64 = 42
    /// AuxK coefficient α (Gao et al.: 1/32; sparsify's CLI default 0). TopK/BatchTopK only.
    public var auxkAlpha: Double = 1.0 / 32.0
    /// A latent is dead when it has not fired for this many tokens; nil → min(10M, max(B, total/10)).
    public var deadTokens: Int? = nil
    /// L1 coefficient λ (relu) or L0 coefficient (jumprelu), in SAELens units (see DECISIONS.md).
    public var sparsityCoefficient: Double = 5.0
    /// Steps of linear λ warm-up (relu/jumprelu); nil → 5% of steps (Anthropic April update).
    public var sparsityWarmupSteps: Int? = nil
    /// JumpReLU rectangle-kernel bandwidth ε, in units of the input scale u (SAELens 0.05).
    public var jumpBandwidth: Double = 0.05
    /// JumpReLU initial threshold θ₀, in units of the input scale u (SAELens 0.01).
    public var jumpInitialThreshold: Double = 0.01
    /// BatchTopK inference-threshold EMA decay (SAELens: 0.99 from step 0).
    public var thresholdDecay: Double = 0.99
    /// Write a resumable checkpoint every this many steps (0: only at the end).
    public var checkpointEvery: Int = 0

    public init() {}

    /// Sparsify's width scaling: Adam 2e-4/√(m/2¹⁴) (Gao et al. Fig. 3), signum 5e-3/√(m/2¹⁴).
    public static func defaultLearningRate(optimizer: TrainingOptimizer, latents: Int) -> Double {
        let s = (Double(latents) / 16384).squareRoot()
        return (optimizer == .adam ? 2e-4 : 5e-3) / s
    }

    /// The learning rate actually used.
    public var lr: Double { learningRate ?? Self.defaultLearningRate(optimizer: optimizer, latents: latents) }
    /// The warm-up actually used.
    public var warmup: Int { warmupSteps ?? min(1000, steps / 10) }
    /// The λ warm-up actually used.
    public var sparsityWarmup: Int { sparsityWarmupSteps ?? max(1, steps / 20) }
    /// The dead threshold actually used, in tokens.
    public var deadThreshold: Int { deadTokens ?? min(10_000_000, max(batchSize, steps * batchSize / 10)) }

    /// Learning rate at `step` (0-based): Adam linear warm-up over `warmup` steps then linear decay to 0
    /// at `steps` (transformers `get_linear_schedule_with_warmup`, as sparsify); signum is constant.
    public func learningRate(at step: Int) -> Double {
        if optimizer == .signum { return lr }
        let w = warmup
        if step < w { return lr * Double(step + 1) / Double(w) }
        return lr * max(0, Double(steps - step) / Double(max(1, steps - w)))
    }

    /// λ at `step`: SAELens CoefficientScheduler, λ·min((t+1)/T_w, 1).
    public func sparsityCoefficient(at step: Int) -> Double {
        sparsityCoefficient * min(Double(step + 1) / Double(sparsityWarmup), 1)
    }

    /// Checks ranges; throws `.usage` with one line.
    public func validate(dim: Int) throws {
        func bad(_ s: String) -> SeedScopeError { .usage(s) }
        guard latents > 0 else { throw bad("--latents must be positive") }
        guard steps > 0 else { throw bad("--steps must be positive") }
        guard batchSize > 0 else { throw bad("--batch must be positive") }
        if architecture == .topk || architecture == .batchtopk {
            guard k > 0 && k <= latents else { throw bad("--k must be in 1...\(latents)") }
        }
        guard architecture != .gated else { throw bad("gated SAEs are not trainable in seedscope (use topk, batchtopk, relu or jumprelu)") }
        guard lr > 0 && lr.isFinite else { throw bad("--lr must be positive") }
        guard dim > 0 else { throw bad("data has zero width") }
    }

    /// JSON form (ordered keys) for cfg.json and checkpoints.
    public var json: JSONValue {
        var kv: [(String, JSONValue)] = [
            ("architecture", .string(architecture.rawValue)), ("latents", .int(Int64(latents))),
            ("k", .int(Int64(k))), ("steps", .int(Int64(steps))), ("batch_size", .int(Int64(batchSize))),
            ("lr", .double(lr)), ("optimizer", .string(optimizer.rawValue)), ("warmup_steps", .int(Int64(warmup))),
            ("shuffle_seed", .int(Int64(bitPattern: shuffleSeed))), ("auxk_alpha", .double(auxkAlpha)),
            ("dead_tokens", .int(Int64(deadThreshold))), ("sparsity_coefficient", .double(sparsityCoefficient)),
            ("sparsity_warmup_steps", .int(Int64(sparsityWarmup))), ("jump_bandwidth", .double(jumpBandwidth)),
            ("jump_initial_threshold", .double(jumpInitialThreshold)), ("threshold_decay", .double(thresholdDecay)),
            ("checkpoint_every", .int(Int64(checkpointEvery))),
        ]
        if learningRate == nil { kv.append(("lr_default", .bool(true))) }
        return .object(kv)
    }

    /// Parses `json` (as written by `json`); every key is required except `lr_default`.
    public init(json j: JSONValue, file: String) throws {
        func req<T>(_ key: String, _ f: (JSONValue) -> T?) throws -> T {
            guard let v = j[key], let t = f(v) else { throw SeedScopeError.invalid(file: file, message: "training config lacks a valid \"\(key)\"") }
            return t
        }
        let a: String = try req("architecture") { $0.stringValue }
        guard let arch = SAEArchitecture(rawValue: a) else { throw SeedScopeError.invalid(file: file, message: "unknown architecture \"\(a)\"") }
        architecture = arch
        latents = Int(try req("latents") { $0.intValue })
        k = Int(try req("k") { $0.intValue })
        steps = Int(try req("steps") { $0.intValue })
        batchSize = Int(try req("batch_size") { $0.intValue })
        learningRate = try req("lr") { $0.doubleValue }
        let o: String = try req("optimizer") { $0.stringValue }
        guard let opt = TrainingOptimizer(rawValue: o) else { throw SeedScopeError.invalid(file: file, message: "unknown optimizer \"\(o)\"") }
        optimizer = opt
        warmupSteps = Int(try req("warmup_steps") { $0.intValue })
        shuffleSeed = UInt64(bitPattern: try req("shuffle_seed") { $0.intValue })
        auxkAlpha = try req("auxk_alpha") { $0.doubleValue }
        deadTokens = Int(try req("dead_tokens") { $0.intValue })
        sparsityCoefficient = try req("sparsity_coefficient") { $0.doubleValue }
        sparsityWarmupSteps = Int(try req("sparsity_warmup_steps") { $0.intValue })
        jumpBandwidth = try req("jump_bandwidth") { $0.doubleValue }
        jumpInitialThreshold = try req("jump_initial_threshold") { $0.doubleValue }
        thresholdDecay = try req("threshold_decay") { $0.doubleValue }
        checkpointEvery = Int(try req("checkpoint_every") { $0.intValue })
    }
}
