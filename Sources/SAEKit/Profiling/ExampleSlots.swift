/// Fixed-capacity storage of candidate examples (a window of one latent with its span of per-token
/// activations), shared by the top-K heaps and the sampling reservoirs. Slot `s` owns
/// `acts[s·spanCap ..< (s+1)·spanCap]`.
final class ExampleSlots: @unchecked Sendable {
    let spanCap: Int, count: Int
    let value: UnsafeMutablePointer<Float>, window: UnsafeMutablePointer<Int32>, maxPos: UnsafeMutablePointer<Int32>
    let spanStart: UnsafeMutablePointer<Int32>, spanLen: UnsafeMutablePointer<Int32>
    let prio: UnsafeMutablePointer<UInt64>
    let acts: UnsafeMutablePointer<Float>

    init(count: Int, spanCap: Int) {
        self.spanCap = spanCap; self.count = count
        value = rawBuffer(count, 0); window = rawBuffer(count, -1); maxPos = rawBuffer(count, 0)
        spanStart = rawBuffer(count, 0); spanLen = rawBuffer(count, 0); prio = rawBuffer(count, 0)
        acts = rawBuffer(count * spanCap, 0)
    }
    deinit {
        value.deallocate(); window.deallocate(); maxPos.deallocate(); spanStart.deallocate()
        spanLen.deallocate(); prio.deallocate(); acts.deallocate()
    }

    /// Copies slot `from` of `src` into slot `to` of self.
    @inline(__always)
    func copy(_ to: Int, from src: ExampleSlots, _ from: Int) {
        value[to] = src.value[from]; window[to] = src.window[from]; maxPos[to] = src.maxPos[from]
        spanStart[to] = src.spanStart[from]; spanLen[to] = src.spanLen[from]; prio[to] = src.prio[from]
        (acts + to * spanCap).update(from: src.acts + from * spanCap, count: spanCap)
    }

    @inline(__always)
    func swap(_ a: Int, _ b: Int) {
        Swift.swap(&value[a], &value[b]); Swift.swap(&window[a], &window[b]); Swift.swap(&maxPos[a], &maxPos[b])
        Swift.swap(&spanStart[a], &spanStart[b]); Swift.swap(&spanLen[a], &spanLen[b]); Swift.swap(&prio[a], &prio[b])
        for i in 0..<spanCap { Swift.swap(&acts[a * spanCap + i], &acts[b * spanCap + i]) }
    }

    /// Writes candidate `c` and its span (start, length, activations from `span`) into `slot`.
    @inline(__always)
    func fill(_ slot: Int, _ c: ExampleCandidate, start: Int32, length: Int32, span: UnsafePointer<Float>) {
        value[slot] = c.value; window[slot] = c.window; maxPos[slot] = c.maxPos; prio[slot] = c.prio
        spanStart[slot] = start; spanLen[slot] = length
        (acts + slot * spanCap).update(from: span, count: spanCap)
    }
}

/// One window's candidate example, before its span is written into a slot.
struct ExampleCandidate {
    var value: Float
    var window: Int32
    var maxPos: Int32
    var prio: UInt64
}

/// Ordering of top examples: activation desc, then window id asc. `worse(a, b)`: a ranks after b.
@inline(__always)
func exampleWorse(_ va: Float, _ wa: Int32, _ vb: Float, _ wb: Int32) -> Bool {
    va < vb || (va == vb && wa > wb)
}

/// Sampling priority of (latent, window): a splitmix64 hash, so samples are a pure function of the
/// seed and the data (bottom-s priority sampling = uniform sampling without replacement).
@inline(__always)
func samplePriority(seed: UInt64, latent: Int, window: Int32) -> UInt64 {
    var z = seed &+ (UInt64(latent) &<< 32 | UInt64(UInt32(bitPattern: window))) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
