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

/// Encodes blocks of rows for one SAE, one panel at a time: one sgemm for the panel's dense
/// pre-activations (`[panel × m]`), then a per-row selection of the firing entries split over
/// threads, appended to the block's `codes`. Only the firing entries leave the encoder: the
/// bookkeeping and the example spans are built from them, so the dense pre-activations are read
/// exactly once, right after the sgemm wrote them.
final class BlockEncoder: @unchecked Sendable {
    let sae: SparseAutoencoder
    let rule: ActivationRule
    let m: Int, d: Int, capacity: Int, panel: Int, threads: Int
    /// `[panel × d]` encoder input (x − b_dec).
    let input: UnsafeMutablePointer<Float>
    /// `[panel × m]` pre-activations of the current panel.
    let pre: UnsafeMutablePointer<Float>
    /// One TopK selector per thread (each keeps its threshold guess).
    let selectors: [TopKSelector]
    /// Firing entries of the block's rows.
    let codes: BlockCodes
    /// Rows of the current block encoded so far.
    var rows = 0
    /// Wall time since `reset`: sgemm (with input prep) and selection.
    var encodeSeconds = 0.0, selectSeconds = 0.0

    /// - Parameters: capacity: rows per block (bookkeeping unit); panel: rows per sgemm (≤ capacity).
    init(sae: SparseAutoencoder, capacity: Int, panel: Int, threads: Int) throws {
        self.sae = sae
        rule = try ActivationRule(sae)
        m = sae.numLatents; d = sae.dIn; self.capacity = capacity
        self.panel = max(1, min(capacity, panel)); self.threads = max(1, threads)
        input = largeBuffer(self.panel * d)
        pre = largeBuffer(self.panel * m)
        let k: Int
        if case let .topk(kk) = rule.kind { k = kk } else { k = 1 }
        selectors = (0..<self.threads).map { _ in TopKSelector(m: sae.numLatents, k: k) }
        codes = BlockCodes(rows: capacity, entries: capacity * (k > 1 ? k : 64))
    }
    deinit {
        input.deallocate(); pre.deallocate()
    }

    /// Starts a new block.
    func reset() {
        rows = 0; codes.count = 0
        encodeSeconds = 0; selectSeconds = 0
    }

    /// Encodes the next `n ≤ panel` rows of the block from `x` (`[n × d]`, row-major); rows with
    /// `profiled[r] == false` get no entries.
    /// - Complexity: O(n·m·d) in the sgemm plus O(n·m) for the selection.
    func encodePanel(x: UnsafePointer<Float>, n: Int, profiled: UnsafePointer<Bool>) {
        precondition(n <= panel && rows + n <= capacity)
        let t0 = DispatchTime.now().uptimeNanoseconds
        prePanel(x, n)
        let t1 = DispatchTime.now().uptimeNanoseconds
        selectPanel(rows, n, profiled)
        encodeSeconds += Double(t1 - t0) / 1e9
        selectSeconds += Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9
        rows += n
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

    /// Selects the firing entries of the panel's rows (block rows `p0..<p0+n`; `profiled` is panel-relative).
    private func selectPanel(_ p0: Int, _ n: Int, _ profiled: UnsafePointer<Bool>) {
        switch rule.kind {
        case let .topk(k):
            // Fixed k slots per row: threads write disjoint rows.
            let box = UnsafeSendable((self, profiled))
            let t = min(threads, n)
            let per = (n + t - 1) / t
            let work: @Sendable (Int) -> Void = { i in
                let (me, profiled) = box.value
                let sel = me.selectors[i]
                for r in (i * per)..<min(n, (i + 1) * per) {
                    let row = p0 + r
                    let base = row * k
                    me.codes.begin[row] = base
                    me.codes.end[row] = profiled[r]
                        ? base + sel.select(me.pre + r * me.m, me.codes.latents + base, me.codes.values + base)
                        : base
                }
            }
            if t == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: t, execute: work) }
        default:
            for r in 0..<n {
                let row = p0 + r
                codes.begin[row] = codes.count
                if profiled[r] {
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

/// Carries a non-Sendable reference into `concurrentPerform` closures; callers guarantee disjoint access.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}
