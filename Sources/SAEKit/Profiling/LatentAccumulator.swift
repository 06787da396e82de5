import Foundation

/// Per-latent profiling state of one SAE for one pass, updated from the firing entries of each block.
///
/// Memory is O(m·(H + K + 2n·s + S)·span) — bounded by the number of latents, K, the sampling sizes
/// and the context, never by the number of tokens. State of different latents is disjoint, so the
/// update is split over threads by latent ranges (`update(block:latents:)`).
final class LatentAccumulator: @unchecked Sendable {
    let m: Int, T: Int, cfg: ProfileConfig
    let spanCap: Int, H: Int, K: Int
    /// Interval sample bins (equal width, doubled on overflow) and finer count bins per sample bin.
    let F: Int, s: Int, Fc: Int
    /// Quantile reservoir size (n·s) per latent.
    let S: Int
    let logLow: Double, binsPerDecade: Double

    var count: [Int], sum: [Double], sumSq: [Double], maxAct: [Float], windowCount: [Int]
    var hist: [UInt32]
    // The window currently open per latent (its running max and argmax position).
    var pendWin: [Int32], pendMax: [Float], pendPos: [Int32]
    // Top-K windows: min-heap per latent (root = worst).
    let top: ExampleSlots
    var topSize: [Int]
    // Interval sampling: bin width per latent, bottom-s reservoirs per bin, counts per fine bin.
    var binWidth: [Float]
    let iv: ExampleSlots
    var ivSize: [Int], ivMaxPrio: [UInt64]
    var ivCounts: [UInt32]
    // Quantile sampling: bottom-S reservoir of firing windows per latent.
    let qs: ExampleSlots
    var qSize: [Int], qMaxPrio: [UInt64]
    /// Latents touched in the current block, per thread.
    var touched: [[Int32]]

    init(m: Int, windowLength: Int, config: ProfileConfig, threads: Int) {
        self.m = m; T = windowLength; cfg = config
        spanCap = 2 * config.context + 1
        H = config.histogramBins; K = config.topK
        F = 2 * config.intervals; s = config.samplesPerInterval; Fc = 8 * F
        S = config.quantiles * config.samplesPerQuantile
        logLow = log10(config.histogramLow); binsPerDecade = Double(config.binsPerDecade)
        count = [Int](repeating: 0, count: m); sum = [Double](repeating: 0, count: m)
        sumSq = [Double](repeating: 0, count: m); maxAct = [Float](repeating: 0, count: m)
        windowCount = [Int](repeating: 0, count: m)
        hist = [UInt32](repeating: 0, count: m * H)
        pendWin = [Int32](repeating: -1, count: m); pendMax = [Float](repeating: 0, count: m)
        pendPos = [Int32](repeating: 0, count: m)
        top = ExampleSlots(count: m * K, spanCap: spanCap); topSize = [Int](repeating: 0, count: m)
        binWidth = [Float](repeating: 0, count: m)
        iv = ExampleSlots(count: m * F * s, spanCap: spanCap)
        ivSize = [Int](repeating: 0, count: m * F); ivMaxPrio = [UInt64](repeating: 0, count: m * F)
        ivCounts = [UInt32](repeating: 0, count: m * Fc)
        qs = ExampleSlots(count: m * S, spanCap: spanCap)
        qSize = [Int](repeating: 0, count: m); qMaxPrio = [UInt64](repeating: 0, count: m)
        touched = Array(repeating: [], count: max(1, threads))
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
    /// - Complexity: O(entries in the block) plus O(K + s) per (latent, window) that enters a heap or reservoir.
    func update(block enc: BlockEncoder, firstRow: Int, latents lo: Int, _ hi: Int, thread t: Int) {
        var tl = touched[t]
        tl.removeAll(keepingCapacity: true)
        let lo32 = Int32(lo), hi32 = Int32(hi)
        for (si, codes) in enc.segments.enumerated() {
            let rows = enc.segmentRows[si]
            codes.latents.withUnsafeBufferPointer { lat in
                codes.values.withUnsafeBufferPointer { val in
                    for (ri, r) in rows.enumerated() {
                        let row = firstRow + r
                        let w = Int32(row / T), pos = Int32(row % T)
                        for e in codes.rowStart[ri]..<codes.rowStart[ri + 1] {
                            let j32 = lat[e]
                            guard j32 >= lo32 && j32 < hi32 else { continue }
                            let j = Int(j32), v = val[e]
                            count[j] += 1
                            let dv = Double(v)
                            sum[j] += dv; sumSq[j] += dv * dv
                            if v > maxAct[j] { maxAct[j] = v }
                            hist[j * H + histBin(v)] += 1
                            if pendWin[j] != w {
                                if pendWin[j] >= 0 { close(j, enc: enc, firstRow: firstRow) } else { tl.append(j32) }
                                pendWin[j] = w; pendMax[j] = v; pendPos[j] = pos
                            } else if v > pendMax[j] {
                                pendMax[j] = v; pendPos[j] = pos
                            }
                        }
                    }
                }
            }
        }
        for j32 in tl {
            let j = Int(j32)
            close(j, enc: enc, firstRow: firstRow)
            pendWin[j] = -1
        }
        touched[t] = tl
    }

    /// Closes latent j's open window: it becomes a candidate for the top-K heap and both reservoirs.
    private func close(_ j: Int, enc: BlockEncoder, firstRow: Int) {
        windowCount[j] += 1
        let c = Candidate(value: pendMax[j], window: pendWin[j], maxPos: pendPos[j],
                          prio: samplePriority(seed: cfg.samplingSeed, latent: j, window: pendWin[j]))
        offerTop(j, c, enc, firstRow)
        offerInterval(j, c, enc, firstRow)
        offerQuantile(j, c, enc, firstRow)
    }
}
