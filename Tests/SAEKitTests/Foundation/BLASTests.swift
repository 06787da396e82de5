import Testing
@testable import SAEKit

/// BLAS wrappers against naive triple loops (within 1e-4 relative), on random shapes including
/// non-square and transposed operands.
@Suite struct BLASTests {
    func naive(_ a: Matrix, _ b: Matrix, _ ta: Bool, _ tb: Bool) -> [Double] {
        let m = ta ? a.cols : a.rows, k = ta ? a.rows : a.cols, n = tb ? b.rows : b.cols
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k { s += Double(ta ? a[p, i] : a[i, p]) * Double(tb ? b[j, p] : b[p, j]) }
            c[i * n + j] = s
        } }
        return c
    }

    @Test func sgemmMatchesNaive() {
        let seed: UInt64 = 20261123
        print("BLASTests seed \(seed)")
        var rng = SeededRNG(seed: seed)
        for trial in 0..<60 {
            let m = 1 + Int(rng.next() % 37), n = 1 + Int(rng.next() % 41), k = 1 + Int(rng.next() % 53)
            let ta = trial % 2 == 1, tb = (trial / 2) % 2 == 1
            let a = ta ? Matrix(rows: k, cols: m, data: rng.gaussians(k * m)) : Matrix(rows: m, cols: k, data: rng.gaussians(m * k))
            let b = tb ? Matrix(rows: n, cols: k, data: rng.gaussians(n * k)) : Matrix(rows: k, cols: n, data: rng.gaussians(k * n))
            let c = BLAS.matmul(a, b, transA: ta, transB: tb)
            #expect(c.rows == m && c.cols == n)
            let ref = naive(a, b, ta, tb)
            let scale = ref.map { abs($0) }.max() ?? 1
            for i in 0..<(m * n) {
                #expect(abs(Double(c.data[i]) - ref[i]) <= 1e-4 * max(scale, 1), "trial \(trial) [\(m)x\(k)]x[\(k)x\(n)] ta=\(ta) tb=\(tb)")
            }
        }
    }

    @Test func gemmAccumulatesWithBeta() {
        var rng = SeededRNG(seed: 7)
        let a = Matrix(rows: 5, cols: 3, data: rng.gaussians(15))
        let b = Matrix(rows: 3, cols: 4, data: rng.gaussians(12))
        var c = Matrix(rows: 5, cols: 4, data: rng.gaussians(20))
        let c0 = c
        a.data.withUnsafeBufferPointer { ap in b.data.withUnsafeBufferPointer { bp in c.data.withUnsafeMutableBufferPointer { cp in
            BLAS.gemm(transA: false, transB: false, m: 5, n: 4, k: 3, alpha: 2, a: ap.baseAddress!, lda: 3,
                      b: bp.baseAddress!, ldb: 4, beta: 0.5, c: cp.baseAddress!, ldc: 4)
        } } }
        let ab = naive(a, b, false, false)
        for i in 0..<20 { #expect(abs(Double(c.data[i]) - (2 * ab[i] + 0.5 * Double(c0.data[i]))) < 1e-4) }
    }

    @Test func rowNormsAndNormalize() {
        var rng = SeededRNG(seed: 11)
        var m = Matrix(rows: 9, cols: 37, data: rng.gaussians(9 * 37))
        for j in 0..<37 { m[4, j] = 0 }
        let norms = m.rowNorms()
        for i in 0..<9 {
            let ref = (0..<37).reduce(0.0) { $0 + Double(m[i, $1]) * Double(m[i, $1]) }.squareRoot()
            #expect(abs(Double(norms[i]) - ref) < 1e-5 * max(ref, 1))
        }
        m.normalizeRows()
        let n2 = m.rowNorms()
        for i in 0..<9 { #expect(i == 4 ? n2[i] == 0 : abs(n2[i] - 1) < 1e-5) }
    }

    @Test func transposeAndDot() {
        var rng = SeededRNG(seed: 3)
        let m = Matrix(rows: 45, cols: 70, data: rng.gaussians(45 * 70))
        let t = m.transposed()
        for i in 0..<45 { for j in 0..<70 { #expect(t[j, i] == m[i, j]) } }
        let x = rng.gaussians(67), y = rng.gaussians(67)
        let ref = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let got = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in Vec.dot(xp.baseAddress!, yp.baseAddress!, 67) } }
        #expect(abs(Double(got) - ref) < 1e-4)
    }

    @Test func halfConversions() {
        for f: Float in [0, 1, -2.5, 65504, 1e-3, -0.0] {
            #expect(HalfFloat.f16ToFloat(HalfFloat.floatToF16(f)) == Float(Float16(f)))
        }
        #expect(HalfFloat.bf16ToFloat(HalfFloat.floatToBF16(1.0)) == 1.0)
        #expect(HalfFloat.bf16ToFloat(HalfFloat.floatToBF16(3.140625)) == 3.140625)
        // Round to nearest even: 1 + 2^-8 is halfway between two bf16 values and rounds down to 1.
        #expect(HalfFloat.bf16ToFloat(HalfFloat.floatToBF16(1 + 1.0 / 256)) == 1.0)
    }
}
