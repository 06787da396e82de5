/// Allocates `n` initialised values of a trivial type (freed by the owner's `deinit`).
///
/// The profiler keeps its per-latent state in raw buffers held by `let` properties: Swift arrays
/// stored in class properties pay a dynamic exclusivity check and a uniqueness check on every
/// element write, which cost more than the bookkeeping itself in the hot loop (measured with perf).
@inline(__always)
func rawBuffer<T>(_ n: Int, _ value: T) -> UnsafeMutablePointer<T> {
    let p: UnsafeMutablePointer<T> = largeBuffer(max(1, n))
    p.initialize(repeating: value, count: max(1, n))
    return p
}

/// Allocates room for `n` values, uninitialised; `deallocate()` frees it. For the large per-latent
/// stores whose entries are always written before they are read (example slots, spans): skipping
/// the initial fill saves zeroing ~85 MB per pass at m = 4608, and pages are touched by the
/// bookkeeping threads in parallel. (Transparent huge pages were tried for these buffers: the
/// kernel's synchronous compaction on fault stalled one thread for ~100 ms, so they are not used.)
@inline(__always)
func largeBuffer<T>(_ n: Int) -> UnsafeMutablePointer<T> { .allocate(capacity: max(1, n)) }

/// A copy of `n` values as an array.
@inline(__always)
func arrayOf<T>(_ p: UnsafeMutablePointer<T>, _ n: Int) -> [T] { Array(UnsafeBufferPointer(start: p, count: n)) }
