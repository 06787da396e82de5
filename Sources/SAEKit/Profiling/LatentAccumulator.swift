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
    let logLowF: Float, binsPerDecadeF: Float
    /// `[H + 1]` histogram bin edges.
    let edges: UnsafeMutablePointer<Double>

    let count: UnsafeMutablePointer<Int>, windowCount: UnsafeMutablePointer<Int>
    let sum: UnsafeMutablePointer<Double>, sumSq: UnsafeMutablePointer<Double>
    let maxAct: UnsafeMutablePointer<Float>
    /// `[m × H]`
    let hist: UnsafeMutablePointer<UInt32>
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
    /// Spans of the examples held by `top`, `iv` and `qs`.
    let pool: SpanPool
    /// Per-thread scratch.
    let scratch: [Scratch]
    /// Rows in the data (the last window may be partial).
    let totalRows: Int

    init(m: Int, windowLength: Int, totalRows: Int, config: ProfileConfig, threads: Int) {
        self.m = m; T = windowLength; cfg = config
        spanCap = 2 * config.context + 1
        H = config.histogramBins; K = config.topK
        F = 2 * config.intervals; s = config.samplesPerInterval; Fc = 8 * F
        S = config.quantiles * config.samplesPerQuantile
        logLowF = Float(log10(config.histogramLow)); binsPerDecadeF = Float(config.binsPerDecade)
        edges = rawBuffer(H + 1, 0)
        for (i, e) in config.histogramEdges.enumerated() { edges[i] = e }
        count = rawBuffer(m, 0); windowCount = rawBuffer(m, 0); sum = rawBuffer(m, 0); sumSq = rawBuffer(m, 0)
        maxAct = rawBuffer(m, 0); hist = rawBuffer(m * H, 0)
        top = ExampleSlots(count: m * K); topSize = rawBuffer(m, 0)
        binWidth = rawBuffer(m, 0)
        iv = ExampleSlots(count: m * F * s)
        ivSize = rawBuffer(m * F, 0); ivMaxPrio = rawBuffer(m * F, 0); ivCounts = rawBuffer(m * Fc, 0)
        qs = ExampleSlots(count: m * S)
        pool = SpanPool(latents: m, perLatent: K + F * s + S + 1, spanCap: spanCap)
        qSize = rawBuffer(m, 0); qMaxPrio = rawBuffer(m, 0)
        scratch = (0..<max(1, threads)).map { _ in Scratch(m: m, mergeSlots: 2 * config.samplesPerInterval) }
        self.totalRows = totalRows
    }

    deinit {
        count.deallocate(); windowCount.deallocate(); sum.deallocate(); sumSq.deallocate(); maxAct.deallocate()
        hist.deallocate(); topSize.deallocate(); edges.deallocate()
        binWidth.deallocate(); ivSize.deallocate(); ivMaxPrio.deallocate(); ivCounts.deallocate()
        qSize.deallocate(); qMaxPrio.deallocate()
    }

    /// Log-spaced histogram bin of a positive activation: the b with `edges[b] ≤ v < edges[b+1]`
    /// (`ProfileConfig.histogramEdges`, the documented definition). A bit-level log2 estimate
    /// (error < 0.09 in log2, under one bin) gives the starting bin and the edge table settles it:
    /// ~5× cheaper than `log10` per firing entry, and exact at the bin edges.
    @inline(__always)
    func histBin(_ v: Float) -> Int {
        let bits = v.bitPattern
        let log2 = Float(Int((bits >> 23) & 0xff) - 127) + (Float(bitPattern: (bits & 0x7f_ffff) | 0x3f80_0000) - 1)
        var b = 1 + Int(Swift.max(-1, Swift.min(Float(H), (log2 * 0.30103 - logLowF) * binsPerDecadeF)).rounded(.down))
        b = Swift.max(0, Swift.min(H - 1, b))
        let x = Double(v)
        while b > 0 && x < edges[b] { b -= 1 }
        while b < H - 1 && x >= edges[b + 1] { b += 1 }
        return b
    }

    /// Per-thread scratch: the block's entries of the thread's latent range by latent (CSC).
    final class Scratch: @unchecked Sendable {
        let start: UnsafeMutablePointer<Int>
        var row: UnsafeMutablePointer<Int32>, val: UnsafeMutablePointer<Float>, cap: Int
        /// 2s slots for merging interval bins.
        let merge: ExampleSlots
        init(m: Int, mergeSlots: Int) {
            merge = ExampleSlots(count: max(1, mergeSlots))
            start = rawBuffer(m + 1, 0); cap = 1 << 16
            row = rawBuffer(cap, 0); val = rawBuffer(cap, 0)
        }
        func reserve(_ n: Int) {
            guard n > cap else { return }
            row.deallocate(); val.deallocate()
            cap = max(n, 2 * cap); row = rawBuffer(cap, 0); val = rawBuffer(cap, 0)
        }
        deinit { start.deallocate(); row.deallocate(); val.deallocate() }
    }

    /// Folds the firing entries of an encoded block (rows `firstRow..<firstRow+enc.rows`, whole
    /// windows) into the state of latents `lo..<hi`. The entries are first regrouped by latent
    /// (a counting sort, rows stay ascending), so each latent's windows are closed from its own
    /// contiguous list and example spans come from that list, not from the dense pre-activations.
    /// - Complexity: O(entries in the block) plus O(K + s + span) per (latent, window) that enters a heap or reservoir.
    func update(block enc: BlockEncoder, firstRow: Int, latents lo: Int, _ hi: Int, thread t: Int) {
        let sc = scratch[t]
        let n = enc.rows, cb = enc.codes.begin, ce = enc.codes.end, lat = enc.codes.latents, val = enc.codes.values
        let lo32 = Int32(lo), hi32 = Int32(hi), width = hi - lo
        let st = sc.start
        for i in 0...width { st[i] = 0 }
        for r in 0..<n { for e in cb[r]..<ce[r] where lat[e] >= lo32 && lat[e] < hi32 { st[Int(lat[e] - lo32) + 1] += 1 } }
        for i in 0..<width { st[i + 1] += st[i] }
        sc.reserve(st[width])
        for r in 0..<n {
            for e in cb[r]..<ce[r] where lat[e] >= lo32 && lat[e] < hi32 {
                let i = Int(lat[e] - lo32)
                sc.row[st[i]] = Int32(r); sc.val[st[i]] = val[e]; st[i] += 1
            }
        }
        // st[i] is now the end of latent lo+i's list; its start is st[i−1] (0 for i = 0).
        var begin = 0
        for i in 0..<width {
            let end = st[i]
            defer { begin = end }
            guard end > begin else { continue }
            let j = lo + i
            var c = count[j], s1 = sum[j], s2 = sumSq[j], mx = maxAct[j]
            var winStart = begin
            var w = Int32((firstRow + Int(sc.row[begin])) / T), wMax: Float = 0, wPos: Int32 = 0
            for e in begin..<end {
                let row = firstRow + Int(sc.row[e]), v = sc.val[e]
                c += 1
                let dv = Double(v)
                s1 += dv; s2 += dv * dv
                if v > mx { mx = v }
                hist[j * H + histBin(v)] += 1
                let rw = Int32(row / T)
                if rw != w {
                    close(j, ExampleCandidate(value: wMax, window: w, maxPos: wPos, prio: 0), winStart, e, firstRow, sc)
                    w = rw; wMax = 0; winStart = e
                }
                if v > wMax { wMax = v; wPos = Int32(row % T) }
            }
            close(j, ExampleCandidate(value: wMax, window: w, maxPos: wPos, prio: 0), winStart, end, firstRow, sc)
            count[j] = c; sum[j] = s1; sumSq[j] = s2; maxAct[j] = mx
        }
    }

    /// Where a closing window's span is read from; the span is computed at most once per window.
    struct CloseContext {
        let sc: Scratch
        /// The window's entries in the scratch list, and the block's first row.
        let first: Int, last: Int, firstRow: Int, winLen: Int
        /// The window's span in the pool, once written (−1 before).
        var handle: Int32 = -1
    }

    /// Closes latent j's window (its entries are `sc.row/val[first..<last]`): it becomes a candidate
    /// for the top-K heap and both reservoirs.
    private func close(_ j: Int, _ cand: ExampleCandidate, _ first: Int, _ last: Int, _ firstRow: Int, _ sc: Scratch) {
        windowCount[j] += 1
        var c = cand
        c.prio = samplePriority(seed: cfg.samplingSeed, latent: j, window: c.window)
        var ctx = CloseContext(sc: sc, first: first, last: last, firstRow: firstRow,
                               winLen: min(T, totalRows - Int(c.window) * T))
        offerTop(j, c, &ctx)
        offerInterval(j, c, &ctx)
        offerQuantile(j, c, &ctx)
    }

    /// Writes the span (±context around the max, clipped to the window) of latent j in c's window
    /// into the pool, once per window, from the window's firing entries (every other token of the
    /// span has activation 0).
    @inline(__always)
    func prepareSpan(_ j: Int, _ c: ExampleCandidate, _ ctx: inout CloseContext) {
        if ctx.handle >= 0 { return }
        let a = max(0, Int(c.maxPos) - cfg.context), b = min(ctx.winLen, Int(c.maxPos) + cfg.context + 1)
        let h = pool.allocate(j)
        let span = pool.span(h)
        for i in 0..<(b - a) { span[i] = 0 }
        let winRow = Int(c.window) * T - ctx.firstRow
        for e in ctx.first..<ctx.last {
            let p = Int(ctx.sc.row[e]) - winRow
            if p >= a && p < b { span[p - a] = ctx.sc.val[e] }
        }
        pool.start[Int(h)] = Int32(a); pool.length[Int(h)] = Int32(b - a)
        ctx.handle = h
    }
}
