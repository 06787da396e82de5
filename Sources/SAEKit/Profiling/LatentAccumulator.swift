import Foundation

/// Per-latent profiling state of one SAE for one pass, updated from the firing entries of each block.
///
/// Memory is O(m·(H + K + 2n·s + S)·span) — bounded by the number of latents, K, the sampling sizes
/// and the context, never by the number of tokens. State of different latents is disjoint, so the
/// update is split over threads by latent ranges (`update(block:…)`).
final class LatentAccumulator: @unchecked Sendable {
    let m: Int, T: Int, cfg: ProfileConfig
    let spanCap: Int, H: Int, K: Int
    /// Interval sample bins F (equal width, doubled on overflow), s samples each, and Fc = 8F count bins.
    let F: Int, s: Int, Fc: Int
    /// Quantile reservoir size (n·s) per latent.
    let S: Int
    let logLow: Double, binsPerDecade: Double

    let count: UnsafeMutablePointer<Int>, windowCount: UnsafeMutablePointer<Int>
    let sum: UnsafeMutablePointer<Double>, sumSq: UnsafeMutablePointer<Double>
    let maxAct: UnsafeMutablePointer<Float>
    /// `[m × H]`
    let hist: UnsafeMutablePointer<UInt32>
    // The window currently open per latent (its running max and first argmax position).
    let pendWin: UnsafeMutablePointer<Int32>, pendMax: UnsafeMutablePointer<Float>, pendPos: UnsafeMutablePointer<Int32>
    // Top-K windows: min-heap per latent (root = worst).
    let top: ExampleSlots
    let topSize: UnsafeMutablePointer<Int>
    // Interval sampling: bin width per latent, bottom-s reservoirs per bin, counts per fine bin.
    let binWidth: UnsafeMutablePointer<Float>
    let iv: ExampleSlots
    let ivSize: UnsafeMutablePointer<Int>, ivMaxPrio: UnsafeMutablePointer<UInt64>
    let ivCounts: UnsafeMutablePointer<UInt32>
    // Quantile sampling: bottom-S reservoir of firing windows per latent.
    let qs: ExampleSlots
    let qSize: UnsafeMutablePointer<Int>, qMaxPrio: UnsafeMutablePointer<UInt64>
    /// Per thread: latents touched in the current block, and a span scratch buffer.
    let touched: [UnsafeMutablePointer<Int32>]
    let spanScratch: [UnsafeMutablePointer<Float>]

    init(m: Int, windowLength: Int, config: ProfileConfig, threads: Int) {
        self.m = m; T = windowLength; cfg = config
        spanCap = 2 * config.context + 1
        H = config.histogramBins; K = config.topK
        F = 2 * config.intervals; s = config.samplesPerInterval; Fc = 8 * F
        S = config.quantiles * config.samplesPerQuantile
        logLow = log10(config.histogramLow); binsPerDecade = Double(config.binsPerDecade)
        count = rawBuffer(m, 0); windowCount = rawBuffer(m, 0); sum = rawBuffer(m, 0); sumSq = rawBuffer(m, 0)
        maxAct = rawBuffer(m, 0); hist = rawBuffer(m * H, 0)
        pendWin = rawBuffer(m, -1); pendMax = rawBuffer(m, 0); pendPos = rawBuffer(m, 0)
        top = ExampleSlots(count: m * K, spanCap: spanCap); topSize = rawBuffer(m, 0)
        binWidth = rawBuffer(m, 0)
        iv = ExampleSlots(count: m * F * s, spanCap: spanCap)
        ivSize = rawBuffer(m * F, 0); ivMaxPrio = rawBuffer(m * F, 0); ivCounts = rawBuffer(m * Fc, 0)
        qs = ExampleSlots(count: m * S, spanCap: spanCap)
        qSize = rawBuffer(m, 0); qMaxPrio = rawBuffer(m, 0)
        touched = (0..<max(1, threads)).map { _ in rawBuffer(m, 0) }
        spanScratch = (0..<max(1, threads)).map { _ in rawBuffer(2 * config.context + 1, 0) }
    }

    deinit {
        count.deallocate(); windowCount.deallocate(); sum.deallocate(); sumSq.deallocate(); maxAct.deallocate()
        hist.deallocate(); pendWin.deallocate(); pendMax.deallocate(); pendPos.deallocate(); topSize.deallocate()
        binWidth.deallocate(); ivSize.deallocate(); ivMaxPrio.deallocate(); ivCounts.deallocate()
        qSize.deallocate(); qMaxPrio.deallocate()
        for p in touched { p.deallocate() }
        for p in spanScratch { p.deallocate() }
    }

    /// Log-spaced histogram bin of a positive activation.
    @inline(__always)
    func histBin(_ v: Float) -> Int {
        let x = (log10(Double(v)) - logLow) * binsPerDecade
        if !(x >= 0) { return 0 }
        return min(H - 1, 1 + Int(x))
    }

    /// Folds the firing entries of an encoded block (rows `firstRow..<firstRow+enc.rows`, whole
    /// windows) into the state of latents `lo..<hi`, then closes every window of the block for them.
    /// - Complexity: O(entries in the block) plus O(K + s + span) per (latent, window) that enters a heap or reservoir.
    func update(block enc: BlockEncoder, firstRow: Int, latents lo: Int, _ hi: Int, thread t: Int) {
        let tl = touched[t]
        var nt = 0
        let lo32 = Int32(lo), hi32 = Int32(hi)
        var ctx = CloseContext(enc: enc, firstRow: firstRow, span: spanScratch[t])
        for (si, codes) in enc.segments.enumerated() {
            let rows = enc.segmentRows[si]
            let rs = codes.rowStart, lat = codes.latents, val = codes.values
            do {
                for (ri, r) in rows.enumerated() {
                    let row = firstRow + r
                    let w = Int32(row / T), pos = Int32(row % T)
                    for e in rs[ri]..<rs[ri + 1] {
                        let j32 = lat[e]
                        guard j32 >= lo32 && j32 < hi32 else { continue }
                        let j = Int(j32), v = val[e]
                        count[j] += 1
                        let dv = Double(v)
                        sum[j] += dv; sumSq[j] += dv * dv
                        if v > maxAct[j] { maxAct[j] = v }
                        hist[j * H + histBin(v)] += 1
                        if pendWin[j] != w {
                            if pendWin[j] >= 0 { close(j, &ctx) } else { tl[nt] = j32; nt += 1 }
                            pendWin[j] = w; pendMax[j] = v; pendPos[j] = pos
                        } else if v > pendMax[j] {
                            pendMax[j] = v; pendPos[j] = pos
                        }
                    }
                }
            }
        }
        for i in 0..<nt {
            let j = Int(tl[i])
            close(j, &ctx)
            pendWin[j] = -1
        }
    }

    /// Where a closing window's span is read from; the span is computed at most once per window.
    struct CloseContext {
        let enc: BlockEncoder
        let firstRow: Int
        let span: UnsafeMutablePointer<Float>
        var ready = false
        var start: Int32 = 0, length: Int32 = 0
    }

    /// Closes latent j's open window: it becomes a candidate for the top-K heap and both reservoirs.
    private func close(_ j: Int, _ ctx: inout CloseContext) {
        windowCount[j] += 1
        let c = Candidate(value: pendMax[j], window: pendWin[j], maxPos: pendPos[j],
                          prio: samplePriority(seed: cfg.samplingSeed, latent: j, window: pendWin[j]))
        ctx.ready = false
        offerTop(j, c, &ctx)
        offerInterval(j, c, &ctx)
        offerQuantile(j, c, &ctx)
    }

    /// The span (±context around the max, clipped to the window) of latent j in c's window.
    @inline(__always)
    func prepareSpan(_ j: Int, _ c: Candidate, _ ctx: inout CloseContext) {
        if ctx.ready { return }
        let winStart = Int(c.window) * T
        let winLen = min(T, ctx.enc.rows + ctx.firstRow - winStart)
        let a = max(0, Int(c.maxPos) - cfg.context), b = min(winLen, Int(c.maxPos) + cfg.context + 1)
        let local = winStart - ctx.firstRow
        for i in 0..<spanCap { ctx.span[i] = i < b - a ? ctx.enc.activation(row: local + a + i, latent: j) : 0 }
        ctx.start = Int32(a); ctx.length = Int32(b - a); ctx.ready = true
    }
}
