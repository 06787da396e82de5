/// Anything that yields activation rows `[N × d]` as `Float` (datasets on disk convert F16/BF16 in
/// blocks). Implementations must be safe to read from several threads.
public protocol ActivationSource: AnyObject, Sendable {
    /// Number of activation rows N.
    var rowCount: Int { get }
    /// Width d.
    var dim: Int { get }
    /// Copies rows `range` into `dst` (`range.count · dim` floats, row-major).
    func readRows(_ range: Range<Int>, into dst: UnsafeMutablePointer<Float>) throws
}

extension ActivationSource {
    /// Rows `range` as a matrix.
    public func rows(_ range: Range<Int>) throws -> Matrix {
        var m = Matrix(rows: range.count, cols: dim)
        try m.data.withUnsafeMutableBufferPointer { p in
            if let b = p.baseAddress { try readRows(range, into: b) }
        }
        return m
    }

    /// Gathers arbitrary rows (in the given order) as a matrix.
    public func gather(_ indices: [Int]) throws -> Matrix {
        var m = Matrix(rows: indices.count, cols: dim)
        try m.data.withUnsafeMutableBufferPointer { p in
            for (o, i) in indices.enumerated() { try readRows(i..<(i + 1), into: p.baseAddress! + o * dim) }
        }
        return m
    }
}

/// Activations held in memory (tests, generators, small datasets).
public final class InMemoryActivations: ActivationSource, @unchecked Sendable {
    /// `[N × d]`
    public let matrix: Matrix
    public init(_ matrix: Matrix) { self.matrix = matrix }
    public var rowCount: Int { matrix.rows }
    public var dim: Int { matrix.cols }
    public func readRows(_ range: Range<Int>, into dst: UnsafeMutablePointer<Float>) throws {
        precondition(range.lowerBound >= 0 && range.upperBound <= matrix.rows, "rows \(range) out of 0..<\(matrix.rows)")
        matrix.data.withUnsafeBufferPointer { p in
            dst.update(from: p.baseAddress! + range.lowerBound * matrix.cols, count: range.count * matrix.cols)
        }
    }
}
