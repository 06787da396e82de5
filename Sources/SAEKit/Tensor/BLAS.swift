import CBLAS

/// Thin, typed wrappers over OpenBLAS's CBLAS interface (row-major).
///
/// All dense products in seedscope go through `BLAS.gemm`: encoder forward passes, the blocked
/// similarity matrices of the matcher and the dense parts of training.
public enum BLAS {
    /// The OpenBLAS kernel in use, e.g. "SkylakeX" or "Haswell" (print with every benchmark figure).
    public static var coreName: String { String(cString: seedscope_openblas_core()) }
    /// OpenBLAS's thread count.
    public static var threads: Int {
        get { Int(seedscope_openblas_threads()) }
    }
    /// Sets OpenBLAS's thread count.
    public static func setThreads(_ n: Int) { seedscope_openblas_set_threads(Int32(n)) }

    /// `C ← α·op(A)·op(B) + β·C` on raw row-major buffers.
    ///
    /// - Parameters: `op(A)` is `[m × k]`, `op(B)` is `[k × n]`, `C` is `[m × n]`; `lda`, `ldb`,
    ///   `ldc` are the row strides of the stored (untransposed) buffers.
    /// - Complexity: O(m·n·k).
    @inlinable
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Returns `op(A)·op(B)` as a new matrix. Shapes are checked.
    /// - Complexity: O(m·n·k).
    public static func matmul(_ a: Matrix, _ b: Matrix, transA: Bool = false, transB: Bool = false) -> Matrix {
        let m = transA ? a.cols : a.rows
        let k = transA ? a.rows : a.cols
        let kb = transB ? b.cols : b.rows
        let n = transB ? b.rows : b.cols
        precondition(k == kb, "matmul inner dimensions differ: \(k) vs \(kb)")
        var c = Matrix(rows: m, cols: n)
        if k == 0 { return c }
        a.data.withUnsafeBufferPointer { ap in
            b.data.withUnsafeBufferPointer { bp in
                c.data.withUnsafeMutableBufferPointer { cp in
                    gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                         a: ap.baseAddress!, lda: a.cols, b: bp.baseAddress!, ldb: b.cols,
                         beta: 0, c: cp.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// `y ← α·op(A)·x + β·y` (sgemv), A row-major `[rows × cols]`.
    public static func gemv(trans: Bool, rows: Int, cols: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(rows), Int32(cols), alpha, a,
                    Int32(lda), x, 1, beta, y, 1)
    }

    /// `y ← α·x + y` over `n` elements.
    @inlinable
    public static func axpy(n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
    }

    /// Dot product of `n` elements.
    @inlinable
    public static func dot(n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        cblas_sdot(Int32(n), x, 1, y, 1)
    }
}
