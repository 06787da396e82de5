/// Which cosine decides "shared": the matched decoder cosine, the encoder cosine, or both (the smaller).
public enum Criterion: String, CaseIterable, Sendable {
    case decoder, encoder, both
    public var label: String {
        switch self {
        case .decoder: return "dec"
        case .encoder: return "enc"
        case .both: return "dec&enc"
        }
    }
    @inline(__always) func value(_ p: PairMatch, _ l: Int) -> Float {
        switch self {
        case .decoder: return p.decoderCos[l]
        case .encoder: return p.encoderCos[l]
        case .both: return min(p.decoderCos[l], p.encoderCos[l])
        }
    }
}

/// An open run: its data, the matchings loaded so far and everything derived from the live threshold
/// and criterion. Views read from here; `update(threshold:criterion:)` recomputes in O(width × seeds).
final class RunContext {
    let provider: ExplorerData
    let data: RunData
    var id: String { data.summary.id }
    var seedCount: Int { data.latents.count }
    var width: Int { data.summary.width }
    /// Base seed index (rows of the table) and the "other" seed index of the overview histograms.
    private(set) var base = 0
    var other = 1
    private(set) var threshold: Float
    private(set) var criterion: Criterion
    /// Bumped whenever derived values change, so views can drop their caches.
    private(set) var generation = 0
    private var pairs: [Int: PairMatch] = [:]
    private var missingPairs: Set<Int> = []

    /// For each latent of the base seed: in how many seeds (base included) it has a matched partner
    /// with criterion cosine ≥ threshold (1...seedCount).
    private(set) var sharedCount: [UInt8] = []
    /// `kCounts[k]`: number of base latents shared in exactly k of N seeds (index 0 unused).
    private(set) var kCounts: [Int] = []
    /// Best criterion cosine of each base latent over the other seeds, sorted ascending (for the
    /// only-in-one curve: the fraction below t is the fraction that is in no other seed at threshold t).
    private(set) var bestSorted: [Float] = []
    private var heatCache: (generation: Int, values: [Float])?

    init(provider: ExplorerData, data: RunData, threshold: Float, criterion: Criterion) {
        self.provider = provider; self.data = data; self.threshold = threshold; self.criterion = criterion
        other = seedCount > 1 ? 1 : 0
        recompute()
    }

    /// The matching of seed index `a` onto `b` (loaded once, then cached).
    func pair(_ a: Int, _ b: Int) -> PairMatch? {
        let key = a * 4096 + b
        if let p = pairs[key] { return p }
        if missingPairs.contains(key) { return nil }
        guard let p = provider.pair(id, from: a, to: b), p.partner.count == width, p.decoderCos.count == width,
              p.encoderCos.count == width, p.decoderMaxCos.count == width, p.encoderMaxCos.count == width,
              p.agreement.count == width else { missingPairs.insert(key); return nil }
        pairs[key] = p
        return p
    }

    func setBase(_ b: Int) {
        guard b >= 0, b < seedCount, b != base else { return }
        base = b
        if other == base { other = (base + 1) % seedCount }
        recompute()
    }

    func update(threshold t: Float, criterion c: Criterion) {
        guard t != threshold || c != criterion else { return }
        let critChanged = c != criterion
        threshold = t; criterion = c
        recompute(bestToo: critChanged)
    }

    private func recompute(bestToo: Bool = true) {
        let n = seedCount, m = width, t = threshold
        var counts = [UInt8](repeating: 1, count: m)
        var best = bestToo ? [Float](repeating: -1, count: m) : []
        for b in 0..<n where b != base {
            guard let p = pair(base, b) else { continue }
            let v = criterionValues(p)
            // Locals and unsafe buffers: no class-property access or exclusivity checks per element.
            v.withUnsafeBufferPointer { vp in
                counts.withUnsafeMutableBufferPointer { cp in
                    for l in 0..<m where vp[l] >= t { cp[l] &+= 1 }
                }
                if bestToo {
                    best.withUnsafeMutableBufferPointer { bp in
                        for l in 0..<m where vp[l] > bp[l] { bp[l] = vp[l] }
                    }
                }
            }
        }
        var k = [Int](repeating: 0, count: n + 1)
        for c in counts { k[Int(c)] += 1 }
        sharedCount = counts; kCounts = k
        if bestToo { best.sort(); bestSorted = best }
        generation += 1
    }

    /// The criterion cosine of every latent of `p.from` (one array; `.both` is the elementwise min).
    func criterionValues(_ p: PairMatch) -> [Float] {
        switch criterion {
        case .decoder: return p.decoderCos
        case .encoder: return p.encoderCos
        case .both: return zip(p.decoderCos, p.encoderCos).map { min($0, $1) }
        }
    }

    /// Fraction of base latents with no partner ≥ t in any other seed (binary search in `bestSorted`).
    func onlyInOneFraction(at t: Float) -> Float {
        guard !bestSorted.isEmpty else { return 0 }
        var lo = 0, hi = bestSorted.count
        while lo < hi { let mid = (lo + hi) / 2; if bestSorted[mid] < t { lo = mid + 1 } else { hi = mid } }
        return Float(lo) / Float(bestSorted.count)
    }

    /// Pairwise shared fractions `[i * n + j]` (i's latents with a partner in j at the threshold);
    /// NaN where the matching is missing. Computed when first asked after a change.
    func heatmap() -> [Float] {
        if let h = heatCache, h.generation == generation { return h.values }
        let n = seedCount, m = width
        var v = [Float](repeating: .nan, count: n * n)
        for i in 0..<n {
            v[i * n + i] = 1
            for j in 0..<n where j != i {
                guard let p = pair(i, j) else { continue }
                let vals = criterionValues(p), t = threshold
                var c = 0
                vals.withUnsafeBufferPointer { vp in for l in 0..<m where vp[l] >= t { c += 1 } }
                v[i * n + j] = m > 0 ? Float(c) / Float(m) : 0
            }
        }
        heatCache = (generation, v)
        return v
    }

    /// Shared fraction of the base seed with every other seed (k = N) — the Runs view's headline number.
    var sharedAllFraction: Float {
        guard width > 0, kCounts.count > seedCount else { return 0 }
        return Float(kCounts[seedCount]) / Float(width)
    }
    /// Fraction of base latents matched in at least one other seed.
    var sharedAnyFraction: Float {
        guard width > 0, !kCounts.isEmpty else { return 0 }
        return 1 - Float(kCounts[1]) / Float(width)
    }

    func seedLabel(_ i: Int) -> String { i >= 0 && i < data.summary.seeds.count ? "s\(data.summary.seeds[i])" : "s?" }
}
