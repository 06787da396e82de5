import Foundation
import SAEKit

/// `train`: tokens/s of one TopK training step (d=576, m=4608, k=32, batch 1024, Adam, AuxK on)
/// for seedscope next to PyTorch CPU running sparsify's own SparseCoder forward + backward + Adam
/// step on the same shapes, as a ratio from the same run.
func trainBench(_ ctx: BenchContext) throws {
    let d = 576, m = 4608, k = 32, B = 1024, steps = Int(ProcessInfo.processInfo.environment["TRAIN_BENCH_STEPS"] ?? "") ?? 30
    var rng = SeededRNG(seed: 3)
    // Correlated synthetic activations (a random linear mix of sparse sources), 8 batches' worth.
    let rows = 8 * B
    let mix = Matrix(rows: 256, cols: d, data: rng.gaussians(256 * d, scale: 0.2))
    var codes = Matrix(rows: rows, cols: 256)
    for n in 0..<rows { for _ in 0..<12 { codes[n, Int(rng.next() % 256)] = rng.nextFloat() * 3 } }
    var x = BLAS.matmul(codes, mix)
    for j in 0..<x.data.count { x.data[j] += 0.05 * rng.nextGaussian() }
    let src = InMemoryActivations(x)
    var cfg = TrainingConfig()
    cfg.architecture = .topk; cfg.latents = m; cfg.k = k; cfg.batchSize = B; cfg.steps = steps
    cfg.deadTokens = 1   // every latent silent in the last batch counts as dead (≈1% here): AuxK runs every step
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("seedscope-trainbench-\(getpid())")
    defer { try? FileManager.default.removeItem(at: out) }
    let run = try TrainingRun(config: cfg, seeds: [0], data: TrainingData(source: src, trainRows: Array(0..<rows), evalRows: []), outDir: out)
    let t0 = DispatchTime.now().uptimeNanoseconds
    let res = try run.run()
    let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    let ours = Double(steps * B) / secs
    let fvu = res.seeds[0].last?.fvu ?? .nan
    ctx.report(String(format: "seedscope TopK train step d=%d m=%d k=%d B=%d: %.0f tokens/s (%.1f ms/step, %d steps, last FVU %.3f, dead %.3f)",
                      d, m, k, B, ours, secs / Double(steps) * 1e3, steps, fvu, res.seeds[0].last?.deadFraction ?? .nan))
    guard let py = ctx.python else { ctx.report("PyTorch peer skipped (no --python)"); return }
    let script = """
    import os; os.environ["SPARSIFY_DISABLE_TRITON"] = "1"  # CPU: sparsify's eager decode
    import time, torch, sys
    from sparsify import SparseCoder, SparseCoderConfig
    torch.manual_seed(0)
    d, m, k, B, steps = \(d), \(m), \(k), \(B), \(steps)
    torch.set_num_threads(\(ProcessInfo.processInfo.activeProcessorCount))
    mix = torch.randn(256, d) * 0.2
    codes = torch.zeros(8 * B, 256)
    idx = torch.randint(0, 256, (8 * B, 12)); codes.scatter_(1, idx, torch.rand(8 * B, 12) * 3)
    x = codes @ mix + 0.05 * torch.randn(8 * B, d)
    sae = SparseCoder(d, SparseCoderConfig(num_latents=m, k=k), device="cpu", dtype=torch.float32)
    sae.b_dec.data = x[:B].mean(0)
    opt = torch.optim.Adam(sae.parameters(), lr=2e-4 / (m / 2**14) ** 0.5)
    dead = torch.zeros(m, dtype=torch.bool); dead[::90] = True  # 52 dead (≈1%, k_aux 52), as in seedscope's run
    def step(i):
        xb = x[(i % 8) * B:(i % 8 + 1) * B]
        sae.set_decoder_norm_to_unit_norm()
        out = sae(xb, dead_mask=dead)
        loss = out.fvu + out.auxk_loss / 32
        loss.backward()
        sae.remove_gradient_parallel_to_decoder_directions()
        opt.step(); opt.zero_grad(set_to_none=False)
        return float(out.fvu)
    for i in range(3): step(i)
    t0 = time.perf_counter()
    for i in range(steps): f = step(i)
    dt = time.perf_counter() - t0
    print(f"{steps * B / dt:.1f} {f:.4f} {torch.__version__} {torch.get_num_threads()}")
    """
    let res2 = try runPython(py, script)
    let parts = (res2.split(separator: "\n").last ?? "").split(separator: " ")
    guard parts.count >= 4, let theirs = Double(parts[0]) else { ctx.report("PyTorch peer failed: \(res2)"); return }
    ctx.report(String(format: "PyTorch %@ CPU (%@ threads) sparsify SparseCoder fwd+bwd+Adam, same shapes: %.0f tokens/s (last FVU %@)", String(parts[2]), String(parts[3]), theirs, String(parts[1])))
    ctx.report(String(format: "ratio seedscope / PyTorch+sparsify: %.2fx", ours / theirs))
}

/// Runs `script` with `python`, returning its trimmed stdout (stderr's last line on failure).
func runPython(_ python: String, _ script: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("seedscope-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).py")
    try script.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python)
    p.arguments = [url.path]
    let outPipe = Pipe(), errPipe = Pipe()
    p.standardOutput = outPipe; p.standardError = errPipe
    try p.run()
    let out = outPipe.fileHandleForReading.readDataToEndOfFile()
    let err = errPipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    if p.terminationStatus != 0 {
        let last = String(decoding: err, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "exit \(p.terminationStatus)"
        return "error: \(last)"
    }
    return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// `groundtruth`: the larger recovery check — d=64, 512 true unit features with power-law
/// frequencies (p_i ∝ (i+1)^−0.5, mean L0 = 8), magnitudes U(0.5, 1.5), noise σ = 0.01; TopK (k=8) and
/// ReLU+L1 (λ tuned for L0 ≈ 8) with m = 1024; reports the fraction of true features whose best decoder
/// row has cosine > 0.9 (target ≥ 90% for TopK).
func groundTruthBench(_ ctx: BenchContext) throws {
    let d = 64, F = 512, l0 = 8.0, rows = 200_000
    var rng = SeededRNG(seed: 2026)
    var dirs = Matrix(rows: F, cols: d, data: rng.gaussians(F * d))
    dirs.normalizeRows()
    let raw = (0..<F).map { pow(Double($0 + 1), -0.5) }
    let p = raw.map { min(1, $0 * l0 / raw.reduce(0, +)) }
    var x = Matrix(rows: rows, cols: d)
    var active = 0
    for n in 0..<rows {
        for i in 0..<F where rng.nextDouble() < p[i] {
            active += 1
            let a = 0.5 + rng.nextFloat()
            for j in 0..<d { x[n, j] += a * dirs[i, j] }
        }
        for j in 0..<d { x[n, j] += 0.01 * rng.nextGaussian() }
    }
    ctx.report(String(format: "groundtruth data: d=%d, %d features, mean L0 %.2f, %d rows (generator seed 2026)", d, F, Double(active) / Double(rows), rows))
    let src = InMemoryActivations(x)
    let td = TrainingData(source: src, trainRows: Array(0..<(rows - 10_000)), evalRows: Array((rows - 10_000)..<rows))
    let steps = Int(ProcessInfo.processInfo.environment["GT_BENCH_STEPS"] ?? "") ?? 8000
    for (arch, lam) in [(SAEArchitecture.topk, 0.0), (.relu, Double(ProcessInfo.processInfo.environment["GT_BENCH_L1"] ?? "") ?? 5.5)] {
        var cfg = TrainingConfig()
        cfg.architecture = arch; cfg.latents = 1024; cfg.k = 8; cfg.steps = steps; cfg.batchSize = 512
        cfg.learningRate = 2e-3; cfg.sparsityCoefficient = lam
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("seedscope-gt-\(getpid())-\(arch.rawValue)")
        defer { try? FileManager.default.removeItem(at: out) }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let run = try TrainingRun(config: cfg, seeds: [0], data: td, outDir: out)
        let res = try run.run()
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let sae = try SAELoader.load(out.appendingPathComponent("seed0"))
        let sims = BLAS.matmul(dirs, sae.decoder.rowNormalized(), transB: true)
        var hit = 0
        for i in 0..<F { var best: Float = -1; for j in 0..<sims.cols { best = max(best, sims[i, j]) }; if best > 0.9 { hit += 1 } }
        let h = res.seeds[0].heldOut
        ctx.report(String(format: "groundtruth %@%@: %d/%d features recovered at cos > 0.9 (%.1f%%), held-out FVU %.3f, L0 %.1f, dead %.3f, %d steps × 512 in %.0f s",
                          arch.rawValue, arch == .relu ? String(format: " λ=%.1f", lam) : " k=8", hit, F, 100 * Double(hit) / Double(F),
                          h?.fvu ?? .nan, h?.l0 ?? .nan, h?.deadFraction ?? .nan, steps, secs))
    }
}
