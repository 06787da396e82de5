/// N seeds: every pair matched, and for each base SAE the number of other SAEs each of its latents
/// is shared with — pairwise, not a clique, exactly as the authors count (reference/paper.md §1.6).
public struct Consensus: Sendable {
    /// Number of SAEs.
    public let count: Int
    /// Display names, `[count]`.
    public let names: [String]
    /// Latent count of each SAE.
    public let latents: [Int]
    /// `pairs[i][j]` for i < j: the match with A = SAE i, B = SAE j.
    private let pairTable: [[PairMatch?]]

    /// - Parameter pairs: a match for every i < j, keyed by `PairKey(i, j)`.
    public init(names: [String], latents: [Int], pairs: [PairKey: PairMatch]) {
        precondition(names.count == latents.count, "one name per SAE")
        count = names.count; self.names = names; self.latents = latents
        var t = [[PairMatch?]](repeating: [PairMatch?](repeating: nil, count: names.count), count: names.count)
        for (k, v) in pairs { precondition(k.i < k.j && k.j < names.count, "pair key out of range"); t[k.i][k.j] = v }
        for i in 0..<count { for j in (i + 1)..<max(i + 1, count) { precondition(t[i][j] != nil, "missing pair \(i)-\(j)") } }
        pairTable = t
    }

    /// The match with A = `i`, B = `j` (i < j).
    public func pair(_ i: Int, _ j: Int) -> PairMatch { pairTable[min(i, j)][max(i, j)]! }

    /// `[latents[base]]`: whether each latent of `base` is shared with SAE `other`.
    ///
    /// When base < other, base is side A and the criterion's mask is read directly. When base > other,
    /// base is side B: a base latent counts as shared when it is the **encoder** partner of a shared
    /// A latent — the authors' choice (notebook cells 17–28), kept for comparability.
    public func sharedWith(base: Int, other: Int, criterion: SharedCriterion = .strict, threshold t: Float = 0.7) -> [Bool] {
        if base < other { return pair(base, other).sharedMask(criterion, threshold: t) }
        let p = pair(other, base)
        let m = p.sharedMask(criterion, threshold: t)
        var out = [Bool](repeating: false, count: latents[base])
        for (r, s) in m.enumerated() where s {
            let j = p.encoder.assignment[r]
            if j >= 0 { out[j] = true }
        }
        return out
    }

    /// `[latents[base]]` number of other SAEs each base latent is shared with (0 … count−1), among
    /// `among` (default: all others).
    public func sharedCounts(base: Int, among: [Int]? = nil, criterion: SharedCriterion = .strict, threshold t: Float = 0.7) -> [Int] {
        var c = [Int](repeating: 0, count: latents[base])
        for o in (among ?? Array(0..<count)) where o != base {
            for (i, s) in sharedWith(base: base, other: o, criterion: criterion, threshold: t).enumerated() where s { c[i] += 1 }
        }
        return c
    }

    /// `[count]`: entry k−1 is the fraction of base latents found in exactly k SAEs (itself included).
    public func inExactly(base: Int, criterion: SharedCriterion = .strict, threshold t: Float = 0.7) -> [Double] {
        var h = [Double](repeating: 0, count: count)
        let c = sharedCounts(base: base, criterion: criterion, threshold: t)
        for x in c { h[x] += 1 }
        return h.map { c.isEmpty ? 0 : $0 / Double(c.count) }
    }

    /// `inExactly` averaged over every choice of base (the paper's donut).
    public func inExactlyAveraged(criterion: SharedCriterion = .strict, threshold t: Float = 0.7) -> [Double] {
        var acc = [Double](repeating: 0, count: count)
        for b in 0..<count { for (k, v) in inExactly(base: b, criterion: criterion, threshold: t).enumerated() { acc[k] += v } }
        return acc.map { $0 / Double(max(count, 1)) }
    }

    /// `[count × count]` shared fraction of SAE i's latents with SAE j (diagonal 1): the pair heatmap.
    public func heatmap(criterion: SharedCriterion = .strict, threshold t: Float = 0.7) -> [[Double]] {
        (0..<count).map { i in
            (0..<count).map { j in
                if i == j { return 1 }
                let m = sharedWith(base: i, other: j, criterion: criterion, threshold: t)
                return m.isEmpty ? 0 : Double(m.filter { $0 }.count) / Double(m.count)
            }
        }
    }

    /// PW-MCC: the decoder alignment score (mean matched decoder cosine) averaged over all pairs.
    public var pwmcc: Double {
        var s = 0.0, n = 0
        for i in 0..<count { for j in (i + 1)..<max(i + 1, count) { s += pair(i, j).decoder.alignment; n += 1 } }
        return n > 0 ? s / Double(n) : .nan
    }

    /// One point of the only-in-one curve.
    public struct CurvePoint: Sendable, Equatable {
        /// Number of SAEs drawn.
        public var n: Int
        /// Mean and standard deviation over trials of the fraction of base latents shared with none
        /// of the other n − 1.
        public var mean: Double, std: Double
    }

    /// For n = 2 … count: `trials` random draws of n distinct SAEs and a random base among them
    /// (paper §1.6: 20 trials per n), seeded.
    public func onlyInOneCurve(trials: Int = 20, seed: UInt64 = 0, criterion: SharedCriterion = .strict, threshold t: Float = 0.7) -> [CurvePoint] {
        var rng = SeededRNG(seed: seed)
        var out: [CurvePoint] = []
        guard count >= 2 else { return out }
        for n in 2...count {
            var xs: [Double] = []
            for _ in 0..<trials {
                let chosen = Array(rng.permutation(count).prefix(n))
                let base = chosen[Int(rng.next() % UInt64(n))]
                let c = sharedCounts(base: base, among: chosen, criterion: criterion, threshold: t)
                xs.append(c.isEmpty ? 0 : Double(c.filter { $0 == 0 }.count) / Double(c.count))
            }
            let mean = xs.reduce(0, +) / Double(xs.count)
            let varr = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count)
            out.append(CurvePoint(n: n, mean: mean, std: varr.squareRoot()))
        }
        return out
    }
}

/// An unordered pair of SAE indices, stored with i < j.
public struct PairKey: Hashable, Sendable {
    public let i: Int, j: Int
    public init(_ a: Int, _ b: Int) { precondition(a != b, "a pair needs two SAEs"); i = min(a, b); j = max(a, b) }
}
