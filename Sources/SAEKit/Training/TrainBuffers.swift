import Foundation

/// A fixed-size, zero-initialised Float buffer shared by the trainer's worker threads. Each worker
/// writes a disjoint range, so no locking is needed (hence `@unchecked Sendable`).
final class FBuf: @unchecked Sendable {
    let p: UnsafeMutablePointer<Float>
    let count: Int
    init(_ count: Int) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
    }
    convenience init(_ values: [Float]) {
        self.init(values.count)
        values.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: values.count) }
    }
    deinit { p.deallocate() }
    var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
    func set(_ values: [Float]) {
        precondition(values.count == count, "buffer of \(count) set from \(values.count) values")
        values.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: count) }
    }
    func zero() { p.update(repeating: 0, count: count) }
    subscript(i: Int) -> Float {
        get { p[i] }
        set { p[i] = newValue }
    }
}

/// A typed scratch buffer of any trivial element type (indices, flags, counters).
final class Buf<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
    let count: Int
    init(_ count: Int, _ fill: T) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: fill, count: max(count, 1))
    }
    deinit { p.deallocate() }
    subscript(i: Int) -> T {
        get { p[i] }
        set { p[i] = newValue }
    }
}

/// Deterministic 2-way (or n-way) parallelism for the trainer: `body(range)` runs on disjoint
/// contiguous ranges of `0..<n`. Every kernel that uses it writes per-element results (per token or
/// per latent) whose value does not depend on how the range was split, so results are identical
/// for any thread count (reductions are done afterwards, serially, in index order).
enum TrainParallel {
    /// Worker threads for the trainer's own kernels (OpenBLAS has its own pool).
    nonisolated(unsafe) static var threads: Int = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))

    static func forRanges(_ n: Int, minPerThread: Int = 64, _ body: (Range<Int>) -> Void) {
        let t = min(threads, max(1, n / max(minPerThread, 1)))
        if t <= 1 { body(0..<n); return }
        withoutActuallyEscaping(body) { esc in
            let box = UncheckedBox(esc)
            DispatchQueue.concurrentPerform(iterations: t) { c in
                let lo = n * c / t, hi = n * (c + 1) / t
                if lo < hi { box.value(lo..<hi) }
            }
        }
    }

    /// Splits `0..<n` into `threads` ranges of roughly equal total `weight` (a prefix-sum array of
    /// n+1 entries), for per-latent work whose cost is the number of tokens a latent fired on.
    static func forWeightedRanges(_ n: Int, prefix: UnsafePointer<Int32>, _ body: (Range<Int>) -> Void) {
        let t = threads
        let total = Int(prefix[n])
        if t <= 1 || total < 4096 { body(0..<n); return }
        var bounds = [0]
        var i = 0
        for c in 1..<t {
            let target = total * c / t
            while i < n && Int(prefix[i]) < target { i += 1 }
            bounds.append(i)
        }
        bounds.append(n)
        let bb = bounds
        withoutActuallyEscaping(body) { esc in
            let box = UncheckedBox(esc)
            DispatchQueue.concurrentPerform(iterations: t) { c in
                if bb[c] < bb[c + 1] { box.value(bb[c]..<bb[c + 1]) }
            }
        }
    }
}

/// Carries a non-Sendable value (a closure over raw pointers to disjoint ranges) into
/// `concurrentPerform`; safety is the caller's: workers write disjoint memory.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}
