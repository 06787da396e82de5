import Foundation
import Testing
@testable import SAEKit

/// The BLAS/sparse encode and decode paths against naive Double implementations of the formulas, for
/// every architecture and SAELens option (randomized, seeded).
@Suite struct EncodeReferenceTests {
    /// Naive encode straight from reference/formats.md §1.4/§2.4, in Double.
    static func naiveDense(_ s: SparseAutoencoder, _ x: Matrix) -> [[Double]] {
        let d = s.dIn, m = s.numLatents
        var out: [[Double]] = []
        let decNorms = (0..<m).map { i in (0..<d).reduce(0.0) { $0 + Double(s.decoder[i, $1]) * Double(s.decoder[i, $1]) }.squareRoot() }
        for r in 0..<x.rows {
            var xi = (0..<d).map { Double(x[r, $0]) }
            switch s.inputNormalization {
            case .constantNormRescale:
                let n = xi.reduce(0) { $0 + $1 * $1 }.squareRoot()
                xi = xi.map { $0 * Double(d).squareRoot() / n }
            case .layerNorm:
                let mu = xi.reduce(0, +) / Double(d)
                let c = xi.map { $0 - mu }
                let sd = (c.reduce(0) { $0 + $1 * $1 } / Double(d - 1)).squareRoot()
                xi = c.map { $0 / (sd + 1e-5) }
            default: break
            }
            if s.subtractDecoderBias { for j in 0..<d { xi[j] -= Double(s.decoderBias[j]) } }
            let g = (0..<m).map { i in (0..<d).reduce(0.0) { $0 + Double(s.encoder[i, $1]) * xi[$1] } }
            var z = [Double](repeating: 0, count: m)
            switch s.architecture {
            case .relu: for i in 0..<m { z[i] = max(g[i] + Double(s.encoderBias[i]), 0) }
            case .jumprelu:
                for i in 0..<m { let p = g[i] + Double(s.encoderBias[i]); z[i] = p > Double(s.thresholds![i]) ? max(p, 0) : 0 }
            case .batchtopk:
                for i in 0..<m { let p = g[i] + Double(s.encoderBias[i]); z[i] = p > Double(s.batchThreshold!) ? max(p, 0) : 0 }
            case .gated:
                let gp = s.gated!
                for i in 0..<m where g[i] + Double(gp.bGate[i]) > 0 { z[i] = max(exp(Double(gp.rMag[i])) * g[i] + Double(gp.bMag[i]), 0) }
            case .topk:
                var p = (0..<m).map { g[$0] + Double(s.encoderBias[$0]) }
                if s.rescaleActsByDecoderNorm { p = (0..<m).map { p[$0] * decNorms[$0] } }
                let top = (0..<m).sorted { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }.prefix(s.k!)
                for i in top { z[i] = max(p[i], 0) }
            }
            out.append(z)
        }
        return out
    }

    static func naiveForward(_ s: SparseAutoencoder, _ x: Matrix, _ z: [[Double]]) -> [Double] {
        let d = s.dIn, m = s.numLatents
        var out: [Double] = []
        for r in 0..<x.rows {
            var y = (0..<d).map { Double(s.decoderBias[$0]) }
            for i in 0..<m where z[r][i] != 0 {
                var v = z[r][i]
                if s.rescaleActsByDecoderNorm { v /= (0..<d).reduce(0.0) { $0 + Double(s.decoder[i, $1]) * Double(s.decoder[i, $1]) }.squareRoot() }
                for j in 0..<d { y[j] += v * Double(s.decoder[i, j]) }
            }
            let xi = (0..<d).map { Double(x[r, $0]) }
            switch s.inputNormalization {
            case .constantNormRescale:
                let n = xi.reduce(0) { $0 + $1 * $1 }.squareRoot()
                y = y.map { $0 / (Double(d).squareRoot() / n) }
            case .layerNorm:
                let mu = xi.reduce(0, +) / Double(d)
                let sd = (xi.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(d - 1)).squareRoot()
                y = y.map { $0 * sd + mu }
            default: break
            }
            out += y
        }
        return out
    }

    struct Case: Sendable, CustomStringConvertible {
        var arch: SAEArchitecture
        var norm: SAEInputNormalization
        var rescale: Bool
        var subtract: Bool
        var description: String { "\(arch.rawValue) \(norm.rawValue) rescale=\(rescale) subtract=\(subtract)" }
    }

    static let cases: [Case] = SAEArchitecture.allCases.flatMap { a in
        [Case(arch: a, norm: .none, rescale: false, subtract: true), Case(arch: a, norm: .constantNormRescale, rescale: false, subtract: false),
         Case(arch: a, norm: .layerNorm, rescale: a == .topk, subtract: true)]
    } + [Case(arch: .topk, norm: .none, rescale: true, subtract: true)]

    @Test(arguments: cases) func matchesNaive(c: Case) throws {
        let seed = UInt64(1000 + Self.cases.firstIndex { $0.description == c.description }!)
        print("\(c): seed \(seed)")
        var s = FT.randomSAE(c.arch, d: 20, m: 56, k: 6, seed: seed)
        s.inputNormalization = c.norm
        s.rescaleActsByDecoderNorm = c.rescale
        s.subtractDecoderBias = c.subtract
        if c.rescale { for i in 0..<56 { for j in 0..<20 { s.decoder[i, j] *= 0.5 + Float(i % 5) * 0.3 } } }
        var rng = SeededRNG(seed: seed ^ 0xABCD)
        let x = Matrix(rows: 40, cols: 20, data: rng.gaussians(40 * 20, scale: 2))
        let ref = Self.naiveDense(s, x)
        let dense = s.encodeDense(x)
        FT.expectClose(dense.data, ref.flatMap { $0.map(Float.init) }, tol: 1e-4, "\(c) dense")
        let sparse = s.encodeSparse(x)
        FT.expectClose(sparse.densified(numLatents: 56).data, dense.data, tol: 0, "\(c) sparse = dense")
        // Sparse codes are sorted by value, descending, with padding at the end.
        for r in 0..<sparse.rows {
            let v = sparse.values[(r * sparse.k)..<((r + 1) * sparse.k)]
            #expect(zip(v, v.dropFirst()).allSatisfy { $0 >= $1 })
        }
        let fwd = s.forward(x)
        FT.expectClose(fwd.reconstruction.data, Self.naiveForward(s, x, ref).map(Float.init), tol: 1e-4, "\(c) forward")
    }

    @Test func denseAndSparseDecodeAgree() {
        let seed: UInt64 = 77
        print("seed \(seed)")
        var s = FT.randomSAE(.relu, d: 16, m: 64, seed: seed)
        s.rescaleActsByDecoderNorm = true
        var rng = SeededRNG(seed: seed)
        let x = Matrix(rows: 12, cols: 16, data: rng.gaussians(12 * 16))
        let codes = s.encodeSparse(x)
        FT.expectClose(s.decode(codes).data, s.decode(dense: codes.densified(numLatents: 64)).data, tol: 1e-5, "decode paths")
    }

    @Test func evaluationMatchesTwoPassDouble() throws {
        let seed: UInt64 = 2024
        print("seed \(seed)")
        let s = FT.randomSAE(.topk, d: 12, m: 30, k: 3, seed: seed)
        var rng = SeededRNG(seed: seed)
        // Offset data so a naive Σx² − N·x̄² would lose digits; blocks of 7 exercise the merge.
        let x = Matrix(rows: 100, cols: 12, data: rng.gaussians(1200).map { $0 + 300 })
        let rows = Array(stride(from: 0, to: 100, by: 1)).filter { $0 % 10 != 0 }
        let r = try SAEEvaluator.evaluate(s, source: InMemoryActivations(x), rows: rows, blockRows: 7)
        let xs = x.gatherRows(rows)
        let y = s.forward(xs).reconstruction
        var mean = [Double](repeating: 0, count: 12)
        for i in 0..<rows.count { for j in 0..<12 { mean[j] += Double(xs[i, j]) / Double(rows.count) } }
        var sse = 0.0, tv = 0.0, l0 = 0
        for i in 0..<rows.count {
            for j in 0..<12 {
                sse += pow(Double(xs[i, j]) - Double(y[i, j]), 2)
                tv += pow(Double(xs[i, j]) - mean[j], 2)
            }
        }
        let z = s.encodeDense(xs)
        l0 = z.data.filter { $0 > 0 }.count
        #expect(r.tokens == 90)
        // The reconstruction error is a small difference of large numbers (x ≈ 300) and sgemm may block
        // differently per batch size and OpenBLAS kernel, so the sums agree to ~1e-4, not bitwise.
        #expect(abs(r.fvu - sse / tv) <= 1e-2 * (sse / tv))
        #expect(abs(r.totalVariance - tv) <= 1e-9 * tv)
        #expect(abs(r.l0 - Double(l0) / 90) < 1e-12)
        #expect(r.deadLatents == (0..<30).filter { i in (0..<90).allSatisfy { z[$0, i] == 0 } }.count)
        #expect(abs(r.mse - sse / (90 * 12)) <= 1e-2 * r.mse)
    }
}
