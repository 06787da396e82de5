import Foundation
import Testing
@testable import SAEKit

/// The profiler's threshold-guessing TopK selector against the model's plain heap `SparseAutoencoder.topK`.
@Suite struct TopKSelectorTests {
    /// Rows that stress every path: scales jumping by 100× between rows (guess misses high and
    /// low), quantised values (ties at the k-th value), rows with fewer than k positive values,
    /// all-negative rows, m not a multiple of 16 and m < 16·k (chunk bound unavailable).
    @Test(arguments: [(4608, 32), (1000, 7), (100, 10), (37, 5), (64, 1), (17, 40)])
    func equalsReferenceTopK(_ shape: (Int, Int)) {
        let (m, k) = shape
        let seed = UInt64(m * 131 + k)
        print("TopKSelectorTests seed \(seed)")
        var rng = SeededRNG(seed: seed)
        let rows = 300
        var data = [Float](repeating: 0, count: rows * m)
        for r in 0..<rows {
            let kind = Int(rng.next() % 6)
            let scale = Float(pow(10, Double(rng.nextFloat()) * 4 - 2))
            for j in 0..<m {
                var v = rng.nextGaussian() * scale
                switch kind {
                case 1: v = (v * 4).rounded() / 4                     // ties
                case 2: v = j % 97 == 3 ? abs(v) : -abs(v) - 1e-3      // few positives
                case 3: v = -abs(v)                                    // none fire
                case 4: v = r % 2 == 0 ? v * 100 : v                   // scale jumps between rows
                default: break
                }
                data[r * m + j] = v
            }
        }
        let ref = SparseAutoencoder.topK(Matrix(rows: rows, cols: m, data: data), k: k)
        let sel = TopKSelector(m: m, k: k)
        let lat = UnsafeMutablePointer<Int32>.allocate(capacity: k), val = UnsafeMutablePointer<Float>.allocate(capacity: k)
        defer { lat.deallocate(); val.deallocate() }
        data.withUnsafeBufferPointer { p in
            for r in 0..<rows {
                let n = sel.select(p.baseAddress! + r * m, lat, val)
                let got = (0..<n).map { (lat[$0], val[$0]) }.sorted { $0.0 < $1.0 }
                // The reference keeps k entries per row including zeros (ReLU); only values > 0 fire.
                let want = (0..<min(k, m)).map { (ref.indices[r * k + $0], ref.values[r * k + $0]) }
                    .filter { $0.1 > 0 }.sorted { $0.0 < $1.0 }
                #expect(got.map(\.0) == want.map(\.0), "m=\(m) k=\(k) row \(r)")
                #expect(got.map(\.1) == want.map(\.1), "m=\(m) k=\(k) row \(r)")
            }
        }
    }
}
