import Foundation
import SAEKit

/// Profiling throughput against the bare encoder pass over the same tokens (same blocks: read rows,
/// subtract b_dec, broadcast the bias, one sgemm), and card read latency from a memory-mapped profile.
/// Uses the real sparsify L15 checkpoint and SmolLM2 activations when ../shared/data exists,
/// otherwise a synthetic SAE (m=4608, d=576, k=32) on 32768 random rows.
func profileBench(_ ctx: BenchContext) throws {
    let shared = ProcessInfo.processInfo.environment["SEEDSCOPE_SHARED_DATA"] ?? "../shared/data"
    let saeURL = URL(fileURLWithPath: shared + "/sparsify-L15-topk-m4608-k32/layers.15/seed0")
    let dataPath = shared + "/smollm2-L15-kjv/activations.safetensors"
    let sae: SparseAutoencoder, input: ProfileInput
    if FileManager.default.fileExists(atPath: dataPath), FileManager.default.fileExists(atPath: saeURL.path) {
        sae = try SAELoader.load(saeURL)
        input = ProfileInput(dataset: try ActivationDataset(path: dataPath))
        ctx.report("profile: real data \(dataPath) with \(saeURL.path)")
    } else {
        var rng = SeededRNG(seed: 3)
        let (m, d, n) = (4608, 576, 32768)
        sae = SparseAutoencoder(encoder: Matrix(rows: m, cols: d, data: rng.gaussians(m * d, scale: 0.04)), encoderBias: rng.gaussians(m, scale: 0.1),
                                decoder: Matrix(rows: m, cols: d, data: rng.gaussians(m * d)), decoderBias: [Float](repeating: 0, count: d),
                                architecture: .topk, k: 32)
        input = ProfileInput(source: InMemoryActivations(Matrix(rows: n, cols: d, data: rng.gaussians(n * d))),
                             tokens: (0..<n).map { Int32($0 % 50000) }, windowLength: 128, excludedPositions: [0])
        ctx.report("profile: synthetic data (../shared/data absent)")
    }
    var cfg = ProfileConfig()
    if let b = ProcessInfo.processInfo.environment["SEEDSCOPE_BLOCK_ROWS"].flatMap(Int.init) { cfg.blockRows = b }
    if let b = ProcessInfo.processInfo.environment["SEEDSCOPE_PANEL_ROWS"].flatMap(Int.init) { cfg.panelRows = b }
    ctx.report("profile: block rows \(cfg.blockRows), panel rows \(cfg.panelRows)")
    let store = try measure(ctx, sae: sae, input: input, cfg: cfg, label: "")
    if ProcessInfo.processInfo.environment["SEEDSCOPE_PROFILE_STEADY"] != "0", input.source.rowCount <= 65536 {
        // A longer stream: a pass's fixed cost (allocating and first touching ~85 MB of per-latent
        // state at m = 4608) is spread over 4× the tokens. The same real tokens are streamed 4×
        // (the label says so), as the shipped data has only 32K rows.
        let rep = RepeatedActivations(input.source, times: 4)
        let long = ProfileInput(source: rep, tokens: input.tokens.map { t in Array((0..<4).map { _ in t }.joined()) },
                                windowLength: input.windowLength, excludedPositions: input.excludedPositions)
        _ = try measure(ctx, sae: sae, input: long, cfg: cfg, label: " [real data streamed 4×]")
    }
    let m = sae.numLatents
    // Card latency from the memory-mapped file.
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("seedscope-bench-profile-\(getpid()).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    try store.write(to: url)
    let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    let t1 = DispatchTime.now().uptimeNanoseconds
    let mapped = try ProfileStore(url: url)
    let open = Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9
    var rng = SeededRNG(seed: 9)
    let ids = (0..<2000).map { _ in Int(rng.next() % UInt64(m)) }
    var times: [Double] = [], examples = 0
    for j in ids {
        let t = DispatchTime.now().uptimeNanoseconds
        let c = mapped.card(j)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        examples += c.top.count + c.intervals.reduce(0) { $0 + $1.examples.count } + c.quantiles.reduce(0) { $0 + $1.examples.count }
    }
    times.sort()
    ctx.report(String(format: "profile store: %.1f MB, open+validate %.1f ms; card read (cold mmap, %d random latents, %.0f examples each): median %.1f µs, p99 %.1f µs, max %.1f µs",
                      Double(size) / 1e6, open * 1e3, ids.count, Double(examples) / Double(ids.count),
                      times[times.count / 2] * 1e6, times[times.count * 99 / 100] * 1e6, times.last! * 1e6))
}

/// One throughput comparison (best of 3 for each side); returns the last profile.
private func measure(_ ctx: BenchContext, sae: SparseAutoencoder, input: ProfileInput, cfg: ProfileConfig, label: String) throws -> ProfileStore {
    let src = input.source, N = src.rowCount, d = src.dim, m = sae.numLatents
    // Bare encoder pass: read rows, subtract b_dec, broadcast the bias, one sgemm per `cap` rows —
    // nothing else. It gets its own best of 1024/2048/4096-row sgemms (fastest taken), so the ratio
    // does not depend on the profiler's block or panel settings.
    var cap = 2048
    func barePass() throws -> Double {
        let x = UnsafeMutablePointer<Float>.allocate(capacity: cap * d), pre = UnsafeMutablePointer<Float>.allocate(capacity: cap * m)
        defer { x.deallocate(); pre.deallocate() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        var r0 = 0
        while r0 < N {
            let n = min(cap, N - r0)
            try src.readRows(r0..<(r0 + n), into: x)
            sae.decoderBias.withUnsafeBufferPointer { b in for r in 0..<n { for j in 0..<d { x[r * d + j] -= b[j] } } }
            sae.encoderBias.withUnsafeBufferPointer { b in for r in 0..<n { (pre + r * m).update(from: b.baseAddress!, count: m) } }
            sae.encoder.data.withUnsafeBufferPointer { w in
                BLAS.gemm(transA: false, transB: true, m: n, n: m, k: d, alpha: 1, a: x, lda: d, b: w.baseAddress!, ldb: d, beta: 1, c: pre, ldc: m)
            }
            r0 += n
        }
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }
    /// Process CPU seconds (user + system, all threads): less sensitive than wall time to other jobs on a shared machine.
    func cpu() -> Double {
        var u = rusage(); getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
    var bare = Double.infinity, pass = Double.infinity, total = Double.infinity
    var bareCPU = Double.infinity, passCPU = Double.infinity
    var store: ProfileStore? = nil
    var best: ProfileTimings? = nil
    for rep in 0..<3 {
        var c1 = cpu()
        for rows in [1024, 2048, 4096] {
            cap = rows
            let c0 = cpu()
            let t = try barePass()
            c1 = cpu()
            bare = min(bare, t)
            bareCPU = min(bareCPU, c1 - c0)
            if rep == 0 { ctx.report(String(format: "profile: bare encoder pass with %d-row sgemms %.3f s", rows, t)) }
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        var passEndCPU = 0.0
        // The last progress call comes after the last block's bookkeeping, before the stores are built.
        let run = try Profiler.run([sae], input: input, config: cfg, progress: { p in
            if p.rowsDone == p.rowsTotal { passEndCPU = cpu() }
            return true
        })
        passCPU = min(passCPU, passEndCPU - c1)
        total = min(total, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        if run.seconds < pass { best = run.timings }
        pass = min(pass, run.seconds)
        store = run.profiles[0]
    }
    let tok = Double(N)
    ctx.report("profile pass\(label) " + String(format: "m=%d d=%d N=%d: bare encoder %.3f s (%.0f tok/s), profiling pass %.3f s (%.0f tok/s), ratio %.1f%% (target ≥ 85%%); finalize+serialize %.3f s",
                      m, d, N, bare, tok / bare, pass, tok / pass, 100 * bare / pass, total - pass))
    ctx.report("profile CPU time\(label) " + String(format: "(all threads): bare encoder %.3f s, profiling pass %.3f s, ratio %.1f%%", bareCPU, passCPU, 100 * bareCPU / passCPU))
    if let b = best {
        ctx.report(String(format: "profile pass phases: read %.3f s, encoder sgemm %.3f s, selection %.3f s, bookkeeping %.3f s; bookkeeping+selection = %.1f%% of sgemm",
                          b.read, b.encode, b.select, b.bookkeeping, 100 * (b.select + b.bookkeeping) / b.encode))
    }
    return store!
}

/// `base`'s rows repeated `times` times (row i reads base row i mod N).
private final class RepeatedActivations: ActivationSource, @unchecked Sendable {
    let base: any ActivationSource, times: Int
    init(_ base: any ActivationSource, times: Int) { self.base = base; self.times = times }
    var rowCount: Int { base.rowCount * times }
    var dim: Int { base.dim }
    func readRows(_ range: Range<Int>, into dst: UnsafeMutablePointer<Float>) throws {
        let n = base.rowCount
        var r = range.lowerBound
        while r < range.upperBound {
            let b0 = r % n, len = min(range.upperBound - r, n - b0)
            try base.readRows(b0..<(b0 + len), into: dst + (r - range.lowerBound) * dim)
            r += len
        }
    }
}
