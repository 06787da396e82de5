import Foundation
@testable import SAEKit

/// The naive profile: dense activations of every token, then per latent a full sort of its windows.
struct ProfileReference {
    let m: Int, N: Int, T: Int
    /// `[N × m]` activations (0 at excluded rows).
    var acts: [Float]
    var count: [Int], sum: [Double], sumSq: [Double], maxAct: [Float]
    /// Per latent, every firing window as (max, window, first argmax position), sorted (max desc, window asc).
    var windows: [[(v: Float, w: Int, pos: Int)]]

    init(sae: SparseAutoencoder, x: Matrix, T: Int, excluded: Set<Int>) {
        m = sae.numLatents; N = x.rows; self.T = T
        let pre = sae.preActivations(x)
        var a = [Float](repeating: 0, count: N * m)
        switch sae.architecture {
        case .topk:
            let codes = SparseAutoencoder.topK(pre, k: sae.k!)
            for r in 0..<N { for s in 0..<codes.k where codes.values[r * codes.k + s] > 0 {
                a[r * m + Int(codes.indices[r * codes.k + s])] = codes.values[r * codes.k + s] } }
        case .relu: for i in 0..<(N * m) { a[i] = max(0, pre.data[i]) }
        case .jumprelu: for i in 0..<(N * m) { let p = pre.data[i]; a[i] = p > sae.thresholds![i % m] && p > 0 ? p : 0 }
        case .batchtopk:
            let t = sae.batchThreshold!
            for i in 0..<(N * m) { let p = pre.data[i]; a[i] = p > t && p > 0 ? p : 0 }
        case .gated:
            // SAELens v6 gated: π_gate = x̃·W + b_gate, π_mag = exp(r_mag)·(x̃·W) + b_mag, f = 1[π_gate > 0]·ReLU(π_mag).
            let g = sae.gated!
            for r in 0..<N { for j in 0..<m {
                let xw = pre.data[r * m + j] - sae.encoderBias[j]
                let mag = Float(exp(Double(g.rMag[j]))) * xw + g.bMag[j]
                a[r * m + j] = xw + g.bGate[j] > 0 && mag > 0 ? mag : 0
            } }
        }
        for r in 0..<N where excluded.contains(r % T) { for j in 0..<m { a[r * m + j] = 0 } }
        acts = a
        count = [Int](repeating: 0, count: m); sum = [Double](repeating: 0, count: m); sumSq = sum
        maxAct = [Float](repeating: 0, count: m)
        windows = Array(repeating: [], count: m)
        for j in 0..<m {
            for r in 0..<N where a[r * m + j] > 0 {
                let v = a[r * m + j]
                count[j] += 1; sum[j] += Double(v); sumSq[j] += Double(v) * Double(v); maxAct[j] = max(maxAct[j], v)
            }
            var ws: [(v: Float, w: Int, pos: Int)] = []
            for w in 0..<((N + T - 1) / T) {
                var best: Float = 0, pos = -1
                for p in 0..<min(T, N - w * T) where a[(w * T + p) * m + j] > best { best = a[(w * T + p) * m + j]; pos = p }
                if pos >= 0 { ws.append((best, w, pos)) }
            }
            windows[j] = ws.sorted { $0.v != $1.v ? $0.v > $1.v : $0.w < $1.w }
        }
    }

    func act(row: Int, latent j: Int) -> Float { acts[row * m + j] }

    /// Histogram with independently computed log-spaced edges.
    func histogram(_ j: Int, _ c: ProfileConfig) -> [UInt32] {
        let edges = c.histogramEdges
        var h = [UInt32](repeating: 0, count: c.histogramBins)
        for r in 0..<N where acts[r * m + j] > 0 {
            let v = Double(acts[r * m + j])
            var b = edges.count - 2
            while b > 0 && v < edges[b] { b -= 1 }
            h[b] += 1
        }
        return h
    }
}

/// Small random TopK SAEs and windowed data for the profiler tests.
enum ProfileFixtures {
    static func sae(m: Int, d: Int, k: Int, seed: UInt64, arch: SAEArchitecture = .topk) -> SparseAutoencoder {
        var rng = SeededRNG(seed: seed)
        let enc = Matrix(rows: m, cols: d, data: rng.gaussians(m * d, scale: 1 / Float(d).squareRoot()))
        let dec = Matrix(rows: m, cols: d, data: rng.gaussians(m * d))
        let bias = rng.gaussians(m, scale: 0.1)
        var info = SAEInfo(); info.name = "test-\(seed)"; info.path = "mem:\(seed)"
        return SparseAutoencoder(encoder: enc, encoderBias: bias, decoder: dec, decoderBias: rng.gaussians(d, scale: 0.1),
                                 architecture: arch, k: arch == .topk ? k : nil,
                                 thresholds: arch == .jumprelu ? (0..<m).map { _ in rng.nextFloat() * 0.5 } : nil,
                                 batchThreshold: arch == .batchtopk ? 0.8 : nil,
                                 gated: arch == .gated ? GatedParameters(bGate: rng.gaussians(m, scale: 0.3), bMag: rng.gaussians(m, scale: 0.3),
                                                                         rMag: rng.gaussians(m, scale: 0.2)) : nil, info: info)
    }

    static func data(rows: Int, d: Int, seed: UInt64, vocab: Int32 = 1000) -> (Matrix, [Int32]) {
        var rng = SeededRNG(seed: seed)
        let x = Matrix(rows: rows, cols: d, data: rng.gaussians(rows * d))
        let toks = (0..<rows).map { _ in Int32(rng.next() % UInt64(vocab)) }
        return (x, toks)
    }
}
