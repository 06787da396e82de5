/// The data order of a training run: a Fisher–Yates permutation of the training rows per epoch,
/// drawn from the shuffle seed and the epoch number, consumed in batches. The position is
/// (epoch, offset), so a run resumes exactly where it stopped. The init seeds never touch it: every
/// seed of a run sees identical batches (as sparsify's shared dataloader).
///
/// (A temporary, trainer-local shuffler; the data engineer's `BatchSchedule` may replace it.)
public struct EpochShuffler: Sendable, Equatable {
    /// Row ids the run trains on, in dataset order.
    public let rows: [Int]
    public let seed: UInt64
    /// Current epoch (0-based).
    public private(set) var epoch: Int
    /// Rows of the current epoch's permutation already consumed.
    public private(set) var offset: Int
    private var order: [Int]

    public init(rows: [Int], seed: UInt64, epoch: Int = 0, offset: Int = 0) {
        precondition(!rows.isEmpty, "no training rows")
        self.rows = rows; self.seed = seed; self.epoch = epoch; self.offset = offset
        order = Self.permutation(rows.count, seed: seed, epoch: epoch)
    }

    /// The permutation of epoch `e`: SeededRNG(seed ⊕ mix(e)).permutation(n).
    static func permutation(_ n: Int, seed: UInt64, epoch: Int) -> [Int] {
        var rng = SeededRNG(seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15))
        return rng.permutation(n)
    }

    /// The next `count` row ids (crossing into the next epoch when this one runs out).
    /// - Complexity: O(count), plus O(N) per epoch started.
    public mutating func next(_ count: Int) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(count)
        while out.count < count {
            if offset == order.count {
                epoch += 1; offset = 0
                order = Self.permutation(rows.count, seed: seed, epoch: epoch)
            }
            let take = min(count - out.count, order.count - offset)
            for t in offset..<(offset + take) { out.append(rows[order[t]]) }
            offset += take
        }
        return out
    }
}
