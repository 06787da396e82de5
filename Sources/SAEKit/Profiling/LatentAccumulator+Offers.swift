/// Heap and reservoir updates of `LatentAccumulator` (one candidate window at a time).
extension LatentAccumulator {
    /// Bounded min-heap of the K best windows by (activation desc, window asc).
    func offerTop(_ j: Int, _ c: Candidate, _ enc: BlockEncoder, _ firstRow: Int) {
        let base = j * K
        let n = topSize[j]
        if n < K {
            fillSlot(top, base + n, j, c, enc, firstRow)
            topSize[j] = n + 1
            var i = n
            while i > 0 {
                let p = (i - 1) / 2
                guard exampleWorse(top.value[base + i], top.window[base + i], top.value[base + p], top.window[base + p]) else { break }
                top.swap(base + i, base + p); i = p
            }
        } else if exampleWorse(top.value[base], top.window[base], c.value, c.window) {
            fillSlot(top, base, j, c, enc, firstRow)
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var w = i
                if l < K && exampleWorse(top.value[base + l], top.window[base + l], top.value[base + w], top.window[base + w]) { w = l }
                if r < K && exampleWorse(top.value[base + r], top.window[base + r], top.value[base + w], top.window[base + w]) { w = r }
                if w == i { break }
                top.swap(base + i, base + w); i = w
            }
        }
    }

    /// Equal-width bins over [0, F·width): each keeps the s lowest-priority windows and finer counts.
    /// When a window's max exceeds the range the width doubles and adjacent bins merge (bottom-s of
    /// a union = bottom-s of the two bottom-s sets, so the samples stay exact uniform samples per bin).
    func offerInterval(_ j: Int, _ c: Candidate, _ enc: BlockEncoder, _ firstRow: Int) {
        if binWidth[j] == 0 { binWidth[j] = 2 * c.value / Float(F) }
        while c.value >= binWidth[j] * Float(F) { doubleBins(j) }
        let w = binWidth[j]
        let fine = min(Fc - 1, Int(c.value / (w / 8)))
        ivCounts[j * Fc + fine] += 1
        guard s > 0 else { return }
        let b = min(F - 1, fine / 8)
        offerReservoir(iv, bin: j * F + b, slotBase: (j * F + b) * s, cap: s, sizes: &ivSize, maxPrio: &ivMaxPrio, j, c, enc, firstRow)
    }

    /// Uniform sample (bottom-S priorities) of all firing windows, split into rank quantiles at the end.
    func offerQuantile(_ j: Int, _ c: Candidate, _ enc: BlockEncoder, _ firstRow: Int) {
        guard S > 0 else { return }
        offerReservoir(qs, bin: j, slotBase: j * S, cap: S, sizes: &qSize, maxPrio: &qMaxPrio, j, c, enc, firstRow)
    }

    private func offerReservoir(_ slots: ExampleSlots, bin: Int, slotBase: Int, cap: Int, sizes: inout [Int],
                                maxPrio: inout [UInt64], _ j: Int, _ c: Candidate, _ enc: BlockEncoder, _ firstRow: Int) {
        let n = sizes[bin]
        if n < cap {
            fillSlot(slots, slotBase + n, j, c, enc, firstRow)
            sizes[bin] = n + 1
            if n == 0 || c.prio > maxPrio[bin] { maxPrio[bin] = c.prio }
        } else if c.prio < maxPrio[bin] {
            var at = slotBase
            for i in slotBase..<(slotBase + cap) where slots.prio[i] == maxPrio[bin] { at = i; break }
            fillSlot(slots, at, j, c, enc, firstRow)
            var mx: UInt64 = 0
            for i in slotBase..<(slotBase + cap) { mx = max(mx, slots.prio[i]) }
            maxPrio[bin] = mx
        }
    }

    private func doubleBins(_ j: Int) {
        binWidth[j] *= 2
        let cb = j * Fc
        for c in 0..<(Fc / 2) { ivCounts[cb + c] = ivCounts[cb + 2 * c] + ivCounts[cb + 2 * c + 1] }
        for c in (Fc / 2)..<Fc { ivCounts[cb + c] = 0 }
        guard s > 0 else { return }
        // Gather every sample with its new bin, then rebuild the bins (merges are rare: log2 of the range).
        let tmp = ExampleSlots(count: F * s, spanCap: spanCap)
        var newBin: [Int] = []
        for b in 0..<F {
            let bin = j * F + b
            for i in 0..<ivSize[bin] { tmp.copy(newBin.count, from: iv, bin * s + i); newBin.append(b / 2) }
            ivSize[bin] = 0
        }
        let order = (0..<newBin.count).sorted { tmp.prio[$0] < tmp.prio[$1] }
        for o in order {
            let bin = j * F + newBin[o]
            guard ivSize[bin] < s else { continue }
            iv.copy(bin * s + ivSize[bin], from: tmp, o)
            ivSize[bin] += 1
            ivMaxPrio[bin] = tmp.prio[o]
        }
    }

    private func fillSlot(_ slots: ExampleSlots, _ slot: Int, _ j: Int, _ c: Candidate, _ enc: BlockEncoder, _ firstRow: Int) {
        let winStart = Int(c.window) * T
        let winLen = min(T, enc.rows + firstRow - winStart)
        let ctx = cfg.context
        let a = max(0, Int(c.maxPos) - ctx), b = min(winLen, Int(c.maxPos) + ctx + 1)
        slots.value[slot] = c.value; slots.window[slot] = c.window; slots.maxPos[slot] = c.maxPos
        slots.prio[slot] = c.prio; slots.spanStart[slot] = Int32(a); slots.spanLen[slot] = Int32(b - a)
        let base = slot * spanCap, local = winStart - firstRow
        for i in 0..<spanCap {
            slots.acts[base + i] = i < b - a ? enc.activation(row: local + a + i, latent: j) : 0
        }
    }
}
