/// Allocates `n` initialised values of a trivial type (freed by the owner's `deinit`).
///
/// The profiler keeps its per-latent state in raw buffers held by `let` properties: Swift arrays
/// stored in class properties pay a dynamic exclusivity check and a uniqueness check on every
/// element write, which cost more than the bookkeeping itself in the hot loop (measured with perf).
@inline(__always)
func rawBuffer<T>(_ n: Int, _ value: T) -> UnsafeMutablePointer<T> {
    let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, n))
    p.initialize(repeating: value, count: max(1, n))
    return p
}

/// A copy of `n` values as an array.
@inline(__always)
func arrayOf<T>(_ p: UnsafeMutablePointer<T>, _ n: Int) -> [T] { Array(UnsafeBufferPointer(start: p, count: n)) }
