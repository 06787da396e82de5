import Foundation

/// Firing entries of a range of rows in CSR form: row r's entries are
/// `latents/values[rowStart[r]..<rowStart[r+1]]` (raw growable buffers: see `rawBuffer`).
final class RowCodes: @unchecked Sendable {
    private(set) var rowStart: UnsafeMutablePointer<Int>
    private(set) var latents: UnsafeMutablePointer<Int32>
    private(set) var values: UnsafeMutablePointer<Float>
    private(set) var rows = 0, count = 0
    private var rowCap: Int, cap: Int

    init(rows: Int, entries: Int) {
        rowCap = rows + 1; cap = max(16, entries)
        rowStart = rawBuffer(rowCap, 0); latents = rawBuffer(cap, 0); values = rawBuffer(cap, 0)
    }
    deinit { rowStart.deallocate(); latents.deallocate(); values.deallocate() }

    func reset() { rows = 0; count = 0; rowStart[0] = 0 }

    /// Makes room for `n` more entries.
    @inline(__always)
    func reserve(_ n: Int) {
        if count + n <= cap { return }
        let nc = max(2 * cap, count + n)
        let nl = rawBuffer(nc, Int32(0)), nv = rawBuffer(nc, Float(0))
        nl.update(from: latents, count: count); nv.update(from: values, count: count)
        latents.deallocate(); values.deallocate()
        latents = nl; values = nv; cap = nc
    }

    /// Appends an entry (call `reserve` first).
    @inline(__always)
    func append(_ j: Int32, _ v: Float) { latents[count] = j; values[count] = v; count += 1 }

    /// Ends the current row.
    @inline(__always)
    func endRow() {
        precondition(rows + 1 < rowCap)
        rows += 1; rowStart[rows] = count
    }
}

/// Encodes blocks of rows for one SAE: one sgemm for the dense pre-activations `[B × m]` (kept for
/// the block, so per-token activations of any latent can be read back when an example is stored),
/// then a per-row selection of the firing entries, split over threads by rows.
final class BlockEncoder: @unchecked Sendable {
    let sae: SparseAutoencoder
    let rule: ActivationRule
    let m: Int, d: Int, capacity: Int
    /// `[capacity × d]` encoder input (x − b_dec).
    let input: UnsafeMutablePointer<Float>
    /// `[capacity × m]` pre-activations of the current block.
    let pre: UnsafeMutablePointer<Float>
    /// TopK membership per row: the worst selected entry (value, latent); `(0, Int32.max)` when fewer than k fired.
    let thrV: UnsafeMutablePointer<Float>, thrI: UnsafeMutablePointer<Int32>
    /// Whether each row of the block is profiled.
    let profiled: UnsafeMutablePointer<Bool>
    /// One segment of firing entries per thread, covering consecutive rows.
    var segments: [RowCodes]
    var segmentRows: [Range<Int>] = []
    var rows = 0

    init(sae: SparseAutoencoder, capacity: Int, threads: Int) throws {
        self.sae = sae
        rule = try ActivationRule(sae)
        m = sae.numLatents; d = sae.dIn; self.capacity = capacity
        input = .allocate(capacity: capacity * d)
        pre = .allocate(capacity: capacity * m)
        thrV = rawBuffer(capacity, 0); thrI = rawBuffer(capacity, .max)
        profiled = rawBuffer(capacity, false)
        let perThread = (capacity + max(1, threads) - 1) / max(1, threads)
        let perRow: Int
        if case let .topk(k) = rule.kind { perRow = k } else { perRow = 64 }
        segments = (0..<max(1, threads)).map { _ in RowCodes(rows: perThread, entries: perThread * perRow) }
    }
    deinit { input.deallocate(); pre.deallocate(); thrV.deallocate(); thrI.deallocate(); profiled.deallocate() }

    /// Encodes `n` rows from `x` (`[n × d]`, row-major) whose profiled flags are `profiledRows`.
    /// - Complexity: O(n·m·d) in one sgemm plus O(n·m) for the selection.
    func encode(x: UnsafePointer<Float>, n: Int, profiledRows: UnsafePointer<Bool>) {
        precondition(n <= capacity)
        rows = n
        for r in 0..<n { profiled[r] = profiledRows[r] }
        // Same arithmetic as SparseAutoencoder.preActivations (subtract b_dec, broadcast the bias into C,
        // then C = A·Bᵀ + C), so profiles agree bit for bit with the model's own encode.
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
        // Selection, split by rows.
        let t = segments.count
        let per = (n + t - 1) / t
        segmentRows = (0..<t).map { i in min(n, i * per)..<min(n, (i + 1) * per) }
        let box = UnsafeSendable(self)
        if t == 1 { select(segment: 0) } else {
            DispatchQueue.concurrentPerform(iterations: t) { i in box.value.select(segment: i) }
        }
    }

    private func select(segment s: Int) {
        let codes = segments[s]
        let range = segmentRows[s]
        codes.reset()
        switch rule.kind {
        case let .topk(k):
            var sel = TopKSelector(m: m, k: k)
            for r in range {
                if profiled[r] {
                    codes.reserve(k)
                    let (tv, ti) = sel.select(pre + r * m, into: codes)
                    thrV[r] = tv; thrI[r] = ti
                }
                codes.endRow()
            }
        default:
            for r in range {
                if profiled[r] {
                    codes.reserve(m)
                    let row = pre + r * m
                    for j in 0..<m {
                        var v = rule.dense(row[j], j)
                        if v > 0 {
                            if let sc = rule.scale { v *= sc[j] }
                            codes.append(Int32(j), v)
                        }
                    }
                }
                codes.endRow()
            }
        }
    }

    /// Activation of latent `j` at block row `r` (0 for rows not profiled). O(1).
    @inline(__always)
    func activation(row r: Int, latent j: Int) -> Float {
        guard profiled[r] else { return 0 }
        let p = pre[r * m + j]
        switch rule.kind {
        case .topk:
            guard p > 0 else { return 0 }
            let tv = thrV[r], ti = thrI[r]
            return (p > tv || (p == tv && Int32(j) <= ti)) ? p : 0
        default:
            let v = rule.dense(p, j)
            return v > 0 ? v * (rule.scale?[j] ?? 1) : 0
        }
    }
}

/// Exact per-row TopK of ReLU(pre) without touching most of the row twice: the k-th largest of the
/// 16-wide chunk maxima is a lower bound τ on the k-th largest value (k chunks each hold a value ≥ τ),
/// so only chunks whose max ≥ τ can contain selected entries. Ties rank towards the lower index,
/// matching `SparseAutoencoder.topK`.
struct TopKSelector {
    let m: Int, k: Int
    var chunkMax: [Float]
    var heap: [Float]
    var candV: [Float] = [], candI: [Int32] = []
    var hv: [Float], hi: [Int32]

    init(m: Int, k: Int) {
        self.m = m; self.k = k
        chunkMax = [Float](repeating: 0, count: (m + 15) / 16)
        heap = [Float](repeating: 0, count: k)
        hv = [Float](repeating: 0, count: k); hi = [Int32](repeating: 0, count: k)
    }

    /// Appends the row's firing entries to `codes`; returns the worst selected (value, index), or
    /// (0, Int32.max) when fewer than k values are positive.
    mutating func select(_ row: UnsafePointer<Float>, into codes: RowCodes) -> (Float, Int32) {
        let full = m / 16
        let chunks = chunkMax.count
        chunkMax.withUnsafeMutableBufferPointer { cm in
            for c in 0..<full { cm[c] = UnsafeRawPointer(row + 16 * c).loadUnaligned(as: SIMD16<Float>.self).max() }
            if chunks > full {
                var mx = -Float.infinity
                for j in (16 * full)..<m { mx = Swift.max(mx, row[j]) }
                cm[full] = mx
            }
        }
        // τ = k-th largest chunk max (min-heap of size k), or −∞ with fewer than k chunks.
        var tau = -Float.infinity
        if chunks >= k {
            heap.withUnsafeMutableBufferPointer { h in
                chunkMax.withUnsafeBufferPointer { cm in
                    for c in 0..<k { h[c] = cm[c] }
                    for c in stride(from: k / 2 - 1, through: 0, by: -1) { Self.siftDown(h, c, k) }
                    for c in k..<chunks where cm[c] > h[0] { h[0] = cm[c]; Self.siftDown(h, 0, k) }
                    tau = h[0]
                }
            }
        }
        let floor = Swift.max(tau, Float.leastNonzeroMagnitude)
        candV.removeAll(keepingCapacity: true); candI.removeAll(keepingCapacity: true)
        for c in 0..<chunks where chunkMax[c] >= floor {
            for j in (16 * c)..<Swift.min(m, 16 * c + 16) where row[j] >= floor {
                candV.append(row[j]); candI.append(Int32(j))
            }
        }
        let n = candV.count
        if n <= k {
            for i in 0..<n { codes.append(candI[i], candV[i]) }
            return n == k ? worstOf(n) : (0, .max)
        }
        // Keep the k best of the candidates in a min-heap ordered by (value desc, index asc).
        for i in 0..<k { hv[i] = candV[i]; hi[i] = candI[i] }
        for c in stride(from: k / 2 - 1, through: 0, by: -1) { siftDownPair(c) }
        for i in k..<n where SparseAutoencoder.worse(hv[0], hi[0], than: candV[i], candI[i]) {
            hv[0] = candV[i]; hi[0] = candI[i]; siftDownPair(0)
        }
        for i in 0..<k { codes.append(hi[i], hv[i]) }
        return (hv[0], hi[0])
    }

    private func worstOf(_ n: Int) -> (Float, Int32) {
        var wv = candV[0], wi = candI[0]
        for i in 1..<n where SparseAutoencoder.worse(candV[i], candI[i], than: wv, wi) { wv = candV[i]; wi = candI[i] }
        return (wv, wi)
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
