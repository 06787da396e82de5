import Foundation

/// Metrics of one training step of one seed (written to train.jsonl and the progress object).
public struct StepMetrics: Sendable, Equatable {
    /// 1-based step number (after the update).
    public var step: Int
    public var learningRate: Double
    /// Reconstruction FVU of the batch (sparsify: Σe² / Σ(x − x̄)²), before the update.
    public var fvu: Double
    /// Mean active latents per token.
    public var l0: Double
    /// Fraction of latents that have not fired for `deadThreshold` tokens.
    public var deadFraction: Double
    /// AuxK loss (before α), 0 when no latent is dead or α = 0.
    public var auxkLoss: Double
    /// Sparsity penalty term (relu: weighted L1; jumprelu: L0), already multiplied by λ(t)/d.
    public var sparsityLoss: Double
    /// Total loss that was differentiated.
    public var loss: Double
}

/// The trainable state of one seed's SAE: parameters, optimizer state, dead counters and the
/// scalars that the first batch fixes. One `SeedTrainer` per init seed; all seeds of a run see the
/// same batches.
final class SeedTrainer: @unchecked Sendable {
    let seed: UInt64
    let config: TrainingConfig
    let d: Int
    let m: Int
    /// encoder.weight [m×d]
    let enc: ParamTensor
    /// encoder.bias [m]
    let encB: ParamTensor
    /// W_dec [m×d]
    let dec: ParamTensor
    /// b_dec [d]
    let decB: ParamTensor
    /// log θ [m] (jumprelu only; nil otherwise)
    let logTheta: ParamTensor?
    /// Optimizer steps done.
    var step: Int = 0
    /// Tokens since each latent last fired (sparsify `num_tokens_since_fired`).
    var tokensSinceFired: [Int64]
    /// BatchTopK inference threshold (EMA of the batch's minimum selected activation).
    var batchThreshold: Double? = nil
    /// Input scale u = RMS per-dimension deviation of the first batch (units of the JumpReLU
    /// bandwidth/threshold and of the sparsity penalties); 0 until the first batch.
    var inputScale: Double = 0
    /// Schedule-Free Σ lr² so far.
    var sfWeightSum: Double = 0

    /// Whether decoder rows are kept at unit norm with gradient projection (all but relu, which
    /// follows the April update: free decoder norms, penalty weighted by them).
    var normalizeDecoder: Bool { config.architecture != .relu }
    var params: [ParamTensor] { [enc, encB, dec, decB] + (logTheta.map { [$0] } ?? []) }

    /// Fresh weights from `seed` (the init seed alone decides them; reference/formats.md §1.5):
    /// topk/batchtopk/jumprelu: encoder ~ U(±1/√d) (PyTorch nn.Linear), decoder = encoder rows at
    /// unit norm, biases 0. relu (April update): decoder rows = random Gaussian directions at norm 0.1,
    /// encoder = the same rows (W_enc = W_decᵀ), biases 0.
    init(seed: UInt64, config: TrainingConfig, dim: Int) {
        self.seed = seed; self.config = config; d = dim; m = config.latents
        let sparse = config.architecture == .topk || config.architecture == .batchtopk
        enc = ParamTensor(name: "encoder.weight", rows: m, cols: d, sparseRows: sparse)
        encB = ParamTensor(name: "encoder.bias", rows: m, cols: 1, sparseRows: sparse)
        dec = ParamTensor(name: "W_dec", rows: m, cols: d, sparseRows: sparse)
        decB = ParamTensor(name: "b_dec", rows: 1, cols: d, sparseRows: false)
        logTheta = config.architecture == .jumprelu ? ParamTensor(name: "log_threshold", rows: m, cols: 1, sparseRows: false) : nil
        tokensSinceFired = [Int64](repeating: 0, count: m)
        var rng = SeededRNG(seed: seed)
        if config.architecture == .relu {
            for i in 0..<m {
                var row = rng.gaussians(d)
                let n = Float(Vec.sumSquares(row, d).squareRoot())
                for j in 0..<d { row[j] = row[j] / max(n, .leastNormalMagnitude) * 0.1 }
                for j in 0..<d { dec.value[i * d + j] = row[j]; enc.value[i * d + j] = row[j] }
            }
        } else {
            let bound = 1 / Float(d).squareRoot()
            for j in 0..<(m * d) { enc.value[j] = (2 * rng.nextFloat() - 1) * bound }
            for i in 0..<m {
                let n = Float(Vec.sumSquares(enc.value.p + i * d, d).squareRoot())
                for j in 0..<d { dec.value[i * d + j] = enc.value[i * d + j] / (n + Float.ulpOfOne) }
            }
        }
        if config.optimizer == .signum { for t in params { t.s1.p.update(from: t.value.p, count: t.count) } }
    }

    /// First-batch initialisation (sparsify: b_dec = mean of the first batch) and the input scale.
    func initialiseFromFirstBatch(mean: [Float], totalVariance: Double, tokens: Int) {
        decB.value.set(mean)
        inputScale = (totalVariance / Double(max(tokens * d, 1))).squareRoot()
        if let lt = logTheta {
            let theta0 = Float(log(config.jumpInitialThreshold * max(inputScale, 1e-12)))
            for i in 0..<m { lt.value[i] = theta0 }
        }
        if config.optimizer == .signum { for t in params { t.s1.p.update(from: t.value.p, count: t.count) } }
    }

    /// Rescales decoder rows to unit norm in place (before every forward pass, as sparsify does).
    func renormaliseDecoder() {
        let p = dec.value.p, d = self.d
        TrainParallel.forRanges(m) { range in
            for i in range {
                let row = p + i * d
                let n = Float(Vec.sumSquares(row, d).squareRoot())
                let s = 1 / (n + Float.ulpOfOne)
                for j in 0..<d { row[j] *= s }
            }
        }
    }

    /// Applies the optimizer to every parameter for the step just computed, then advances `step`.
    func optimizerStep() {
        let lr = config.learningRate(at: step)
        switch config.optimizer {
        case .adam:
            for t in params { TrainOptimizerKernels.adam(t, lr: lr, step: step + 1) }
        case .signum:
            sfWeightSum += lr * lr
            let c = lr * lr / sfWeightSum
            for t in params { TrainOptimizerKernels.scheduleFreeSign(t, lr: lr, c: c) }
        }
        step += 1
    }

    /// Dead-latent mask from the counters.
    func deadMask() -> [Bool] {
        let th = Int64(config.deadThreshold)
        return tokensSinceFired.map { $0 > th }
    }

    /// The weights to save/evaluate (Schedule-Free: the average x; Adam: the parameters).
    func currentWeights(_ t: ParamTensor) -> [Float] {
        config.optimizer == .signum ? TrainOptimizerKernels.scheduleFreeAverage(t) : t.value.array
    }

    /// The SAE as it would be saved now. relu: decoder norms are folded into the encoder
    /// (SAELens `fold_W_dec_norm`), so decoder rows are unit and activations scale by ‖W_dec,i‖.
    func currentSAE() -> SparseAutoencoder {
        var e = Matrix(rows: m, cols: d, data: currentWeights(enc))
        var eb = currentWeights(encB)
        var dm = Matrix(rows: m, cols: d, data: currentWeights(dec))
        let db = currentWeights(decB)
        var thresholds: [Float]? = nil
        if let lt = logTheta { thresholds = currentWeights(lt).map { Float(exp(Double($0))) } }
        if config.architecture == .relu {
            let norms = dm.normalizeRows()
            for i in 0..<m where norms[i] > 0 && norms[i].isFinite {
                for j in 0..<d { e[i, j] *= norms[i] }
                eb[i] *= norms[i]
            }
        }
        var info = SAEInfo()
        info.seed = Int(truncatingIfNeeded: seed)
        info.name = "seed\(seed)"
        return SparseAutoencoder(encoder: e, encoderBias: eb, decoder: dm, decoderBias: db,
                                 architecture: config.architecture,
                                 k: (config.architecture == .topk || config.architecture == .batchtopk) ? config.k : nil,
                                 thresholds: thresholds, batchThreshold: batchThreshold.map { Float($0) },
                                 subtractDecoderBias: true, info: info)
    }
}
