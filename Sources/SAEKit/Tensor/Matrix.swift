/// A dense row-major matrix of `Float`.
///
/// Element `(i, j)` lives at `data[i * cols + j]`. This is the layout of every weight matrix in
/// seedscope (encoder directions `[m × d]`, decoder directions `[m × d]`) and of activation batches
/// (`[B × d]`), so BLAS calls take it without copies.
public struct Matrix: Sendable, Equatable {
    /// Number of rows.
    public private(set) var rows: Int
    /// Number of columns.
    public private(set) var cols: Int
    /// `rows * cols` values, row-major.
    public var data: [Float]

    /// A zero-filled `rows × cols` matrix.
    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "negative matrix shape")
        self.rows = rows
        self.cols = cols
        self.data = [Float](repeating: 0, count: rows * cols)
    }

    /// Wraps existing row-major values. `data.count` must equal `rows * cols`.
    public init(rows: Int, cols: Int, data: [Float]) {
        precondition(data.count == rows * cols, "matrix data has \(data.count) values, shape needs \(rows * cols)")
        self.rows = rows
        self.cols = cols
        self.data = data
    }

    /// Builds a matrix from a closure `f(i, j)`. O(rows·cols).
    public init(rows: Int, cols: Int, _ f: (Int, Int) -> Float) {
        var d = [Float](repeating: 0, count: rows * cols)
        for i in 0..<rows { for j in 0..<cols { d[i * cols + j] = f(i, j) } }
        self.init(rows: rows, cols: cols, data: d)
    }

    /// Element access.
    @inlinable public subscript(i: Int, j: Int) -> Float {
        get { data[i * cols + j] }
        set { data[i * cols + j] = newValue }
    }

    /// A copy of row `i` (`cols` values).
    public func row(_ i: Int) -> [Float] { Array(data[(i * cols)..<((i + 1) * cols)]) }

    /// The transpose, `[cols × rows]`. O(rows·cols), blocked for cache friendliness.
    public func transposed() -> Matrix {
        var out = Matrix(rows: cols, cols: rows)
        let r = rows, c = cols
        data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                let bs = 32
                var i0 = 0
                while i0 < r {
                    var j0 = 0
                    while j0 < c {
                        for i in i0..<min(i0 + bs, r) {
                            for j in j0..<min(j0 + bs, c) { dst[j * r + i] = src[i * c + j] }
                        }
                        j0 += bs
                    }
                    i0 += bs
                }
            }
        }
        return out
    }

    /// Rows `range` as a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, data: Array(data[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// Selects the given rows, in order, as a new matrix. O(count·cols).
    public func gatherRows(_ indices: [Int]) -> Matrix {
        var out = Matrix(rows: indices.count, cols: cols)
        for (o, i) in indices.enumerated() {
            for j in 0..<cols { out.data[o * cols + j] = data[i * cols + j] }
        }
        return out
    }

    /// Whether any value is NaN or infinite.
    public var hasNonFinite: Bool { data.contains { !$0.isFinite } }

    /// Index of the first row containing a NaN or infinite value, if any.
    public func firstNonFiniteRow() -> Int? {
        for i in 0..<rows { for j in 0..<cols where !data[i * cols + j].isFinite { return i } }
        return nil
    }
}
