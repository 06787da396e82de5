/// The `count` largest values seen so far for each of `n` keys (rows or columns of a similarity
/// matrix), with their partner indices. Unsorted slots plus the position of the current minimum, so a
/// value that does not beat the minimum costs one comparison — on a random stream of length L only
/// about count·ln(L) insertions happen per key.
public struct TopCandidates: Sendable, Equatable {
    /// Number of keys.
    public let n: Int
    /// Slots per key (C).
    public let count: Int
    /// `[n × count]` values; −∞ in unused slots.
    public internal(set) var values: [Float]
    /// `[n × count]` partner indices; −1 in unused slots.
    public internal(set) var indices: [Int32]
    /// `[n]` current minimum of each key's slots (the entry bar).
    var mins: [Float]
    /// `[n]` slot of that minimum.
    var minSlot: [Int32]

    /// Empty lists for `n` keys, `count` slots each.
    public init(n: Int, count: Int) {
        precondition(count >= 1, "need at least one candidate slot")
        self.n = n; self.count = count
        values = [Float](repeating: -.infinity, count: n * count)
        indices = [Int32](repeating: -1, count: n * count)
        mins = [Float](repeating: -.infinity, count: n)
        minSlot = [Int32](repeating: 0, count: n)
    }

    /// Key `key`'s candidates as (partner, value) sorted by value descending, ties by lower partner.
    public func sorted(_ key: Int) -> [Candidate] {
        var out: [Candidate] = []
        for s in 0..<count where indices[key * count + s] >= 0 {
            out.append(Candidate(index: Int(indices[key * count + s]), value: values[key * count + s]))
        }
        out.sort { $0.value != $1.value ? $0.value > $1.value : $0.index < $1.index }
        return out
    }

    /// The best partner of `key` (largest value, lowest index among ties), or nil if none was seen.
    public func best(_ key: Int) -> Candidate? {
        var b: Candidate? = nil
        for s in 0..<count {
            let idx = indices[key * count + s]
            if idx < 0 { continue }
            let v = values[key * count + s]
            if let cur = b, !(v > cur.value || (v == cur.value && Int(idx) < cur.index)) { continue }
            b = Candidate(index: Int(idx), value: v)
        }
        return b
    }
}

/// One candidate partner and its similarity.
public struct Candidate: Sendable, Equatable {
    public var index: Int
    public var value: Float
    public init(index: Int, value: Float) { self.index = index; self.value = value }
}

/// Raw-pointer view used by the streaming kernels (one writer per key at a time).
struct TopCandidatesHandle: @unchecked Sendable {
    let values: UnsafeMutablePointer<Float>
    let indices: UnsafeMutablePointer<Int32>
    let mins: UnsafeMutablePointer<Float>
    let minSlot: UnsafeMutablePointer<Int32>
    let count: Int

    /// Offers `value` with partner `index` to `key`; kept if it beats the current minimum.
    @inline(__always)
    func offer(_ key: Int, _ value: Float, _ index: Int32) {
        if value > mins[key] { insert(key, value, index) }
    }

    @inline(never)
    func insert(_ key: Int, _ value: Float, _ index: Int32) {
        let base = key * count
        let s = Int(minSlot[key])
        values[base + s] = value
        indices[base + s] = index
        var m = values[base], ms = 0
        for t in 1..<count where values[base + t] < m { m = values[base + t]; ms = t }
        mins[key] = m
        minSlot[key] = Int32(ms)
    }
}

extension TopCandidates {
    /// Runs `body` with a raw handle on the storage.
    mutating func withHandle<R>(_ body: (TopCandidatesHandle) throws -> R) rethrows -> R {
        let c = count
        return try values.withUnsafeMutableBufferPointer { v in
            try indices.withUnsafeMutableBufferPointer { i in
                try mins.withUnsafeMutableBufferPointer { m in
                    try minSlot.withUnsafeMutableBufferPointer { s in
                        try body(TopCandidatesHandle(values: v.baseAddress!, indices: i.baseAddress!,
                                                     mins: m.baseAddress!, minSlot: s.baseAddress!, count: c))
                    }
                }
            }
        }
    }
}
