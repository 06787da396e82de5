import Foundation

/// The generator behind `SyntheticExplorerData`: every number is a hash of (run, seed, latent), so any
/// pair or card can be produced independently and reproducibly.
///
/// Model: latent `l` of seed 0 is concept `l`; seed `j` holds concept `c` at latent `perm_j[c]`.
/// Concept `c` has a stability `s_c` (stable ~0.9, middling, or unstable ~0.3); its quality in seed `j`
/// is `s_c` plus seed noise, and a pair's matched cosine is the smaller quality plus pair noise.
struct SyntheticModel {
    let spec: SyntheticExplorerData.Spec
    let salt: UInt64
    var m: Int { spec.summary.width }
    var n: Int { spec.summary.seeds.count }

    init(_ spec: SyntheticExplorerData.Spec) {
        self.spec = spec
        var h: UInt64 = 1469598103934665603
        for b in spec.summary.id.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        salt = h
    }

    // MARK: - Hashing

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    @inline(__always) func h(_ a: Int, _ b: Int = 0, _ c: Int = 0, _ d: Int = 0) -> UInt64 {
        Self.mix(salt ^ Self.mix(UInt64(truncatingIfNeeded: a) &+ Self.mix(UInt64(truncatingIfNeeded: b)
            &+ Self.mix(UInt64(truncatingIfNeeded: c) &+ Self.mix(UInt64(truncatingIfNeeded: d))))))
    }
    /// Uniform in [0, 1).
    @inline(__always) func u(_ a: Int, _ b: Int = 0, _ c: Int = 0, _ d: Int = 0) -> Float {
        Float(h(a, b, c, d) >> 40) * (1.0 / 16_777_216.0)
    }
    /// Roughly Gaussian (sum of three uniforms, unit variance).
    @inline(__always) func g(_ a: Int, _ b: Int, _ c: Int) -> Float {
        (u(a, b, c, 1) + u(a, b, c, 2) + u(a, b, c, 3) - 1.5) * 2
    }

    // MARK: - Structure

    /// Latent of seed `j` holding concept `c` (a permutation; seed 0 is the identity).
    func latent(ofConcept c: Int, seed j: Int) -> Int {
        j == 0 ? c : Self.permute(c, m, salt &+ UInt64(j) &* 7919)
    }
    /// Concept held by latent `l` of seed `j` (inverse permutation).
    func concept(ofLatent l: Int, seed j: Int) -> Int {
        j == 0 ? l : Self.unpermute(l, m, salt &+ UInt64(j) &* 7919)
    }
    /// A cheap bijection of 0..<n: multiply by an odd constant coprime to n plus an offset (mod n).
    static func permute(_ x: Int, _ n: Int, _ key: UInt64) -> Int {
        let (a, b) = coefficients(n, key)
        return Int((UInt64(x) &* a &+ b) % UInt64(n))
    }
    static func unpermute(_ y: Int, _ n: Int, _ key: UInt64) -> Int {
        let (a, b) = coefficients(n, key)
        let inv = modInverse(a, UInt64(n))
        let yy = (UInt64(y) + UInt64(n) - b % UInt64(n)) % UInt64(n)
        return Int((yy &* inv) % UInt64(n))
    }
    static func coefficients(_ n: Int, _ key: UInt64) -> (UInt64, UInt64) {
        var a = (mix(key) % UInt64(max(n, 2))) | 1
        while gcd(a, UInt64(n)) != 1 { a += 2 }
        return (a % UInt64(max(n, 1)) == 0 ? 1 : a, mix(key ^ 0xABCD) % UInt64(max(n, 1)))
    }
    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 { b == 0 ? a : gcd(b, a % b) }
    static func modInverse(_ a: UInt64, _ n: UInt64) -> UInt64 {
        if n == 1 { return 0 }
        var (t, newT): (Int64, Int64) = (0, 1)
        var (r, newR): (Int64, Int64) = (Int64(n), Int64(a % n))
        while newR != 0 {
            let q = r / newR
            (t, newT) = (newT, t - q * newT)
            (r, newR) = (newR, r - q * newR)
        }
        return UInt64(t < 0 ? t + Int64(n) : t)
    }

    /// Stability of concept `c`: the latent-level "how reproducible" knob.
    func stability(_ c: Int) -> Float {
        let r = u(c, 11)
        let mid = (1 - spec.stableFraction) * 0.55
        if r < spec.stableFraction { return 0.76 + 0.19 * u(c, 12) }
        if r < spec.stableFraction + mid { return 0.45 + 0.33 * u(c, 12) }
        return 0.08 + 0.4 * u(c, 12)
    }
    func isDead(seed j: Int, latent l: Int) -> Bool { u(j, l, 21) < spec.deadFraction }
    func quality(concept c: Int, seed j: Int) -> Float {
        min(0.985, max(0.02, stability(c) + 0.03 * g(c, j, 31)))
    }

    // MARK: - Products

    func runData() -> RunData {
        let words = SyntheticVocabulary.words
        var seeds: [SeedLatents] = []
        seeds.reserveCapacity(n)
        for j in 0..<n {
            var freq = [Float](repeating: 0, count: m), act = [Float](repeating: 0, count: m)
            var dead = [Bool](repeating: false, count: m), tops = [String](repeating: "", count: m)
            for l in 0..<m {
                let c = concept(ofLatent: l, seed: j)
                if isDead(seed: j, latent: l) { dead[l] = true; tops[l] = "(dead)"; continue }
                freq[l] = Float(pow(10, Double(-4.5 + 3.5 * u(c, 41) + 0.3 * g(c, j, 42))))
                act[l] = 2 + 14 * u(c, 43) * u(c, 44) + 0.5 * abs(g(c, j, 45))
                let cc = conceptWords(c, seed: j)
                tops[l] = words[cc.0] + " " + words[cc.1] + " " + words[cc.2]
            }
            seeds.append(SeedLatents(firingFrequency: freq, maxActivation: act, dead: dead, topTokens: tops))
        }
        // Random-init baseline: max |cos| of random directions in d=576 is about sqrt(2 ln m / d).
        let centre = Float(sqrt(2 * log(Double(max(m, 2))) / 576))
        var bd = [Float](), be = [Float]()
        for i in 0..<min(m, 4096) {
            bd.append(max(0, centre + 0.025 * g(i, 51, 0)))
            be.append(max(0, centre * 1.05 + 0.025 * g(i, 52, 0)))
        }
        return RunData(summary: spec.summary, latents: seeds, baselineDecoderMaxCos: bd, baselineEncoderMaxCos: be,
                       profiledTokens: 32_640, method: "hungarian")
    }

    /// The three top words of concept `c` as seen in seed `j` (an unstable concept drifts).
    func conceptWords(_ c: Int, seed j: Int) -> (Int, Int, Int) {
        let k = SyntheticVocabulary.words.count
        let drift = quality(concept: c, seed: j) < 0.45 ? j &* 977 : 0
        let base = Int(h(c &+ drift, 61) % UInt64(k))
        return (base, (base + 1 + Int(h(c &+ drift, 62) % 7)) % k, (base + 9 + Int(h(c &+ drift, 63) % 13)) % k)
    }

    func pair(_ a: Int, _ b: Int) -> PairMatch {
        var partner = [Int32](repeating: -1, count: m)
        var dc = [Float](repeating: 0, count: m), ec = dc, dm = dc, em = dc, ag = dc
        let lo = min(a, b), hi = max(a, b)
        for l in 0..<m {
            let c = concept(ofLatent: l, seed: a)
            let p = latent(ofConcept: c, seed: b)
            partner[l] = Int32(p)
            var q = min(quality(concept: c, seed: a), quality(concept: c, seed: b))
            if isDead(seed: a, latent: l) || isDead(seed: b, latent: p) { q = 0.05 + 0.1 * u(c, lo, hi, 71) }
            // Symmetric pair noise (same for a→b and b→a), so the matching is one-to-one and consistent.
            let d = min(0.999, max(-0.05, q + 0.03 * g(c, lo * 64 + hi, 72)))
            let e = min(0.999, max(-0.05, q * 0.93 + 0.04 * g(c, lo * 64 + hi, 73)))
            dc[l] = d; ec[l] = e
            // A spurious best match elsewhere can beat a poor assignment (max-cos ≥ matched cos).
            let spurious = 0.18 + 0.45 * u(l, a, b, 74) * u(l, a, b, 75)
            dm[l] = max(d, spurious); em[l] = max(e, spurious * 0.95)
            ag[l] = isDead(seed: a, latent: l) ? .nan : min(1, max(0, d * d + 0.08 * g(c, lo * 64 + hi, 76)))
        }
        return PairMatch(from: a, to: b, partner: partner, decoderCos: dc, encoderCos: ec, decoderMaxCos: dm,
                         encoderMaxCos: em, agreement: ag)
    }

    func card(seed j: Int, latent l: Int) -> LatentCard {
        let words = SyntheticVocabulary.words
        let c = concept(ofLatent: l, seed: j)
        if isDead(seed: j, latent: l) {
            return LatentCard(seed: j, latent: l, histogramCounts: Array(repeating: 0, count: 24), histogramMax: 0,
                              topWindows: [], intervals: [], intervalMode: "equal-width")
        }
        let maxAct = 2 + 14 * u(c, 43) * u(c, 44) + 0.5 * abs(g(c, j, 45))
        let (w0, w1, w2) = conceptWords(c, seed: j)
        let salt = j * 1_000_003 + l
        func window(_ idx: Int, peak: Float) -> ActivatingWindow {
            let len = 20
            let win = Int(h(salt, idx, 81) % 256)
            let start = 1 + Int(h(salt, idx, 82) % 100)
            var toks: [String] = [], acts: [Float] = []
            let at = 7 + Int(h(salt, idx, 83) % 6)
            for t in 0..<len {
                let r = h(salt, idx, t, 84)
                var word = words[Int(r % UInt64(words.count))]
                var a: Float = 0
                if t == at { word = words[[w0, w1, w2][idx % 3]]; a = peak }
                else if t == at + 1 || t == at - 1 { a = peak * 0.25 * u(salt, idx, t, 85) }
                else if u(salt, idx, t, 86) < 0.08 { word = words[w1]; a = peak * 0.4 * u(salt, idx, t, 87) }
                toks.append(word); acts.append(a)
            }
            return ActivatingWindow(window: win, start: start, tokens: toks, activations: acts)
        }
        let top = (0..<10).map { window($0, peak: maxAct * (1 - 0.035 * Float($0) - 0.01 * u(salt, $0, 88))) }
        var counts: [Int] = []
        for b in 0..<24 { counts.append(Int(Float(4000) * exp(-Float(b) / 3.5) * (0.8 + 0.4 * u(salt, b, 89)))) }
        let total = Float(counts.reduce(0, +))
        var intervals: [IntervalSample] = []
        for k in 0..<5 {
            let lo = maxAct * Float(k) / 5, hi = maxAct * Float(k + 1) / 5
            let frac = counts[(k * 24 / 5)..<((k + 1) * 24 / 5)].reduce(0, +)
            intervals.append(IntervalSample(low: lo, high: hi, fraction: Float(frac) / max(total, 1),
                                            windows: (0..<2).map { window(100 + k * 2 + $0, peak: lo + (hi - lo) * (0.2 + 0.6 * u(salt, k, $0, 90))) }))
        }
        return LatentCard(seed: j, latent: l, histogramCounts: counts, histogramMax: maxAct, topWindows: top,
                          intervals: intervals, intervalMode: "equal-width")
    }
}

/// Display pieces for synthetic windows (KJV-flavoured, with a newline and a few wide characters so the
/// escaping and width code paths are exercised).
enum SyntheticVocabulary {
    static let words: [String] = [
        " the", " LORD", " and", " unto", " thee", " thou", " shall", " said", " God", " of", " his", " him",
        " that", " in", " Israel", " king", " house", " land", " children", " David", " Moses", " people",
        " hath", " upon", " came", " went", " said", ",", ".", ";", ":", "\n", " saith", " heaven", " earth",
        " water", " bread", " wine", " gold", " silver", " sword", " city", " Jerusalem", " Egypt", " Pharaoh",
        " servant", " priest", " altar", " offering", " blood", " sin", " mercy", " spirit", " angel", " sheep",
        " fire", " cloud", " mountain", " river", " sea", " tree", " fruit", " seed", " day", " night", " year",
        " forty", " seven", " twelve", " thousand", " begat", " behold", " verily", " amen", " woe", " glory",
        " praise", " holy", " righteous", " wicked", " enemies", " covenant", " law", " prophet", " Jesus",
        " disciples", " Peter", " Paul", " church", " faith", " grace", " love", " truth", " light", " darkness",
        "’s", " —", " Abraham", " Isaac", " Jacob", " Joseph", " Aaron", " Saul", " Solomon", " temple",
        " 神", " 光", "\t", " ye", " thy", " art", " doth", " wherefore", " thereof", " whom",
    ]
}
