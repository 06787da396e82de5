/// SAELens's run-time activation normalisation (`normalize_activations`, reference/formats.md §2.5),
/// applied to each token before encoding and undone after decoding.
public enum SAEInputNormalization: String, Sendable, Codable, CaseIterable {
    /// No normalisation.
    case none
    /// Training-time scalar √d/E‖x‖. SAELens folds it into the weights when saving for inference and
    /// when loading hub releases; on a checkpoint loaded from disk it does nothing at inference, which
    /// is what SAELens's own `load_from_disk` does too. Kept so exports preserve the setting.
    case expectedAverageOnlyIn = "expected_average_only_in"
    /// Per token: x ← x·c with c = √d/‖x‖; the output is divided by c.
    case constantNormRescale = "constant_norm_rescale"
    /// Per token: x ← (x − μ)/(σ + 1e-5) with σ the unbiased standard deviation over d; the output
    /// becomes x̂·σ + μ (SAELens undoes with σ, not σ + 1e-5).
    case layerNorm = "layer_norm"

    /// Normalises the rows of `x` `[B × d]` in place and returns how to undo it (nil when nothing was
    /// done). Statistics are accumulated in Double.
    /// - Complexity: O(B·d).
    public func normalize(_ x: inout Matrix) -> TokenScaling? {
        let d = x.cols
        switch self {
        case .none, .expectedAverageOnlyIn:
            return nil
        case .constantNormRescale:
            var outScale = [Float](repeating: 1, count: x.rows)
            var outShift = [Float](repeating: 0, count: x.rows)
            x.data.withUnsafeMutableBufferPointer { p in
                for r in 0..<x.rows {
                    let base = p.baseAddress! + r * d
                    let norm = Float(Vec.sumSquares(base, d).squareRoot())
                    let c = Float(d).squareRoot() / norm
                    for j in 0..<d { base[j] *= c }
                    outScale[r] = 1 / c
                    outShift[r] = 0
                }
            }
            return TokenScaling(scale: outScale, shift: outShift)
        case .layerNorm:
            var outScale = [Float](repeating: 1, count: x.rows)
            var outShift = [Float](repeating: 0, count: x.rows)
            x.data.withUnsafeMutableBufferPointer { p in
                for r in 0..<x.rows {
                    let base = p.baseAddress! + r * d
                    var sum = 0.0
                    for j in 0..<d { sum += Double(base[j]) }
                    let mu = Float(sum / Double(d))
                    var ss = 0.0
                    for j in 0..<d { base[j] -= mu; ss += Double(base[j]) * Double(base[j]) }
                    let sd = Float((ss / Double(max(d - 1, 1))).squareRoot())
                    let inv = 1 / (sd + 1e-5)
                    for j in 0..<d { base[j] *= inv }
                    outScale[r] = sd
                    outShift[r] = mu
                }
            }
            return TokenScaling(scale: outScale, shift: outShift)
        }
    }
}

/// How to map a decoder output back to the input's space: y ← y·scale[row] + shift[row].
public struct TokenScaling: Sendable {
    /// Per token.
    public var scale: [Float]
    /// Per token.
    public var shift: [Float]

    /// Applies the inverse normalisation to `y` `[B × d]` in place. O(B·d).
    public func undo(_ y: inout Matrix) {
        let d = y.cols
        y.data.withUnsafeMutableBufferPointer { p in
            for r in 0..<y.rows {
                let s = scale[r], t = shift[r]
                for j in 0..<d { p[r * d + j] = p[r * d + j] * s + t }
            }
        }
    }
}
