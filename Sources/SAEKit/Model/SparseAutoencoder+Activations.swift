/// Encoding for every architecture, dense and sparse, and the full forward pass.
///
/// The formulas are the libraries' inference code (reference/formats.md §1.4, §2.4, §3.4):
/// - topk (sparsify `fused_encoder`; SAELens `topk`): ReLU then the k largest. SAELens takes the top-k
///   of the raw pre-activations and applies ReLU afterwards; the kept values are identical.
/// - batchtopk at inference (dictionary_learning `BatchTopKSAE.encode`): ReLU(pre)·1[pre > t].
/// - relu (SAELens `standard`): ReLU(pre).
/// - jumprelu (SAELens `jumprelu`, Gemma Scope): ReLU(pre)·1[pre > θ_i].
/// - gated (SAELens `gated`): 1[x̃·W_enc + b_gate > 0]·ReLU(x̃·(W_enc⊙exp(r_mag)) + b_mag).
extension SparseAutoencoder {
    /// Dense latent activations `[B × m]` for x `[B × d]`.
    /// - Complexity: O(B·m·d) (one sgemm) plus O(B·m·log k) for topk.
    public func encodeDense(_ x: Matrix) -> Matrix {
        let input = encoderInput(x).input
        return denseActivations(input: input)
    }

    /// Sparse latent activations: per token the active latents (value, index), sorted by value
    /// descending then index ascending. TopK SAEs give exactly k slots (some values may be 0 when fewer
    /// than k pre-activations are positive, as in sparsify); the other architectures give as many slots
    /// as the busiest token in the batch needs, padding with (0, −1).
    /// - Complexity: O(B·m·d) plus O(B·m) to collect (O(B·m·log k) for topk).
    public func encodeSparse(_ x: Matrix) -> SparseCodes {
        sparseActivations(input: encoderInput(x).input)
    }

    /// Encode then decode, undoing the input normalisation and adding the skip connection, i.e. the
    /// library's `forward` (sparsify `sae(x).sae_out`; SAELens `decode(encode(x))`).
    /// - Complexity: O(B·m·d) for the encoder plus O(B·nnz·d) (sparse gather) or O(B·m·d) (dense
    ///   sgemm, chosen when more than 1/16 of the latents are active).
    public func forward(_ x: Matrix) -> SAEForward {
        let enc = encoderInput(x)
        let codes = sparseActivations(input: enc.input)
        var nnz = 0
        for v in codes.values where v != 0 { nnz += 1 }
        var out: Matrix
        if nnz * 16 > x.rows * numLatents {
            out = decode(dense: codes.densified(numLatents: numLatents))
        } else {
            out = decode(codes)
        }
        if let s = enc.scaling { s.undo(&out) }
        if let skip {
            x.data.withUnsafeBufferPointer { a in
                skip.data.withUnsafeBufferPointer { w in
                    out.data.withUnsafeMutableBufferPointer { c in
                        BLAS.gemm(transA: false, transB: true, m: x.rows, n: dIn, k: dIn, alpha: 1,
                                  a: a.baseAddress!, lda: dIn, b: w.baseAddress!, ldb: dIn, beta: 1,
                                  c: c.baseAddress!, ldc: dIn)
                    }
                }
            }
        }
        return SAEForward(codes: codes, reconstruction: out)
    }

    /// Dense decode `[B × d]`: x̂ = z·decoder + b_dec for z `[B × m]` (dividing z by the decoder row
    /// norms first when `rescaleActsByDecoderNorm`). Normalisation is not undone (see `forward`).
    /// - Complexity: O(B·m·d) in one sgemm.
    public func decode(dense z: Matrix) -> Matrix {
        precondition(z.cols == numLatents, "codes have \(z.cols) columns, SAE has m=\(numLatents)")
        var zz = z
        if rescaleActsByDecoderNorm { Self.scaleColumns(&zz, by: decoder.rowNorms().map { 1 / $0 }) }
        var out = Matrix(rows: z.rows, cols: dIn)
        out.data.withUnsafeMutableBufferPointer { p in
            for r in 0..<z.rows { for j in 0..<dIn { p[r * dIn + j] = decoderBias[j] } }
        }
        zz.data.withUnsafeBufferPointer { a in
            decoder.data.withUnsafeBufferPointer { w in
                out.data.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transA: false, transB: false, m: z.rows, n: dIn, k: numLatents, alpha: 1,
                              a: a.baseAddress!, lda: numLatents, b: w.baseAddress!, ldb: dIn, beta: 1,
                              c: c.baseAddress!, ldc: dIn)
                }
            }
        }
        return out
    }

    // MARK: - Internals

    /// Activations from the prepared encoder input, dense.
    func denseActivations(input: Matrix) -> Matrix {
        switch architecture {
        case .topk:
            return topKCodes(input: input).densified(numLatents: numLatents)
        case .batchtopk where batchThreshold == nil:
            return topKCodes(input: input).densified(numLatents: numLatents)
        case .relu:
            var pre = encoderProduct(input, bias: encoderBias)
            Self.map(&pre) { v, _ in max(v, 0) }
            return pre
        case .batchtopk:
            let t = batchThreshold!
            var pre = encoderProduct(input, bias: encoderBias)
            Self.map(&pre) { v, _ in v > t ? max(v, 0) : 0 }
            return pre
        case .jumprelu:
            var pre = encoderProduct(input, bias: encoderBias)
            if let th = thresholds {
                th.withUnsafeBufferPointer { t in Self.map(&pre) { v, i in v > t[i] ? max(v, 0) : 0 } }
            } else {
                Self.map(&pre) { v, _ in max(v, 0) }
            }
            return pre
        case .gated:
            return gatedActivations(input: input)
        }
    }

    /// Activations from the prepared encoder input, sparse.
    func sparseActivations(input: Matrix) -> SparseCodes {
        if architecture == .topk || (architecture == .batchtopk && batchThreshold == nil) {
            return topKCodes(input: input)
        }
        return SparseCodes.fromDense(denseActivations(input: input))
    }

    /// TopK codes, with SAELens's `rescale_acts_by_decoder_norm` applied to the pre-activations before
    /// selection (so the kept values are the rescaled ones, as SAELens returns them).
    func topKCodes(input: Matrix) -> SparseCodes {
        precondition(k != nil, "\(architecture.rawValue) SAE without k")
        var pre = encoderProduct(input, bias: encoderBias)
        if rescaleActsByDecoderNorm { Self.scaleColumns(&pre, by: decoder.rowNorms()) }
        return Self.topK(pre, k: k!)
    }

    /// Gated encode. The magnitude path's weights are the encoder rows scaled by exp(r_mag), so one
    /// sgemm without bias gives both paths: gate = g + b_gate, mag = exp(r_mag)·g + b_mag.
    func gatedActivations(input: Matrix) -> Matrix {
        guard let gp = gated else { preconditionFailure("gated SAE without gated parameters") }
        var g = encoderProduct(input, bias: nil)
        let scale = gp.rMag.map { Float(_exp(Double($0))) }
        gp.bGate.withUnsafeBufferPointer { bg in
            gp.bMag.withUnsafeBufferPointer { bm in
                scale.withUnsafeBufferPointer { sc in
                    Self.map(&g) { v, i in v + bg[i] > 0 ? max(sc[i] * v + bm[i], 0) : 0 }
                }
            }
        }
        return g
    }

    /// Applies `f(value, column)` to every element.
    @inline(__always)
    static func map(_ m: inout Matrix, _ f: (Float, Int) -> Float) {
        let c = m.cols
        m.data.withUnsafeMutableBufferPointer { p in
            for r in 0..<m.rows {
                let base = r * c
                for i in 0..<c { p[base + i] = f(p[base + i], i) }
            }
        }
    }

    /// Multiplies column i by `s[i]`.
    static func scaleColumns(_ m: inout Matrix, by s: [Float]) {
        s.withUnsafeBufferPointer { sp in map(&m) { v, i in v * sp[i] } }
    }
}

/// The encoder's prepared input and the per-token scaling to undo after decoding.
public struct EncoderInput: Sendable {
    /// x̃ `[B × d]`.
    public var input: Matrix
    /// nil when the SAE has no per-token normalisation.
    public var scaling: TokenScaling?
}

/// Result of `SparseAutoencoder.forward`.
public struct SAEForward: Sendable {
    /// Active latents per token.
    public var codes: SparseCodes
    /// x̂ `[B × d]` in the input's space.
    public var reconstruction: Matrix
}

extension SparseCodes {
    /// The dense `[rows × numLatents]` matrix (zeros except the active slots).
    /// - Complexity: O(rows·(numLatents + k)).
    public func densified(numLatents m: Int) -> Matrix {
        var z = Matrix(rows: rows, cols: m)
        z.data.withUnsafeMutableBufferPointer { p in
            for r in 0..<rows {
                for s in 0..<k {
                    let idx = indices[r * k + s]
                    if idx >= 0 { p[r * m + Int(idx)] = values[r * k + s] }
                }
            }
        }
        return z
    }

    /// Collects the non-zero entries of dense activations `[B × m]`: per row sorted by value descending
    /// then index ascending, width = the largest count in any row, padding (0, −1).
    /// - Complexity: O(B·m + nnz·log nnz).
    public static func fromDense(_ z: Matrix) -> SparseCodes {
        let m = z.cols
        var perRow: [[(Float, Int32)]] = Array(repeating: [], count: z.rows)
        var width = 0
        z.data.withUnsafeBufferPointer { p in
            for r in 0..<z.rows {
                var row: [(Float, Int32)] = []
                for i in 0..<m where p[r * m + i] != 0 { row.append((p[r * m + i], Int32(i))) }
                row.sort { $0.0 > $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                width = max(width, row.count)
                perRow[r] = row
            }
        }
        var values = [Float](repeating: 0, count: z.rows * width)
        var indices = [Int32](repeating: -1, count: z.rows * width)
        for (r, row) in perRow.enumerated() {
            for (s, e) in row.enumerated() { values[r * width + s] = e.0; indices[r * width + s] = e.1 }
        }
        return SparseCodes(rows: z.rows, k: width, values: values, indices: indices)
    }
}

@inline(__always) func _exp(_ x: Double) -> Double {
    #if canImport(Glibc)
    return Glibc.exp(x)
    #else
    return Foundation.exp(x)
    #endif
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
