/// The order in which training visits rows: a fresh shuffle of the usable rows every epoch, cut into
/// batches, determined entirely by `shuffleSeed`.
///
/// The shuffle seed is separate from the SAE initialisation seed on purpose: Paulo & Belrose (2025)
/// train every init seed on the *same* data order, so differences between seeds come from
/// initialisation alone. Epoch `e`'s permutation is drawn from `SeededRNG(seed: mix(shuffleSeed, e))`,
/// so any batch can be recomputed without replaying earlier epochs, and training resumes mid-epoch
/// from an (epoch, batch) position exactly.
public struct BatchSchedule: Sendable, Equatable {
    /// The rows to visit (e.g. `dataset.usableRows` or a split's `trainRows`).
    public let rows: [Int]
    public let batchSize: Int
    public let shuffleSeed: UInt64
    /// Drop the last, short batch of each epoch (so every batch has `batchSize` rows).
    public let dropLast: Bool

    /// Where a run is in the schedule: the next batch to take.
    public struct Position: Sendable, Equatable, Codable {
        public var epoch: Int
        public var batch: Int
        public init(epoch: Int = 0, batch: Int = 0) { self.epoch = epoch; self.batch = batch }
    }

    public init(rows: [Int], batchSize: Int, shuffleSeed: UInt64, dropLast: Bool = false) {
        precondition(batchSize > 0, "batch size must be positive")
        self.rows = rows
        self.batchSize = batchSize
        self.shuffleSeed = shuffleSeed
        self.dropLast = dropLast
    }

    /// Rows `0..<rows` (all rows of a source).
    public init(rows count: Int, batchSize: Int, shuffleSeed: UInt64, dropLast: Bool = false) {
        self.init(rows: Array(0..<count), batchSize: batchSize, shuffleSeed: shuffleSeed, dropLast: dropLast)
    }

    /// Batches per epoch.
    public var batchesPerEpoch: Int { dropLast ? rows.count / batchSize : (rows.count + batchSize - 1) / batchSize }

    /// All rows of `epoch` in visiting order.
    /// - Complexity: O(rows.count).
    public func order(epoch: Int) -> [Int] {
        var rng = SeededRNG(seed: Self.mix(shuffleSeed, UInt64(truncatingIfNeeded: epoch)))
        let perm = rng.permutation(rows.count)
        return perm.map { rows[$0] }
    }

    /// The rows of batch `index` of `epoch`.
    public func batch(epoch: Int, index: Int) -> [Int] {
        precondition(index >= 0 && index < batchesPerEpoch, "batch \(index) out of 0..<\(batchesPerEpoch)")
        let o = order(epoch: epoch)
        return Array(o[(index * batchSize)..<min(o.count, (index + 1) * batchSize)])
    }

    /// An iterator starting at `position` (epochs continue forever; stop it by count).
    public func makeIterator(from position: Position = Position()) -> Iterator { Iterator(schedule: self, position: position) }

    /// Yields batches in order, caching the current epoch's permutation.
    public struct Iterator: IteratorProtocol, Sendable {
        public let schedule: BatchSchedule
        /// The next batch this iterator returns (save it to resume).
        public private(set) var position: Position
        private var cachedEpoch = -1
        private var cached: [Int] = []

        init(schedule: BatchSchedule, position: Position) { self.schedule = schedule; self.position = position }

        public mutating func next() -> [Int]? {
            guard schedule.batchesPerEpoch > 0 else { return nil }
            if position.batch >= schedule.batchesPerEpoch { position = Position(epoch: position.epoch + 1, batch: 0) }
            if cachedEpoch != position.epoch { cached = schedule.order(epoch: position.epoch); cachedEpoch = position.epoch }
            let lo = position.batch * schedule.batchSize
            let out = Array(cached[lo..<min(cached.count, lo + schedule.batchSize)])
            position.batch += 1
            return out
        }
    }

    /// SplitMix64 finaliser of (seed, epoch): distinct epochs and seeds give unrelated streams.
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var z = a &+ 0x9E37_79B9_7F4A_7C15 &* (b &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
