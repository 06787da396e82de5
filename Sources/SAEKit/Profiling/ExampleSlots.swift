/// Fixed-capacity storage of candidate examples (a window of one latent with its span of per-token
/// activations), shared by the top-K heaps and the sampling reservoirs. Slot `s` owns
/// `acts[s·spanCap ..< (s+1)·spanCap]`.
final class ExampleSlots: @unchecked Sendable {
    let spanCap: Int
    var value: [Float], window: [Int32], maxPos: [Int32], spanStart: [Int32], spanLen: [Int32]
    var prio: [UInt64]
    var acts: [Float]

    init(count: Int, spanCap: Int) {
        self.spanCap = spanCap
        value = [Float](repeating: 0, count: count); window = [Int32](repeating: -1, count: count)
        maxPos = [Int32](repeating: 0, count: count); spanStart = [Int32](repeating: 0, count: count)
        spanLen = [Int32](repeating: 0, count: count); prio = [UInt64](repeating: 0, count: count)
        acts = [Float](repeating: 0, count: count * spanCap)
    }

    /// Copies slot `from` of `src` into slot `to` of self.
    func copy(_ to: Int, from src: ExampleSlots, _ from: Int) {
        value[to] = src.value[from]; window[to] = src.window[from]; maxPos[to] = src.maxPos[from]
        spanStart[to] = src.spanStart[from]; spanLen[to] = src.spanLen[from]; prio[to] = src.prio[from]
        for i in 0..<spanCap { acts[to * spanCap + i] = src.acts[from * spanCap + i] }
    }

    func swap(_ a: Int, _ b: Int) {
        value.swapAt(a, b); window.swapAt(a, b); maxPos.swapAt(a, b); spanStart.swapAt(a, b)
        spanLen.swapAt(a, b); prio.swapAt(a, b)
        for i in 0..<spanCap { acts.swapAt(a * spanCap + i, b * spanCap + i) }
    }
}

/// One window's candidate example, before its span is written into a slot.
struct Candidate {
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
