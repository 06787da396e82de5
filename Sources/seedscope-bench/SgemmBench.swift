import Foundation
import SAEKit

/// Raw sgemm throughput at the shapes seedscope uses (encoder forward, similarity blocks).
func sgemmBench(_ ctx: BenchContext) throws {
    for (m, n, k) in [(1024, 4608, 576), (4096, 16384, 768)] {
        var rng = SeededRNG(seed: 1)
        let a = Matrix(rows: m, cols: k, data: rng.gaussians(m * k))
        let b = Matrix(rows: n, cols: k, data: rng.gaussians(n * k))
        var best = Double.infinity
        for _ in 0..<3 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = BLAS.matmul(a, b, transB: true)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        ctx.report(String(format: "sgemm [%dx%d]x[%dx%d]ᵀ: %.1f ms, %.0f GFLOP/s", m, k, n, k, best * 1e3, 2.0 * Double(m * n * k) / best / 1e9))
    }
}
