import Dispatch

/// Streams the cosine-similarity matrix `S = Â·B̂ᵀ` of two sets of directions in row blocks computed
/// with sgemm, so that `mA × mB` is never held in memory (the paper's authors materialised it: about
/// 300 GB at 131K latents).
///
/// `a` `[mA × d]` and `b` `[mB × d]` must already have unit-length rows (`Matrix.normalizeRows`; a zero
/// row stays zero and so has similarity 0 with everything, as the paper defines). Every pass uses the
/// same block partition, so the value of an entry is bit-identical across passes (the certification
/// pass relies on that).
public struct CosineStream: @unchecked Sendable {
    /// `[mA × d]` unit rows.
    public let a: Matrix
    /// `[mB × d]` unit rows.
    public let b: Matrix
    /// Rows of A per block.
    public let blockRows: Int

    /// When S fits in `cacheLimitFloats`, the first pass keeps it and later passes read it back
    /// instead of recomputing (same values, half the flops at m ≤ ~16K).
    let cache: BlockCache?

    /// - Parameters:
    ///   - memoryBudgetFloats: upper bound on the block buffer, in floats (default 32M = 128 MB).
    ///   - cacheLimitFloats: keep the whole of S when mA·mB is at most this (default 384M = 1.5 GB).
    public init(a: Matrix, b: Matrix, memoryBudgetFloats: Int = 32 << 20, cacheLimitFloats: Int = 384 << 20) {
        precondition(a.cols == b.cols, "directions differ in width: \(a.cols) vs \(b.cols)")
        self.a = a; self.b = b
        blockRows = max(1, min(max(a.rows, 1), max(32, memoryBudgetFloats / max(b.rows, 1))))
        cache = a.rows * b.rows <= cacheLimitFloats && a.rows * b.rows > 0 ? BlockCache() : nil
    }

    /// Calls `body(firstRow, rowCount, block)` for consecutive row blocks; `block` is
    /// `[rowCount × mB]` row-major and only valid during the call.
    /// - Complexity: O(mA·mB·d) flops in sgemm, O(blockRows·mB) memory.
    public func forEachBlock(_ body: (Int, Int, UnsafePointer<Float>) throws -> Void) rethrows {
        let mA = a.rows, mB = b.rows, d = a.cols
        if mA == 0 || mB == 0 { return }
        if let cache {
            if !cache.filled {
                cache.data = [Float](repeating: 0, count: mA * mB)
                cache.data.withUnsafeMutableBufferPointer { cp in
                    a.data.withUnsafeBufferPointer { ap in
                        b.data.withUnsafeBufferPointer { bp in
                            var r0 = 0
                            while r0 < mA {
                                let n = min(blockRows, mA - r0)
                                if d > 0 {
                                    BLAS.gemm(transA: false, transB: true, m: n, n: mB, k: d, alpha: 1,
                                              a: ap.baseAddress! + r0 * d, lda: d, b: bp.baseAddress!, ldb: d,
                                              beta: 0, c: cp.baseAddress! + r0 * mB, ldc: mB)
                                }
                                r0 += n
                            }
                        }
                    }
                }
                cache.filled = true
            }
            try cache.data.withUnsafeBufferPointer { cp in
                var r0 = 0
                while r0 < mA {
                    let n = min(blockRows, mA - r0)
                    try body(r0, n, cp.baseAddress! + r0 * mB)
                    r0 += n
                }
            }
            return
        }
        var buf = [Float](repeating: 0, count: blockRows * mB)
        try a.data.withUnsafeBufferPointer { ap in
            try b.data.withUnsafeBufferPointer { bp in
                try buf.withUnsafeMutableBufferPointer { cp in
                    var r0 = 0
                    while r0 < mA {
                        let n = min(blockRows, mA - r0)
                        if d > 0 {
                            BLAS.gemm(transA: false, transB: true, m: n, n: mB, k: d, alpha: 1,
                                      a: ap.baseAddress! + r0 * d, lda: d, b: bp.baseAddress!, ldb: d,
                                      beta: 0, c: cp.baseAddress!, ldc: mB)
                        } else {
                            cp.update(repeating: 0)
                        }
                        try body(r0, n, UnsafePointer(cp.baseAddress!))
                        r0 += n
                    }
                }
            }
        }
    }

    /// One pass that keeps, for every row of A and every row of B, the `candidates` most similar
    /// partners (their first entry is the max cosine and its argmax).
    ///
    /// Row bookkeeping is split over `threads` row ranges, column bookkeeping over column ranges, so
    /// no two threads touch the same list.
    /// - Complexity: O(mA·mB·d) flops; O((mA + mB)·C) memory besides the block.
    public func scan(candidates: Int, threads: Int = 2, progress: (Double) -> Void = { _ in }) -> SimilarityScan {
        let mA = a.rows, mB = b.rows
        var rowTop = TopCandidates(n: mA, count: candidates)
        var colTop = TopCandidates(n: mB, count: candidates)
        let t = max(1, threads)
        rowTop.withHandle { rh in
            colTop.withHandle { ch in
                forEachBlock { r0, n, blk in
                    let block = SendablePointer(blk)
                    DispatchQueue.concurrentPerform(iterations: t) { part in
                        // Rows of this block for this thread.
                        let lo = part * n / t, hi = (part + 1) * n / t
                        for r in lo..<hi {
                            let row = block.p + r * mB
                            let key = r0 + r
                            var bar = rh.mins[key]
                            for j in 0..<mB where row[j] > bar {
                                rh.insert(key, row[j], Int32(j))
                                bar = rh.mins[key]
                            }
                        }
                    }
                    DispatchQueue.concurrentPerform(iterations: t) { part in
                        // Columns for this thread; each block row is scanned left to right so the
                        // column bars are read contiguously.
                        let lo = part * mB / t, hi = (part + 1) * mB / t
                        for r in 0..<n {
                            let row = block.p + r * mB
                            let idx = Int32(r0 + r)
                            var j = lo
                            while j + 16 <= hi {
                                let v = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<Float>.self)
                                let m = UnsafeRawPointer(ch.mins + j).loadUnaligned(as: SIMD16<Float>.self)
                                if any(v .> m) {
                                    for q in 0..<16 { ch.offer(j + q, row[j + q], idx) }
                                }
                                j += 16
                            }
                            while j < hi { ch.offer(j, row[j], idx); j += 1 }
                        }
                    }
                    progress(Double(r0 + n) / Double(mA))
                }
            }
        }
        return SimilarityScan(rowTop: rowTop, colTop: colTop)
    }
}

/// What one streamed pass keeps: the top candidates of every row of A (partners in B) and of every
/// row of B (partners in A).
public struct SimilarityScan: Sendable, Equatable {
    /// `mA` lists of partners in B.
    public var rowTop: TopCandidates
    /// `mB` lists of partners in A.
    public var colTop: TopCandidates

    public init(rowTop: TopCandidates, colTop: TopCandidates) { self.rowTop = rowTop; self.colTop = colTop }

    /// Max cosine of each A latent over B and its argmax (−1 when B is empty).
    public var rowMax: MaxCosine { MaxCosine(rowTop) }
    /// Max cosine of each B latent over A and its argmax.
    public var colMax: MaxCosine { MaxCosine(colTop) }
}

/// Per-latent max cosine over the other SAE (no one-to-one constraint; paper §1.5) and its argmax.
public struct MaxCosine: Sendable, Equatable {
    /// `[m]` max cosine (0 when the other side is empty).
    public var value: [Float]
    /// `[m]` index of the first partner attaining it, −1 when none.
    public var argmax: [Int]

    public init(value: [Float], argmax: [Int]) { self.value = value; self.argmax = argmax }

    init(_ t: TopCandidates) {
        value = [Float](repeating: 0, count: t.n)
        argmax = [Int](repeating: -1, count: t.n)
        for k in 0..<t.n { if let b = t.best(k) { value[k] = b.value; argmax[k] = b.index } }
    }
}

/// A raw pointer that may cross into `concurrentPerform` (threads touch disjoint ranges).
struct SendablePointer: @unchecked Sendable {
    let p: UnsafePointer<Float>
    init(_ p: UnsafePointer<Float>) { self.p = p }
}

/// The whole similarity matrix, kept by the first pass when it is small enough. Written once by the
/// first `forEachBlock` (callers run passes sequentially), read-only afterwards.
final class BlockCache: @unchecked Sendable {
    var data: [Float] = []
    var filled = false
}
