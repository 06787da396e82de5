import Foundation
import Testing
@testable import SAEKit

/// A minimal ground-truth generator: `features` random unit directions in ℝ^d, feature i fires
/// with probability p_i ∝ (i+1)^−α scaled so the mean number of active features is `l0`, with
/// magnitude U(0.5, 1.5), plus Gaussian noise. (The data engineer's generator is the full one.)
struct TinyFeatureData {
    let directions: Matrix
    let activations: Matrix

    init(d: Int, features: Int, l0: Double, rows: Int, alpha: Double = 0.5, noise: Float = 0.01, seed: UInt64) {
        var rng = SeededRNG(seed: seed)
        var dirs = Matrix(rows: features, cols: d, data: rng.gaussians(features * d))
        dirs.normalizeRows()
        let raw = (0..<features).map { pow(Double($0 + 1), -alpha) }
        let s = l0 / raw.reduce(0, +)
        let p = raw.map { min(1, $0 * s) }
        var x = Matrix(rows: rows, cols: d)
        for n in 0..<rows {
            for i in 0..<features where rng.nextDouble() < p[i] {
                let a = 0.5 + rng.nextFloat()
                for j in 0..<d { x[n, j] += a * dirs[i, j] }
            }
            for j in 0..<d { x[n, j] += noise * rng.nextGaussian() }
        }
        directions = dirs; activations = x
    }

    /// Fraction of true features whose best-matching decoder row has cosine > `threshold`.
    func recovered(by sae: SparseAutoencoder, threshold: Float = 0.9) -> Double {
        let sims = BLAS.matmul(directions, sae.decoder.rowNormalized(), transB: true)
        var hit = 0
        for i in 0..<sims.rows {
            var best: Float = -1
            for j in 0..<sims.cols { best = max(best, sims[i, j]) }
            if best > threshold { hit += 1 }
        }
        return Double(hit) / Double(sims.rows)
    }
}

@Suite("Trainer ground truth")
struct TrainerGroundTruthTests {
    static let data = TinyFeatureData(d: 32, features: 128, l0: 4, rows: 40_000, seed: 5)

    func train(_ cfg: TrainingConfig, seed: UInt64 = 0) throws -> (SparseAutoencoder, TrainingResult) {
        let src = InMemoryActivations(Self.data.activations)
        let rows = Array(0..<src.rowCount)
        let td = TrainingData(source: src, trainRows: Array(rows[0..<36_000]), evalRows: Array(rows[36_000...]))
        let out = TestPaths.tempDir("gt")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try TrainingRun(config: cfg, seeds: [seed], data: td, outDir: out)
        let res = try run.run()
        let sae = try SAELoader.load(out.appendingPathComponent("seed\(seed)"))
        return (sae, res)
    }

    @Test func topKRecoversFeatures() throws {
        print("ground truth: generator seed 5, init seed 0, shuffle seed 42")
        var cfg = TrainingConfig()
        cfg.architecture = .topk; cfg.latents = 256; cfg.k = 4; cfg.steps = 2500; cfg.batchSize = 256
        cfg.learningRate = 4e-3
        let (sae, res) = try train(cfg)
        let rec = Self.data.recovered(by: sae)
        let h = try #require(res.seeds[0].heldOut)
        print("topk: recovered \(rec) of 128 true features at cos > 0.9; held-out FVU \(h.fvu), L0 \(h.l0), dead \(h.deadFraction)")
        #expect(rec >= 0.9)
        #expect(h.fvu < 0.3)
    }

    @Test func reluL1RecoversFeaturesAtMatchedL0() throws {
        var cfg = TrainingConfig()
        cfg.architecture = .relu; cfg.latents = 256; cfg.steps = 2500; cfg.batchSize = 256
        cfg.learningRate = 4e-3; cfg.sparsityCoefficient = 5.5
        let (sae, res) = try train(cfg)
        let rec = Self.data.recovered(by: sae)
        let h = try #require(res.seeds[0].heldOut)
        print("relu+L1: recovered \(rec) of 128 true features at cos > 0.9; held-out FVU \(h.fvu), L0 \(h.l0)")
        #expect(h.l0 < 6, "L0 should be near the true 4 (TopK k=4)")
        #expect(rec >= 0.75)
    }
}
