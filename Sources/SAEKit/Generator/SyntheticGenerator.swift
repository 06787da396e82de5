import Foundation

/// A generated dataset with its ground truth and the exact codes behind every row.
public struct SyntheticDataset: Sendable {
    public var config: SyntheticConfig
    /// `[N × d]`
    public var activations: Matrix
    /// Token id per row: the dominant (largest-magnitude) active feature `i` → id `i + 2`
    /// (text "f{i}"); no active feature → 1 ("<none>"); 0 is "<unk>".
    public var tokens: [Int32]
    public var truth: GroundTruth
    /// Active features of row r: `activeFeatures[activeStart[r]..<activeStart[r+1]]`, with magnitudes.
    public var activeStart: [Int]
    public var activeFeatures: [Int32]
    public var activeMagnitudes: [Float]

    /// The noiseless signal of every row, `[N × d]` (x minus the noise).
    public func signal() -> Matrix {
        var s = Matrix(rows: activations.rows, cols: activations.cols)
        let d = activations.cols
        let dirs = truth.directions
        for r in 0..<activations.rows {
            for k in activeStart[r]..<activeStart[r + 1] {
                let f = Int(activeFeatures[k]), m = activeMagnitudes[k]
                for j in 0..<d { s.data[r * d + j] += m * dirs.data[f * d + j] }
            }
        }
        return s
    }
}

/// Generates synthetic activations with known features (see `SyntheticConfig`).
public enum SyntheticGenerator {
    /// Token id of feature `i` and the two reserved ids.
    public static func tokenID(feature i: Int) -> Int32 { Int32(i + 2) }
    public static let noneTokenID: Int32 = 1

    /// Makes the dataset. Deterministic in `config` (one `SeededRNG` stream: directions, then rows).
    /// - Complexity: O(F²·d) for directions with `maxCosine`, else O(F·d); O(N·(F + L0·d)) for rows.
    public static func generate(_ config: SyntheticConfig) throws -> SyntheticDataset {
        if let p = config.problem() { throw SeedScopeError.usage(p) }
        var rng = SeededRNG(seed: config.seed)
        let f = config.features, d = config.dim
        let structure = SyntheticStructure(features: f, families: config.families)
        let dirs = try makeDirections(config, structure, &rng)
        let rootP = rootProbabilities(config, structure)
        // Expected marginal frequency of every feature.
        var freq = [Double](repeating: 0, count: f)
        for (r, i) in structure.roots.enumerated() { freq[i] = rootP[r] }
        for i in 0..<f where structure.parent[i] >= 0 { freq[i] = freq[structure.parent[i]] / 3 }
        for i in 0..<f where structure.leader[i] >= 0 { freq[i] = freq[structure.leader[i]] * config.pairCoFiring }
        let children = (0..<f).map { structure.parent.contains($0) ? structure.children(of: $0) : [] }
        let follower: [Int] = {
            var fl = [Int](repeating: -1, count: f)
            for i in 0..<f where structure.leader[i] >= 0 { fl[structure.leader[i]] = i }
            return fl
        }()

        let n = config.tokens / config.windowLength * config.windowLength
        let firing = sampleRootFirings(rootP, rows: n, &rng)
        var x = Matrix(rows: n, cols: d)
        var tokens = [Int32](repeating: noneTokenID, count: n)
        var start = [0], feats: [Int32] = [], mags: [Float] = []
        start.reserveCapacity(n + 1)
        let span = config.magnitudeMax - config.magnitudeMin
        x.data.withUnsafeMutableBufferPointer { xp in
            dirs.data.withUnsafeBufferPointer { dp in
                for row in 0..<n {
                    let xr = xp.baseAddress! + row * d
                    var best: Float = 0
                    func fire(_ i: Int) {
                        let m = config.magnitudeMin + span * rng.nextFloat()
                        feats.append(Int32(i)); mags.append(m)
                        Vec.axpy(m, dp.baseAddress! + i * d, xr, d)
                        if m > best { best = m; tokens[row] = tokenID(feature: i) }
                    }
                    for e in firing.start[row]..<firing.start[row + 1] {
                        let i = structure.roots[Int(firing.roots[e])]
                        fire(i)
                        if !children[i].isEmpty { fire(children[i][Int(rng.next() % UInt64(children[i].count))]) }
                        if follower[i] >= 0, rng.nextDouble() < config.pairCoFiring { fire(follower[i]) }
                    }
                    if config.noise > 0 { for j in 0..<d { xr[j] += config.noise * rng.nextGaussian() } }
                    start.append(feats.count)
                }
            }
        }
        let truth = GroundTruth(directions: dirs, frequencies: freq, parent: structure.parent, leader: structure.leader, noise: config.noise)
        return SyntheticDataset(config: config, activations: x, tokens: tokens, truth: truth,
                                activeStart: start, activeFeatures: feats, activeMagnitudes: mags)
    }

    /// Which roots fire on which rows, grouped by row (roots in rank order within a row).
    struct RootFirings { var start: [Int]; var roots: [Int32] }

    /// Samples every root's firing rows with geometric gaps (O(N·L0) instead of one coin per
    /// feature per row), then groups the events by row with a counting sort.
    static func sampleRootFirings(_ p: [Double], rows n: Int, _ rng: inout SeededRNG) -> RootFirings {
        var eventRow: [Int32] = [], eventRoot: [Int32] = []
        for (r, pr) in p.enumerated() where pr > 0 {
            var row = -1
            let logq = log1p(-pr)
            while true {
                // Gap to the next firing ~ Geometric(pr): floor(log U / log(1 − p)) rows skipped.
                if pr >= 1 { row += 1 } else {
                    let u = max(rng.nextDouble(), 1e-300)
                    let skip = (log(u) / logq).rounded(.down)
                    guard skip < Double(n) else { break }
                    row += 1 + Int(skip)
                }
                guard row < n else { break }
                eventRow.append(Int32(row)); eventRoot.append(Int32(r))
            }
        }
        var start = [Int](repeating: 0, count: n + 1)
        for r in eventRow { start[Int(r) + 1] += 1 }
        for i in 0..<n { start[i + 1] += start[i] }
        var fill = start
        var roots = [Int32](repeating: 0, count: eventRow.count)
        for (k, r) in eventRow.enumerated() { roots[fill[Int(r)]] = eventRoot[k]; fill[Int(r)] += 1 }
        return RootFirings(start: start, roots: roots)
    }

    /// Root firing probabilities p_r = min(1, c·(r+1)^-α), with c found by bisection so the expected
    /// L0 (each root's firing brings its child or, with `pairCoFiring`, its follower) equals `meanL0`.
    static func rootProbabilities(_ c: SyntheticConfig, _ s: SyntheticStructure) -> [Double] {
        let w = s.roots.indices.map { pow(Double($0 + 1), -c.alpha) }
        let perFiring = s.roots.map { i -> Double in
            1 + (s.parent.contains(i) ? 1 : 0) + (s.leader.contains(i) ? c.pairCoFiring : 0)
        }
        func l0(_ scale: Double) -> Double { zip(w, perFiring).reduce(0) { $0 + min(1, scale * $1.0) * $1.1 } }
        var lo = 0.0, hi = 1.0
        while l0(hi) < c.meanL0 && hi < 1e12 { hi *= 2 }
        for _ in 0..<100 { let mid = (lo + hi) / 2; if l0(mid) < c.meanL0 { lo = mid } else { hi = mid } }
        return w.map { min(1, hi * $0) }
    }

    /// Unit directions: random Gaussian (optionally rejection-sampled to |cos| ≤ maxCosine, or
    /// Gram–Schmidt orthonormal when maxCosine = 0); children at `childCosine` to their parent.
    static func makeDirections(_ c: SyntheticConfig, _ s: SyntheticStructure, _ rng: inout SeededRNG) throws -> Matrix {
        let f = c.features, d = c.dim
        var m = Matrix(rows: f, cols: d)
        var placed: [Int] = []
        func unit(_ v: [Float]) -> [Float] {
            let n = Float(v.reduce(0) { $0 + Double($1 * $1) }.squareRoot())
            return v.map { $0 / max(n, 1e-12) }
        }
        func dot(_ a: [Float], _ i: Int) -> Float { (0..<d).reduce(0) { $0 + a[$1] * m[i, $1] } }
        for i in 0..<f where s.parent[i] < 0 {
            var v = unit(rng.gaussians(d))
            if let maxCos = c.maxCosine {
                if maxCos == 0 {
                    for p in placed { let k = dot(v, p); for j in 0..<d { v[j] -= k * m[p, j] } }
                    v = unit(v)
                } else {
                    var tries = 0
                    while placed.contains(where: { abs(dot(v, $0)) > maxCos }) {
                        tries += 1
                        guard tries < 10_000 else {
                            throw SeedScopeError.usage("cannot place \(f) directions in d=\(d) with |cosine| ≤ \(maxCos); raise --max-cosine or --d")
                        }
                        v = unit(rng.gaussians(d))
                    }
                }
            }
            for j in 0..<d { m[i, j] = v[j] }
            placed.append(i)
        }
        for i in 0..<f where s.parent[i] >= 0 {
            let p = s.parent[i]
            var u = rng.gaussians(d)
            let k = dot(u, p)
            for j in 0..<d { u[j] -= k * m[p, j] }
            u = unit(u)
            let cs = c.childCosine, sn = (1 - cs * cs).squareRoot()
            for j in 0..<d { m[i, j] = cs * m[p, j] + sn * u[j] }
        }
        return m
    }
}
