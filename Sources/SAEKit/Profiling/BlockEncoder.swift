import Foundation

/// Firing entries of the rows of a block: row r's entries are `latents/values[begin[r]..<end[r]]`,
/// in row order (raw growable buffers: see `rawBuffer`).
final class BlockCodes: @unchecked Sendable {
    let begin: UnsafeMutablePointer<Int>, end: UnsafeMutablePointer<Int>
    private(set) var latents: UnsafeMutablePointer<Int32>
    private(set) var values: UnsafeMutablePointer<Float>
    private(set) var cap: Int
    /// Entries used by the growable (dense-rule) layout.
    var count = 0

    init(rows: Int, entries: Int) {
        begin = rawBuffer(rows, 0); end = rawBuffer(rows, 0)
        cap = max(16, entries)
        latents = rawBuffer(cap, 0); values = rawBuffer(cap, 0)
    }
    deinit { begin.deallocate(); end.deallocate(); latents.deallocate(); values.deallocate() }

    /// Makes room for `n` more entries after `count`.
    func reserve(_ n: Int) {
        if count + n <= cap { return }
        let nc = max(2 * cap, count + n)
        let nl = rawBuffer(nc, Int32(0)), nv = rawBuffer(nc, Float(0))
        nl.update(from: latents, count: count); nv.update(from: values, count: count)
        latents.deallocate(); values.deallocate()
        latents = nl; values = nv; cap = nc
    }
}

/// Encodes blocks of rows for one SAE: for each panel of rows, one sgemm for the dense
/// pre-activations (a cache-sized `[panel × m]` buffer), then a per-row selection of the firing
/// entries split over threads. Only the firing entries leave the encoder: the bookkeeping and the
/// example spans are built from them, so the dense block is never re-read from memory.
final class BlockEncoder: @unchecked Sendable {
    let sae: SparseAutoencoder
    let rule: ActivationRule
    let m: Int, d: Int, capacity: Int, panel: Int, threads: Int
    /// `[panel × d]` encoder input (x − b_dec).
    let input: UnsafeMutablePointer<Float>
    /// `[panel × m]` pre-activations of the current panel.
    let pre: UnsafeMutablePointer<Float>
    /// One TopK selector per thread (each keeps its threshold guess).
    let selectors: UnsafeMutablePointer<TopKSelector>
    /// Firing entries of the block's rows.
    let codes: BlockCodes
    var rows = 0
    /// Wall time of the last `encode`: sgemm (with input prep) and selection.
    var lastEncodeSeconds = 0.0, lastSelectSeconds = 0.0

    /// Rows per sgemm panel. Cache-sized panels (64–256 rows) were tried: on the shared 2-core test
    /// machine they were not measurably faster (more thread hand-offs per block), so a panel is a block.
    static let panelRows = 2048

    init(sae: SparseAutoencoder, capacity: Int, threads: Int) throws {
        self.sae = sae
        rule = try ActivationRule(sae)
        m = sae.numLatents; d = sae.dIn; self.capacity = capacity
        panel = min(capacity, Self.panelRows); self.threads = max(1, threads)
        input = .allocate(capacity: panel * d)
        pre = .allocate(capacity: panel * m)
        let k: Int
        if case let .topk(kk) = rule.kind { k = kk } else { k = 1 }
        selectors = .allocate(capacity: self.threads)
        selectors.initialize(repeating: TopKSelector(m: m, k: k), count: self.threads)
        codes = BlockCodes(rows: capacity, entries: capacity * (k > 1 ? k : 64))
    }
    deinit {
        input.deallocate(); pre.deallocate()
        selectors.deinitialize(count: threads); selectors.deallocate()
    }

    /// Encodes `n` rows from `x` (`[n × d]`, row-major); rows with `profiledRows[r] == false` get no entries.
    /// - Complexity: O(n·m·d) in sgemms plus O(n·m) for the selection.
    func encode(x: UnsafePointer<Float>, n: Int, profiledRows: UnsafePointer<Bool>) {
        precondition(n <= capacity)
        rows = n
        codes.count = 0
        lastEncodeSeconds = 0; lastSelectSeconds = 0
        var p0 = 0
        while p0 < n {
            let pn = min(panel, n - p0)
            let t0 = DispatchTime.now().uptimeNanoseconds
            prePanel(x + p0 * d, pn)
            let t1 = DispatchTime.now().uptimeNanoseconds
            selectPanel(p0, pn, profiledRows)
            lastEncodeSeconds += Double(t1 - t0) / 1e9
            lastSelectSeconds += Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9
            p0 += pn
        }
    }

    /// Pre-activations of `n` rows into `pre`, with the same arithmetic as
    /// `SparseAutoencoder.preActivations` (subtract b_dec, broadcast the bias into C, then C = A·Bᵀ + C),
    /// so profiles agree bit for bit with the model's own encode.
    private func prePanel(_ x: UnsafePointer<Float>, _ n: Int) {
        let a: UnsafePointer<Float>
        if sae.subtractDecoderBias {
            sae.decoderBias.withUnsafeBufferPointer { b in
                for r in 0..<n {
                    let src = x + r * d, dst = input + r * d
                    for j in 0..<d { dst[j] = src[j] - b[j] }
                }
            }
            a = UnsafePointer(input)
        } else { a = x }
        sae.encoderBias.withUnsafeBufferPointer { b in
            for r in 0..<n { (pre + r * m).update(from: b.baseAddress!, count: m) }
        }
        sae.encoder.data.withUnsafeBufferPointer { w in
            BLAS.gemm(transA: false, transB: true, m: n, n: m, k: d, alpha: 1, a: a, lda: d,
                      b: w.baseAddress!, ldb: d, beta: 1, c: pre, ldc: m)
        }
        if case .topk = rule.kind, let s = rule.scale {
            for r in 0..<n { for j in 0..<m { pre[r * m + j] *= s[j] } }
        }
    }

    private func selectPanel(_ p0: Int, _ n: Int, _ profiled: UnsafePointer<Bool>) {
        switch rule.kind {
        case let .topk(k):
            // Fixed k slots per row: threads write disjoint rows.
            let box = UnsafeSendable((self, profiled))
            let t = min(threads, n)
            let per = (n + t - 1) / t
            let work: @Sendable (Int) -> Void = { i in
                let (me, profiled) = box.value
                let sel = me.selectors + i
                for r in (i * per)..<min(n, (i + 1) * per) {
                    let row = p0 + r
                    let base = row * k
                    me.codes.begin[row] = base
                    me.codes.end[row] = profiled[row]
                        ? base + sel.pointee.select(me.pre + r * me.m, me.codes.latents + base, me.codes.values + base)
                        : base
                }
            }
            if t == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: t, execute: work) }
        default:
            for r in 0..<n {
                let row = p0 + r
                codes.begin[row] = codes.count
                if profiled[row] {
                    codes.reserve(m)
                    let pr = pre + r * m
                    for j in 0..<m {
                        var v = rule.dense(pr[j], j)
                        if v > 0 {
                            if let sc = rule.scale { v *= sc[j] }
                            codes.latents[codes.count] = Int32(j); codes.values[codes.count] = v; codes.count += 1
                        }
                    }
                }
                codes.end[row] = codes.count
            }
        }
    }
}

/// Exact per-row TopK of ReLU(pre) in about one vectorised compare per 16 values.
///
/// Any threshold τ with at least k values ≥ τ contains the whole top-k among the values ≥ τ, so the
/// selector collects the candidates ≥ τ with SIMD compares and keeps the k best of them in a small
/// heap. τ is guessed from the previous row's k-th value (TopK rows of one SAE have similar k-th
/// values); when fewer than k candidates pass, the row falls back to an always-valid bound: the k-th
/// largest of the 16-wide chunk maxima (k chunks each hold a value ≥ it). Ties rank towards the
/// lower index, matching `SparseAutoencoder.topK`.
struct TopKSelector {
    let m: Int, k: Int
    var chunkMax: [Float]
    var heap: [Float]
    var candV: [Float], candI: [Int32]
    var hv: [Float], hi: [Int32]
    static let guessFactor: Float = 0.8
    /// Guessed threshold for the next row (0 = none).
    var guess: Float = 0

    init(m: Int, k: Int) {
        self.m = m; self.k = k
        chunkMax = [Float](repeating: 0, count: (m + 15) / 16)
        heap = [Float](repeating: 0, count: k)
        hv = [Float](repeating: 0, count: k); hi = [Int32](repeating: 0, count: k)
        candV = [Float](repeating: 0, count: m); candI = [Int32](repeating: 0, count: m)
    }

    /// Collects every value ≥ `floor` (> 0) into the candidate buffers; returns their count.
    private mutating func collect(_ row: UnsafePointer<Float>, floor: Float) -> Int {
        let full = m / 16
        var n = 0
        let f = SIMD16<Float>(repeating: floor)
        candV.withUnsafeMutableBufferPointer { cv in
            candI.withUnsafeMutableBufferPointer { ci in
                for c in 0..<full {
                    let v = UnsafeRawPointer(row + 16 * c).loadUnaligned(as: SIMD16<Float>.self)
                    let mask = v .>= f
                    if any(mask) {
                        for l in 0..<16 where mask[l] { cv[n] = v[l]; ci[n] = Int32(16 * c + l); n += 1 }
                    }
                }
                for j in (16 * full)..<m where row[j] >= floor { cv[n] = row[j]; ci[n] = Int32(j); n += 1 }
            }
        }
        return n
    }

    /// Writes the row's firing entries (at most k) to `lat`/`val`; returns how many.
    mutating func select(_ row: UnsafePointer<Float>, _ lat: UnsafeMutablePointer<Int32>, _ val: UnsafeMutablePointer<Float>) -> Int {
        var n = guess > 0 ? collect(row, floor: guess) : 0
        if n < k { n = collect(row, floor: Swift.max(chunkBound(row), Float.leastNonzeroMagnitude)) }
        if n <= k {
            for i in 0..<n { lat[i] = candI[i]; val[i] = candV[i] }
            guess = 0
            return n
        }
        // Keep the k best of the candidates in a min-heap ordered by (value desc, index asc).
        for i in 0..<k { hv[i] = candV[i]; hi[i] = candI[i] }
        for c in stride(from: k / 2 - 1, through: 0, by: -1) { siftDownPair(c) }
        for i in k..<n where SparseAutoencoder.worse(hv[0], hi[0], than: candV[i], candI[i]) {
            hv[0] = candV[i]; hi[0] = candI[i]; siftDownPair(0)
        }
        for i in 0..<k { lat[i] = hi[i]; val[i] = hv[i] }
        // Next row: a little below this row's k-th value, so most rows take the one-compare path.
        guess = hv[0] * Self.guessFactor
        return k
    }

    /// The k-th largest 16-wide chunk max (a lower bound on the k-th largest value), or −∞ with fewer than k chunks.
    private mutating func chunkBound(_ row: UnsafePointer<Float>) -> Float {
        let full = m / 16
        let chunks = chunkMax.count
        guard chunks >= k else { return -.infinity }
        var tau = -Float.infinity
        chunkMax.withUnsafeMutableBufferPointer { cm in
            for c in 0..<full { cm[c] = UnsafeRawPointer(row + 16 * c).loadUnaligned(as: SIMD16<Float>.self).max() }
            if chunks > full {
                var mx = -Float.infinity
                for j in (16 * full)..<m { mx = Swift.max(mx, row[j]) }
                cm[full] = mx
            }
            heap.withUnsafeMutableBufferPointer { h in
                for c in 0..<k { h[c] = cm[c] }
                for c in stride(from: k / 2 - 1, through: 0, by: -1) { Self.siftDown(h, c, k) }
                for c in k..<chunks where cm[c] > h[0] { h[0] = cm[c]; Self.siftDown(h, 0, k) }
                tau = h[0]
            }
        }
        return tau
    }

    private mutating func siftDownPair(_ start: Int) {
        var c = start
        while true {
            let l = 2 * c + 1, r = l + 1
            var s = c
            if l < k && SparseAutoencoder.worse(hv[l], hi[l], than: hv[s], hi[s]) { s = l }
            if r < k && SparseAutoencoder.worse(hv[r], hi[r], than: hv[s], hi[s]) { s = r }
            if s == c { return }
            hv.swapAt(c, s); hi.swapAt(c, s); c = s
        }
    }

    private static func siftDown(_ h: UnsafeMutableBufferPointer<Float>, _ start: Int, _ n: Int) {
        var c = start
        while true {
            let l = 2 * c + 1, r = l + 1
            var s = c
            if l < n && h[l] < h[s] { s = l }
            if r < n && h[r] < h[s] { s = r }
            if s == c { return }
            h.swapAt(c, s); c = s
        }
    }
}

/// Carries a non-Sendable reference into `concurrentPerform` closures; callers guarantee disjoint access.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}
