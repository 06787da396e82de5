/// Per-token activation spans of candidate examples, stored once and shared by handle.
///
/// A closing (latent, window) candidate can enter the top-K heap, an interval reservoir and the
/// quantile reservoir at once, and heap sifts move entries around. Storing the span (±context
/// floats) inside every slot meant up to three copies per candidate and a span move per heap swap,
/// which dominated the profiler's bookkeeping (perf on the real L15 pass). Slots now hold a 4-byte
/// handle into this pool; a span is written once and reference-counted by the slots that hold it.
///
/// Each latent owns `perLatent` handles (its heap + reservoir capacity + 1 for the candidate being
/// offered), so memory is O(m·(K + F·s + S)·span), as before, and latents stay disjoint for threads.
final class SpanPool: @unchecked Sendable {
    let spanCap: Int, perLatent: Int
    /// `[m·perLatent × spanCap]` activations; `start/length` of each span within its window.
    let acts: UnsafeMutablePointer<Float>
    let start: UnsafeMutablePointer<Int32>, length: UnsafeMutablePointer<Int32>
    private let refs: UnsafeMutablePointer<UInt8>
    /// Per latent: a stack of its free handles (`free[j·perLatent ..< j·perLatent + freeTop[j]]`).
    private let free: UnsafeMutablePointer<Int32>, freeTop: UnsafeMutablePointer<Int32>

    init(latents m: Int, perLatent: Int, spanCap: Int) {
        self.spanCap = spanCap; self.perLatent = perLatent
        let n = m * perLatent
        // Spans, starts and lengths are written when a handle is allocated, before any read.
        acts = largeBuffer(n * spanCap); start = largeBuffer(n); length = largeBuffer(n)
        refs = rawBuffer(n, 0)
        free = largeBuffer(n)
        for h in 0..<n { free[h] = Int32(h) }
        freeTop = rawBuffer(m, Int32(perLatent))
    }
    deinit { acts.deallocate(); start.deallocate(); length.deallocate(); refs.deallocate(); free.deallocate(); freeTop.deallocate() }

    /// Takes a free handle of latent j (its refcount starts at 0: the first `retain` claims it).
    @inline(__always)
    func allocate(_ j: Int) -> Int32 {
        let t = Int(freeTop[j]) - 1
        precondition(t >= 0, "span pool of latent \(j) exhausted")
        freeTop[j] = Int32(t)
        return free[j * perLatent + t]
    }

    @inline(__always)
    func retain(_ h: Int32) { refs[Int(h)] += 1 }

    /// Drops one reference; the handle returns to its latent's free list at zero.
    @inline(__always)
    func release(_ h: Int32) {
        let i = Int(h)
        refs[i] -= 1
        if refs[i] == 0 { recycle(h) }
    }

    /// Returns an unreferenced handle (refcount 0) to its latent's free list.
    @inline(__always)
    func recycle(_ h: Int32) {
        let j = Int(h) / perLatent
        free[j * perLatent + Int(freeTop[j])] = h
        freeTop[j] += 1
    }

    @inline(__always)
    func span(_ h: Int32) -> UnsafeMutablePointer<Float> { acts + Int(h) * spanCap }
}
