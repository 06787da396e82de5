import Foundation

/// Reconstruction quality of an SAE on activations.
public struct SAEEvalResult: Sendable, Equatable {
    /// Tokens evaluated.
    public var tokens: Int
    /// Σ‖x − x̂‖² over all tokens (Double).
    public var sumSquaredError: Double
    /// Σ‖x − x̄‖² over all tokens, x̄ the mean over all evaluated tokens (Double).
    public var totalVariance: Double
    /// Mean number of non-zero latents per token.
    public var l0: Double
    /// Latents that never fired (activation > 0) on any evaluated token.
    public var deadLatents: Int
    /// Number of latents m.
    public var numLatents: Int
    /// Width d.
    public var dim: Int
    /// Tokens on which each latent fired, `[m]`.
    public var fireCounts: [Int]

    /// Fraction of variance unexplained, as sparsify defines it: summed squared error over summed
    /// squared deviation from the mean, both over all tokens (reference/formats.md §1.6).
    public var fvu: Double { sumSquaredError / totalVariance }
    /// 1 − FVU.
    public var fractionVarianceExplained: Double { 1 - fvu }
    /// Mean squared error per element: Σ‖x − x̂‖² / (tokens·d).
    public var mse: Double { sumSquaredError / Double(max(tokens * dim, 1)) }
    /// Mean squared error per token: Σ‖x − x̂‖² / tokens.
    public var msePerToken: Double { sumSquaredError / Double(max(tokens, 1)) }
    /// deadLatents / m.
    public var deadFraction: Double { Double(deadLatents) / Double(max(numLatents, 1)) }
}

/// Streams activations through an SAE and accumulates reconstruction metrics.
public enum SAEEvaluator {
    /// Evaluates `sae` on `rows` of `source` (in order; e.g. `ActivationDataset.usableRows`), in blocks
    /// of `blockRows`. The FVU denominator needs the mean over *all* evaluated tokens; it is computed in
    /// one pass by merging per-block means and squared deviations (Chan, Golub & LeVeque 1979) in
    /// Double, which equals the two-pass value without re-reading the data.
    /// - Complexity: O(N·m·d) for the encoder, O(N·d) for the statistics; memory O(blockRows·m).
    public static func evaluate(_ sae: SparseAutoencoder, source: ActivationSource, rows: [Int],
                                blockRows: Int = 1024, progress: ((Int) -> Void)? = nil) throws -> SAEEvalResult {
        let d = source.dim
        guard d == sae.dIn else {
            throw SeedScopeError.invalid(file: sae.info.path, message: "SAE expects d=\(sae.dIn) but the activations have d=\(d)")
        }
        var mean = [Double](repeating: 0, count: d)
        var m2 = [Double](repeating: 0, count: d)
        var n = 0
        var sse = 0.0
        var active = 0
        var fires = [Int](repeating: 0, count: sae.numLatents)
        var start = 0
        while start < rows.count {
            let block = Array(rows[start..<min(start + max(blockRows, 1), rows.count)])
            let x = try readRuns(source, block)
            let out = sae.forward(x)
            let nb = block.count
            // Block statistics in Double, then Chan's merge.
            var bmean = [Double](repeating: 0, count: d)
            x.data.withUnsafeBufferPointer { p in
                for r in 0..<nb { for j in 0..<d { bmean[j] += Double(p[r * d + j]) } }
            }
            for j in 0..<d { bmean[j] /= Double(nb) }
            var bm2 = [Double](repeating: 0, count: d)
            var bsse = 0.0
            x.data.withUnsafeBufferPointer { p in
                out.reconstruction.data.withUnsafeBufferPointer { q in
                    for r in 0..<nb {
                        for j in 0..<d {
                            let v = Double(p[r * d + j])
                            let dev = v - bmean[j]
                            bm2[j] += dev * dev
                            let e = v - Double(q[r * d + j])
                            bsse += e * e
                        }
                    }
                }
            }
            let total = Double(n + nb)
            for j in 0..<d {
                let delta = bmean[j] - mean[j]
                mean[j] += delta * Double(nb) / total
                m2[j] += bm2[j] + delta * delta * Double(n) * Double(nb) / total
            }
            n += nb
            sse += bsse
            let c = out.codes
            for r in 0..<c.rows {
                for s in 0..<c.k where c.values[r * c.k + s] > 0 {
                    active += 1
                    fires[Int(c.indices[r * c.k + s])] += 1
                }
            }
            start += nb
            progress?(n)
        }
        let variance = m2.reduce(0, +)
        guard sse.isFinite, variance.isFinite else {
            throw SeedScopeError.invalid(file: (source as? ActivationDataset)?.path ?? sae.info.path,
                                         message: "non-finite activations or reconstructions (NaN/inf in the data or the SAE)")
        }
        return SAEEvalResult(tokens: n, sumSquaredError: sse, totalVariance: variance,
                             l0: n > 0 ? Double(active) / Double(n) : 0, deadLatents: fires.filter { $0 == 0 }.count,
                             numLatents: sae.numLatents, dim: d, fireCounts: fires)
    }

    /// Reads `rows` (sorted or not) into a matrix, one `readRows` call per contiguous run.
    static func readRuns(_ source: ActivationSource, _ rows: [Int]) throws -> Matrix {
        let d = source.dim
        var x = Matrix(rows: rows.count, cols: d)
        try x.data.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i < rows.count {
                var j = i + 1
                while j < rows.count, rows[j] == rows[j - 1] + 1 { j += 1 }
                try source.readRows(rows[i]..<(rows[j - 1] + 1), into: p.baseAddress! + i * d)
                i = j
            }
        }
        return x
    }
}
