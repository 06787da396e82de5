/// Heap and reservoir updates of `LatentAccumulator` (one candidate window at a time).
extension LatentAccumulator {
    /// Writes candidate c into `slot`; `replacing`: the slot holds an example whose span is released.
    @inline(__always)
    private func put(_ slots: ExampleSlots, _ slot: Int, _ j: Int, _ c: ExampleCandidate, _ ctx: inout CloseContext, replacing: Bool) {
        prepareSpan(j, c, &ctx)
        if replacing { pool.release(slots.span[slot]) }
        slots.fill(slot, c, span: ctx.handle)
        pool.retain(ctx.handle)
    }

    /// Bounded min-heap of the K best windows by (activation desc, window asc).
    func offerTop(_ j: Int, _ c: ExampleCandidate, _ ctx: inout CloseContext) {
        let base = j * K
        let n = topSize[j]
        let v = top.value, w = top.window
        if n < K {
            put(top, base + n, j, c, &ctx, replacing: false)
            topSize[j] = n + 1
            var i = n
            while i > 0 {
                let p = (i - 1) / 2
                guard exampleWorse(v[base + i], w[base + i], v[base + p], w[base + p]) else { break }
                top.swap(base + i, base + p); i = p
            }
        } else if exampleWorse(v[base], w[base], c.value, c.window) {
            put(top, base, j, c, &ctx, replacing: true)
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var s = i
                if l < K && exampleWorse(v[base + l], w[base + l], v[base + s], w[base + s]) { s = l }
                if r < K && exampleWorse(v[base + r], w[base + r], v[base + s], w[base + s]) { s = r }
                if s == i { break }
                top.swap(base + i, base + s); i = s
            }
        }
    }

    /// Equal-width bins over [0, F·width): each keeps the s lowest-priority windows and finer counts.
    /// When a window's max exceeds the range the width doubles and adjacent bins merge (bottom-s of
    /// a union = bottom-s of the two bottom-s sets, so the samples stay exact uniform samples per bin).
    func offerInterval(_ j: Int, _ c: ExampleCandidate, _ ctx: inout CloseContext) {
        if binWidth[j] == 0 { binWidth[j] = 2 * c.value / Float(F) }
        while c.value >= binWidth[j] * Float(F) { doubleBins(j, ctx.sc) }
        let fine = min(Fc - 1, Int(c.value / (binWidth[j] / 8)))
        ivCounts[j * Fc + fine] += 1
        guard s > 0 else { return }
        let bin = j * F + min(F - 1, fine / 8)
        offerReservoir(iv, bin: bin, slotBase: bin * s, cap: s, sizes: ivSize, maxPrio: ivMaxPrio, j, c, &ctx)
    }

    /// Uniform sample (bottom-S priorities) of all firing windows, split into rank quantiles at the end.
    func offerQuantile(_ j: Int, _ c: ExampleCandidate, _ ctx: inout CloseContext) {
        guard S > 0 else { return }
        offerReservoir(qs, bin: j, slotBase: j * S, cap: S, sizes: qSize, maxPrio: qMaxPrio, j, c, &ctx)
    }

    @inline(__always)
    private func offerReservoir(_ slots: ExampleSlots, bin: Int, slotBase: Int, cap: Int, sizes: UnsafeMutablePointer<Int>,
                                maxPrio: UnsafeMutablePointer<UInt64>, _ j: Int, _ c: ExampleCandidate, _ ctx: inout CloseContext) {
        let n = sizes[bin]
        if n < cap {
            put(slots, slotBase + n, j, c, &ctx, replacing: false)
            sizes[bin] = n + 1
            if n == 0 || c.prio > maxPrio[bin] { maxPrio[bin] = c.prio }
        } else if c.prio < maxPrio[bin] {
            var at = slotBase
            for i in slotBase..<(slotBase + cap) where slots.prio[i] == maxPrio[bin] { at = i; break }
            put(slots, at, j, c, &ctx, replacing: true)
            var mx: UInt64 = 0
            for i in slotBase..<(slotBase + cap) { mx = max(mx, slots.prio[i]) }
            maxPrio[bin] = mx
        }
    }

    /// Doubles latent j's bin width: count bins and sample bins 2b, 2b+1 merge into b (in place,
    /// ascending b, through the thread's 2s-slot scratch; no allocation).
    private func doubleBins(_ j: Int, _ sc: Scratch) {
        binWidth[j] *= 2
        let cb = j * Fc
        for c in 0..<(Fc / 2) { ivCounts[cb + c] = ivCounts[cb + 2 * c] + ivCounts[cb + 2 * c + 1] }
        for c in (Fc / 2)..<Fc { ivCounts[cb + c] = 0 }
        guard s > 0 else { return }
        let tmp = sc.merge
        for b in 0..<(F / 2) {
            var n = 0
            for old in [2 * b, 2 * b + 1] {
                let bin = j * F + old
                for i in 0..<ivSize[bin] { tmp.copy(n, from: iv, bin * s + i); n += 1 }
            }
            // Keep the s lowest priorities (selection sort: n ≤ 2s is small); the rest drop their spans.
            let keep = min(s, n)
            for i in 0..<keep {
                var best = i
                for q in (i + 1)..<max(i + 1, n) where tmp.prio[q] < tmp.prio[best] { best = q }
                if best != i { tmp.swap(i, best) }
            }
            for i in keep..<max(keep, n) { pool.release(tmp.span[i]) }
            let bin = j * F + b
            for i in 0..<keep { iv.copy(bin * s + i, from: tmp, i) }
            ivSize[bin] = keep
            ivMaxPrio[bin] = keep > 0 ? tmp.prio[keep - 1] : 0
        }
        for b in (F / 2)..<F { ivSize[j * F + b] = 0 }
    }
}
