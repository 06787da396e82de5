import Foundation

/// Held-out quality of an SAE on a set of activation rows.
public struct HeldOutMetrics: Sendable, Equatable {
    /// sparsify's FVU over all rows at once: Σe² / Σ(x − x̄)² (x̄ over all evaluated rows).
    public var fvu: Double
    /// Mean active latents per token.
    public var l0: Double
    /// Fraction of latents that never fired on these rows.
    public var deadFraction: Double
    /// Rows evaluated.
    public var tokens: Int
}

/// Inference-mode encoding of each trainable architecture, and held-out evaluation.
public enum TrainingEvaluation {
    /// Dense latent activations `[B × m]` of `x` with the SAE's inference rule: topk (ReLU then top-k),
    /// batchtopk (pre·1[pre > θ_batch], Bussmann et al.; top-k when no threshold was learned), relu,
    /// jumprelu (pre·1[pre > θ_i]).
    /// - Complexity: one sgemm O(B·m·d) plus O(B·m).
    public static func denseActivations(_ sae: SparseAutoencoder, _ x: Matrix) -> Matrix {
        var pre = sae.preActivations(x)
        let m = sae.numLatents
        switch sae.architecture {
        case .topk, .batchtopk:
            if sae.architecture == .batchtopk, let t = sae.batchThreshold {
                for j in 0..<pre.data.count where !(pre.data[j] > t) { pre.data[j] = 0 }
            } else {
                let codes = SparseAutoencoder.topK(pre, k: sae.k ?? 1)
                pre = Matrix(rows: x.rows, cols: m)
                for r in 0..<codes.rows {
                    for s in 0..<codes.k {
                        let i = codes.indices[r * codes.k + s]
                        if i >= 0 { pre[r, Int(i)] = codes.values[r * codes.k + s] }
                    }
                }
            }
        case .relu:
            for j in 0..<pre.data.count where !(pre.data[j] > 0) { pre.data[j] = 0 }
        case .jumprelu:
            let th = sae.thresholds ?? [Float](repeating: 0, count: m)
            for r in 0..<x.rows { for i in 0..<m where !(pre[r, i] > th[i]) { pre[r, i] = 0 } }
        case .gated:
            preconditionFailure("gated SAEs are not trained by seedscope")
        }
        return pre
    }

    /// Evaluates `sae` on `rows` of `source`, in chunks of `chunk` rows.
    /// - Complexity: O(N·m·d).
    public static func evaluate(_ sae: SparseAutoencoder, source: ActivationSource, rows: [Int],
                                chunk: Int = 1024) throws -> HeldOutMetrics {
        let d = sae.dIn, m = sae.numLatents
        var sum = [Double](repeating: 0, count: d), sumSq = 0.0, errSq = 0.0, active = 0
        var fired = [Bool](repeating: false, count: m)
        var start = 0
        while start < rows.count {
            let idx = Array(rows[start..<min(rows.count, start + chunk)])
            start += idx.count
            let x = try gatherContiguous(source, idx)
            let f = denseActivations(sae, x)
            var xhat = BLAS.matmul(f, sae.decoder)
            for r in 0..<x.rows {
                for j in 0..<d {
                    xhat[r, j] += sae.decoderBias[j]
                    let v = Double(x[r, j]), e = Double(xhat[r, j]) - v
                    errSq += e * e; sum[j] += v; sumSq += v * v
                }
                for i in 0..<m where f[r, i] != 0 { active += 1; fired[i] = true }
            }
        }
        let n = Double(max(rows.count, 1))
        let tv = sumSq - sum.reduce(0) { $0 + $1 * $1 } / n
        return HeldOutMetrics(fvu: errSq / max(tv, .leastNormalMagnitude), l0: Double(active) / n,
                              deadFraction: Double(fired.filter { !$0 }.count) / Double(m), tokens: rows.count)
    }

    /// Reads `rows` (any order) into a matrix, coalescing runs of consecutive rows into one read.
    static func gatherContiguous(_ source: ActivationSource, _ rows: [Int]) throws -> Matrix {
        var x = Matrix(rows: rows.count, cols: source.dim)
        let d = source.dim
        try x.data.withUnsafeMutableBufferPointer { p in
            var i = 0
            while i < rows.count {
                var j = i + 1
                while j < rows.count && rows[j] == rows[j - 1] + 1 { j += 1 }
                try source.readRows(rows[i]..<(rows[j - 1] + 1), into: p.baseAddress! + i * d)
                i = j
            }
        }
        return x
    }
}
