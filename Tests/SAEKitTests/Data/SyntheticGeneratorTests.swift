import Foundation
import Testing
@testable import SAEKit

@Suite struct SyntheticGeneratorTests {
    /// Observed frequencies, mean L0 and noise variance match the request within sampling error.
    @Test(arguments: [false, true]) func statisticsMatchRequest(families: Bool) throws {
        var c = SyntheticConfig()
        c.dim = 32; c.features = 64; c.meanL0 = 4; c.tokens = 40_000; c.windowLength = 50
        c.noise = 0.2; c.families = families; c.seed = 20_251_123
        print("generator statistics test, seed \(c.seed), families \(families)")
        let ds = try SyntheticGenerator.generate(c)
        let n = ds.activations.rows
        #expect(n == 40_000)
        #expect(abs(ds.truth.frequencies.reduce(0, +) - c.meanL0) < 1e-6, "expected L0 is what was asked")
        var counts = [Int](repeating: 0, count: c.features)
        for f in ds.activeFeatures { counts[Int(f)] += 1 }
        for i in 0..<c.features {
            let p = ds.truth.frequencies[i], obs = Double(counts[i]) / Double(n)
            let sd = (p * (1 - p) / Double(n)).squareRoot()
            #expect(abs(obs - p) <= 5 * sd + 1e-4, "feature \(i): observed \(obs), expected \(p)")
        }
        // Mean L0: variance of the per-row count is Σ p(1-p) for independent roots; families add
        // correlation, so allow 5 standard errors of the looser bound Σ p·(max group size).
        let l0 = Double(ds.activeFeatures.count) / Double(n)
        let varBound = ds.truth.frequencies.reduce(0) { $0 + $1 } * (families ? 2 : 1)
        #expect(abs(l0 - c.meanL0) < 5 * (varBound / Double(n)).squareRoot(), "mean L0 \(l0)")
        // Noise: residual x - signal has per-element variance σ² (chi-square, relative sd √(2/(N·d))).
        let s = ds.signal()
        var ss = 0.0
        for k in 0..<s.data.count { let r = Double(ds.activations.data[k] - s.data[k]); ss += r * r }
        let v = ss / Double(s.data.count), want = Double(c.noise * c.noise)
        #expect(abs(v / want - 1) < 5 * (2.0 / Double(s.data.count)).squareRoot(), "noise variance \(v) vs \(want)")
        // Directions are unit; children sit at childCosine to their parent.
        for i in 0..<c.features {
            let r = ds.truth.directions.row(i)
            #expect(abs(r.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
            if ds.truth.parent[i] >= 0 {
                let p = ds.truth.directions.row(ds.truth.parent[i])
                #expect(abs(zip(r, p).reduce(0) { $0 + $1.0 * $1.1 } - c.childCosine) < 1e-4)
            }
        }
        if families {
            // A child never fires without its parent in the same row.
            for r in 0..<n {
                let fs = Set(ds.activeFeatures[ds.activeStart[r]..<ds.activeStart[r + 1]].map(Int.init))
                for f in fs where ds.truth.parent[f] >= 0 { #expect(fs.contains(ds.truth.parent[f])) }
            }
        }
        // Tokens name the dominant feature.
        for r in 0..<200 {
            let range = ds.activeStart[r]..<ds.activeStart[r + 1]
            if range.isEmpty { #expect(ds.tokens[r] == SyntheticGenerator.noneTokenID); continue }
            let top = range.max { ds.activeMagnitudes[$0] < ds.activeMagnitudes[$1] }!
            #expect(ds.tokens[r] == SyntheticGenerator.tokenID(feature: Int(ds.activeFeatures[top])))
        }
    }

    /// An oracle SAE (encoder = decoder = true directions, JumpReLU threshold between the noise and
    /// the smallest magnitude) reconstructs with FVU below the noise share when the dictionary is
    /// orthogonal: it keeps the signal and only the noise along the k active directions, so
    /// FVU ≈ noise share · (1 − L0/d). With overlapping directions, interference between co-active
    /// features adds error ∝ L0·cos² (plus threshold misses); at d = 256 (cos ≈ 0.06) FVU must stay within
    /// 1.25× the noise share (measured 1.12×).
    @Test(arguments: [Float(0), Float(0.3)]) func oracleReconstructsBelowNoiseShare(maxCosine: Float) throws {
        var c = SyntheticConfig()
        let orthogonal = maxCosine == 0
        c.dim = orthogonal ? 64 : 256; c.features = orthogonal ? 48 : 128; c.meanL0 = 4; c.tokens = 8192; c.windowLength = 64
        c.noise = orthogonal ? 0.15 : 0.075; c.maxCosine = maxCosine; c.seed = 7
        let ds = try SyntheticGenerator.generate(c)
        let dirs = ds.truth.directions
        let sae = SparseAutoencoder(encoder: dirs, encoderBias: Array(repeating: 0, count: c.features), decoder: dirs,
                                    decoderBias: Array(repeating: 0, count: c.dim), architecture: .jumprelu,
                                    thresholds: Array(repeating: orthogonal ? 0.4 : 0.45, count: c.features), subtractDecoderBias: false)
        var codes = sae.preActivations(ds.activations)
        let theta: Float = orthogonal ? 0.4 : 0.45
        for k in codes.data.indices where codes.data[k] <= theta { codes.data[k] = 0 }
        let recon = BLAS.matmul(codes, sae.decoder)
        let x = ds.activations
        var mean = [Double](repeating: 0, count: c.dim)
        for r in 0..<x.rows { for j in 0..<c.dim { mean[j] += Double(x[r, j]) / Double(x.rows) } }
        var err = 0.0, tot = 0.0
        for r in 0..<x.rows {
            for j in 0..<c.dim {
                let e = Double(x[r, j] - recon[r, j]), t = Double(x[r, j]) - mean[j]
                err += e * e; tot += t * t
            }
        }
        let fvu = err / tot
        let noiseShare = Double(c.dim) * Double(c.noise * c.noise) * Double(x.rows) / tot
        print("oracle FVU \(fvu), noise share \(noiseShare), maxCosine \(maxCosine)")
        if orthogonal { #expect(fvu < noiseShare) } else { #expect(fvu < 1.25 * noiseShare) }
        // The true directions recover themselves; a random dictionary does not.
        #expect(ds.truth.recovered(directions: dirs) == 1)
        var rng = SeededRNG(seed: 99)
        let random = Matrix(rows: 256, cols: c.dim, data: rng.gaussians(256 * c.dim))
        #expect(ds.truth.recovered(directions: random, threshold: 0.9) == 0)
        if maxCosine > 0 {
            let b = ds.truth.bestCosines(directions: dirs)
            #expect(b.allSatisfy { abs($0 - 1) < 1e-5 })
        }
    }

    @Test func writtenDatasetRoundTrips() throws {
        var c = SyntheticConfig()
        c.dim = 16; c.features = 32; c.meanL0 = 3; c.tokens = 640; c.windowLength = 64; c.families = true; c.seed = 5
        let ds = try SyntheticGenerator.generate(c)
        let again = try SyntheticGenerator.generate(c)
        #expect(ds.activations == again.activations && ds.tokens == again.tokens)
        let dir = TestPaths.tempDir("gen")
        defer { try? FileManager.default.removeItem(at: dir) }
        try ds.write(to: dir)
        let back = try ActivationDataset(path: dir.path)
        #expect(back.rowCount == 640 && back.dim == 16 && back.windowLength == 64)
        #expect(try back.rows(0..<640) == ds.activations)
        #expect(back.tokens == ds.tokens)
        let tok = try back.tokenizer
        #expect(tok.modelType == .wordLevel && tok.vocabSize == 34)
        #expect(tok.decode([2, 1, 33]) == "f0 <none> f31")
        let truth = try GroundTruth.load(from: back)
        #expect(truth.directions == ds.truth.directions && truth.parent == ds.truth.parent && truth.noise == c.noise)
        #expect(truth.frequencies.map { Float($0) } == ds.truth.frequencies.map { Float($0) })
    }
}
