import Foundation

/// Turns a finished `LatentAccumulator` into the stored profile layout (see `ProfileStore`).
struct ProfileBuilder {
    let acc: LatentAccumulator
    let sae: SparseAutoencoder
    let input: ProfileInput
    let config: ProfileConfig
    let seconds: Double

    struct Ex { var kind: UInt8; var group: Int32; var slots: ExampleSlots; var slot: Int }

    func build() throws -> ProfileStore {
        let m = acc.m, T = acc.T, n = config.intervals, nq = config.quantiles
        let tokensProfiled = input.profiledTokenCount
        var exOffsets: [Int64] = [0]
        var exs: [Ex] = []
        var intervalCounts = [UInt32](repeating: 0, count: m * n)
        var qLower = [Float](repeating: 0, count: m * nq), qUpper = [Float](repeating: 0, count: m * nq)
        for j in 0..<m {
            // Top: heap → sorted by (activation desc, window asc).
            let tb = j * acc.K
            let tops = (tb..<(tb + acc.topSize[j])).sorted { exampleWorse(acc.top.value[$1], acc.top.window[$1], acc.top.value[$0], acc.top.window[$0]) }
            exs += tops.map { Ex(kind: 0, group: 0, slots: acc.top, slot: $0) }
            // Intervals: re-bucket every reservoir sample by its exact value into linspace(0, max, n+1).
            let mx = acc.maxAct[j]
            if mx > 0 {
                let width = mx / Float(n)
                func interval(_ v: Float) -> Int { min(n - 1, Int(v / width)) }
                var groups = [[Int]](repeating: [], count: n)
                for b in 0..<acc.F {
                    let bin = j * acc.F + b
                    for i in 0..<acc.ivSize[bin] { let slot = bin * acc.s + i; groups[interval(acc.iv.value[slot])].append(slot) }
                }
                for g in 0..<n {
                    let picked = groups[g].sorted { acc.iv.prio[$0] < acc.iv.prio[$1] }.prefix(acc.s)
                    let ordered = picked.sorted { exampleWorse(acc.iv.value[$1], acc.iv.window[$1], acc.iv.value[$0], acc.iv.window[$0]) }
                    exs += ordered.map { Ex(kind: 1, group: Int32(g), slots: acc.iv, slot: $0) }
                }
                let fineW = Double(acc.binWidth[j]) / 8
                for c in 0..<acc.Fc where acc.ivCounts[j * acc.Fc + c] > 0 {
                    let center = (Double(c) + 0.5) * fineW
                    intervalCounts[j * n + min(n - 1, Int(center / Double(width)))] += acc.ivCounts[j * acc.Fc + c]
                }
            }
            // Quantiles: the uniform sample sorted by value desc, split into nq equal-count chunks.
            let qb = j * acc.S
            let sample = (qb..<(qb + acc.qSize[j])).sorted { exampleWorse(acc.qs.value[$1], acc.qs.window[$1], acc.qs.value[$0], acc.qs.window[$0]) }
            for q in 0..<nq {
                let chunk = Array(sample[(q * sample.count / nq)..<((q + 1) * sample.count / nq)])
                guard !chunk.isEmpty else { continue }
                qUpper[j * nq + q] = acc.qs.value[chunk.first!]; qLower[j * nq + q] = acc.qs.value[chunk.last!]
                let picked = Set(chunk.sorted { acc.qs.prio[$0] < acc.qs.prio[$1] }.prefix(config.samplesPerQuantile))
                exs += chunk.filter { picked.contains($0) }.map { Ex(kind: 2, group: Int32(q), slots: acc.qs, slot: $0) }
            }
            exOffsets.append(Int64(exs.count))
        }
        // Only the windows referenced by examples are stored, with all their tokens.
        let windowIds = Array(Set(exs.map { Int64($0.slots.window[$0.slot]) })).sorted()
        var windowIndex: [Int64: Int32] = [:]
        for (i, w) in windowIds.enumerated() { windowIndex[w] = Int32(i) }
        var wt = [Int32](repeating: -1, count: windowIds.count * T)
        if let toks = input.tokens {
            for (i, w) in windowIds.enumerated() {
                let start = Int(w) * T
                for p in 0..<min(T, toks.count - start) { wt[i * T + p] = toks[start + p] }
            }
        }
        let E = exs.count
        var kind = [UInt8](repeating: 0, count: E)
        var group = [Int32](repeating: 0, count: E), win = group, pos = group, sstart = group, slen = group
        var aoff = [Int64](repeating: 0, count: E)
        var value = [Float](repeating: 0, count: E)
        let pool = acc.pool
        let P = exs.reduce(0) { $0 + Int(pool.length[Int($1.slots.span[$1.slot])]) }
        var acts = [Float](repeating: 0, count: P)
        var used = 0
        acts.withUnsafeMutableBufferPointer { ap in
            for (e, x) in exs.enumerated() {
                let sl = x.slots, s = x.slot, h = sl.span[s], len = Int(pool.length[Int(h)])
                kind[e] = x.kind; group[e] = x.group; win[e] = windowIndex[Int64(sl.window[s])]!
                pos[e] = sl.maxPos[s]; value[e] = sl.value[s]; sstart[e] = pool.start[Int(h)]
                slen[e] = Int32(len); aoff[e] = Int64(used)
                (ap.baseAddress! + used).update(from: pool.span(h), count: len)
                used += len
            }
        }
        let flags = (0..<m).map { LatentFlags.of(count: acc.count[$0], tokens: tokensProfiled, rare: config.ultraRareFrequency, dense: config.ultraDenseFrequency).rawValue }
        // Little-endian hosts only (x86-64, arm64): typed arrays are written as their bytes.
        func raw<T>(_ a: [T]) -> Data { a.withUnsafeBytes { Data($0) } }
        var w = SafetensorsWriter()
        w.add("count", raw: raw(arrayOf(acc.count, m).map(Int64.init)), dtype: .I64, shape: [m])
        w.add("window_count", raw: raw(arrayOf(acc.windowCount, m).map(Int64.init)), dtype: .I64, shape: [m])
        w.add("sum", raw: raw(arrayOf(acc.sum, m)), dtype: .F64, shape: [m])
        w.add("sum_sq", raw: raw(arrayOf(acc.sumSq, m)), dtype: .F64, shape: [m])
        w.add("max", raw: raw(arrayOf(acc.maxAct, m)), dtype: .F32, shape: [m])
        w.add("flags", raw: raw(flags), dtype: .U8, shape: [m])
        w.add("histogram", raw: raw(arrayOf(acc.hist, m * acc.H)), dtype: .U32, shape: [m, acc.H])
        w.add("interval_counts", raw: raw(intervalCounts), dtype: .U32, shape: [m, n])
        w.add("quantile_lower", raw: raw(qLower), dtype: .F32, shape: [m, nq])
        w.add("quantile_upper", raw: raw(qUpper), dtype: .F32, shape: [m, nq])
        w.add("ex_offsets", raw: raw(exOffsets), dtype: .I64, shape: [m + 1])
        w.add("ex_kind", raw: raw(kind), dtype: .U8, shape: [E])
        w.add("ex_group", raw: raw(group), dtype: .I32, shape: [E])
        w.add("ex_window", raw: raw(win), dtype: .I32, shape: [E])
        w.add("ex_pos", raw: raw(pos), dtype: .I32, shape: [E])
        w.add("ex_value", raw: raw(value), dtype: .F32, shape: [E])
        w.add("ex_span_start", raw: raw(sstart), dtype: .I32, shape: [E])
        w.add("ex_span_len", raw: raw(slen), dtype: .I32, shape: [E])
        w.add("ex_acts_offset", raw: raw(aoff), dtype: .I64, shape: [E])
        w.add("acts", raw: raw(acts), dtype: .F32, shape: [P])
        w.add("windows", raw: raw(windowIds), dtype: .I64, shape: [windowIds.count])
        w.add("window_tokens", raw: raw(wt), dtype: .I32, shape: [windowIds.count, T])
        w.metadata = [ProfileStore.headerKey: header(tokens: tokensProfiled).serialized()]
        return try ProfileStore(data: w.serialized(), name: "profile of \(sae.info.name.isEmpty ? sae.info.path : sae.info.name)")
    }

    private func header(tokens: Int) -> JSONValue {
        func i(_ v: Int) -> JSONValue { .int(Int64(v)) }
        var saeKV: [(String, JSONValue)] = [("path", .string(sae.info.path)), ("name", .string(sae.info.name)),
                                             ("format", .string(sae.info.format)), ("fingerprint", .string(Fingerprint.of(sae))),
                                             ("architecture", .string(sae.architecture.rawValue)),
                                             ("num_latents", i(sae.numLatents)), ("d_in", i(sae.dIn))]
        if let k = sae.k { saeKV.append(("k", i(k))) }
        let data: [(String, JSONValue)] = [("path", .string(input.path)), ("fingerprint", .string(input.fingerprint)),
                                           ("rows", i(input.source.rowCount)), ("windows", i(input.windowCount)),
                                           ("window_length", i(input.windowLength)), ("profiled_tokens", i(tokens)),
                                           ("excluded_positions", .array(input.excludedPositions.sorted().map(i))),
                                           ("has_tokens", .bool(input.tokens != nil))]
        let c = config
        let cfg: [(String, JSONValue)] = [("top_k", i(c.topK)), ("context", i(c.context)), ("intervals", i(c.intervals)),
                                          ("samples_per_interval", i(c.samplesPerInterval)), ("quantiles", i(c.quantiles)),
                                          ("samples_per_quantile", i(c.samplesPerQuantile)), ("histogram_low", .double(c.histogramLow)),
                                          ("bins_per_decade", i(c.binsPerDecade)), ("histogram_decades", i(c.histogramDecades)),
                                          ("ultra_rare_frequency", .double(c.ultraRareFrequency)),
                                          ("ultra_dense_frequency", .double(c.ultraDenseFrequency)),
                                          ("sampling_seed", .string(String(c.samplingSeed))), ("block_rows", i(c.blockRows)),
                                          ("panel_rows", i(c.panelRows))]
        return .object([("format", .string("seedscope-profile")), ("version", i(ProfileStore.formatVersion)),
                        ("created", .string(ISO8601DateFormatter().string(from: Date()))),
                        ("seconds", .double(seconds)), ("sae", .object(saeKV)), ("dataset", .object(data)), ("config", .object(cfg))])
    }
}
