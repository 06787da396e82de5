/// Row norms and normalisation, vectorised with explicit SIMD accumulators (a plain `for` float
/// reduction is never vectorised by Swift; see platform.md).
extension Matrix {
    /// Euclidean norm of each row, accumulated in `Double` for accuracy. Returns `rows` values.
    /// - Complexity: O(rows·cols).
    public func rowNorms() -> [Float] {
        var out = [Float](repeating: 0, count: rows)
        data.withUnsafeBufferPointer { p in
            for i in 0..<rows {
                out[i] = Float(Vec.sumSquares(p.baseAddress! + i * cols, cols).squareRoot())
            }
        }
        return out
    }

    /// Scales every row to unit length in place. A row whose norm is zero (or not finite) is set to
    /// all zeros, so its cosine with anything is 0, as the paper's definition requires.
    /// Returns the original norms.
    @discardableResult
    public mutating func normalizeRows() -> [Float] {
        let norms = rowNorms()
        let c = cols
        data.withUnsafeMutableBufferPointer { p in
            for i in 0..<rows {
                let n = norms[i]
                let base = p.baseAddress! + i * c
                if n > 0 && n.isFinite {
                    let s = 1 / n
                    for j in 0..<c { base[j] *= s }
                } else {
                    for j in 0..<c { base[j] = 0 }
                }
            }
        }
        return norms
    }

    /// A copy with unit-length rows (zero rows stay zero).
    public func rowNormalized() -> Matrix {
        var m = self
        m.normalizeRows()
        return m
    }
}

/// Small vector kernels on raw pointers.
public enum Vec {
    /// Σ x², accumulated with SIMD16 partial sums in Float then reduced in Double.
    @inlinable
    public static func sumSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        var acc = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            acc = acc.addingProduct(v, v)
            i += 16
        }
        var s = Double(acc.sum())
        while i < n { s += Double(x[i]) * Double(x[i]); i += 1 }
        return s
    }

    /// Σ x·y with SIMD16 partial sums.
    @inlinable
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= n {
            let a = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
            acc = acc.addingProduct(a, b)
            i += 16
        }
        var s = acc.sum()
        while i < n { s += x[i] * y[i]; i += 1 }
        return s
    }

    /// y += a·x over n elements.
    @inlinable
    public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let av = SIMD16<Float>(repeating: a)
        while i + 16 <= n {
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            var yv = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
            yv = yv.addingProduct(av, xv)
            UnsafeMutableRawPointer(y + i).storeBytes(of: yv, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { y[i] += a * x[i]; i += 1 }
    }
}
