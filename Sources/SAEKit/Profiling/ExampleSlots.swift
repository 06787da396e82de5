/// Fixed-capacity storage of candidate examples (a window of one latent), shared by the top-K heaps
/// and the sampling reservoirs. A slot's per-token activations live in a `SpanPool` under the
/// slot's `span` handle, so moving an example moves a handle, not its span. Slots are not
/// initialised: the owners' sizes say which slots hold an example.
final class ExampleSlots: @unchecked Sendable {
    let value: UnsafeMutablePointer<Float>, window: UnsafeMutablePointer<Int32>, maxPos: UnsafeMutablePointer<Int32>
    let prio: UnsafeMutablePointer<UInt64>
    let span: UnsafeMutablePointer<Int32>

    init(count: Int) {
        value = largeBuffer(count); window = largeBuffer(count); maxPos = largeBuffer(count)
        prio = largeBuffer(count); span = largeBuffer(count)
    }
    deinit { value.deallocate(); window.deallocate(); maxPos.deallocate(); prio.deallocate(); span.deallocate() }

    /// Copies slot `from` of `src` into slot `to` of self (the handle moves with it; no refcount change).
    @inline(__always)
    func copy(_ to: Int, from src: ExampleSlots, _ from: Int) {
        value[to] = src.value[from]; window[to] = src.window[from]; maxPos[to] = src.maxPos[from]
        prio[to] = src.prio[from]; span[to] = src.span[from]
    }

    @inline(__always)
    func swap(_ a: Int, _ b: Int) {
        Swift.swap(&value[a], &value[b]); Swift.swap(&window[a], &window[b]); Swift.swap(&maxPos[a], &maxPos[b])
        Swift.swap(&prio[a], &prio[b]); Swift.swap(&span[a], &span[b])
    }

    /// Writes candidate `c` with span handle `h` into `slot`.
    @inline(__always)
    func fill(_ slot: Int, _ c: ExampleCandidate, span h: Int32) {
        value[slot] = c.value; window[slot] = c.window; maxPos[slot] = c.maxPos; prio[slot] = c.prio
        span[slot] = h
    }
}

/// One window's candidate example, before it is written into a slot.
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
