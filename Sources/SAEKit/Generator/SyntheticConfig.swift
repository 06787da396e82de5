/// What the synthetic generator makes (`seedscope generate`). Every row is
/// `x = Σ_i a_i m_i f_i + σ ε`: unit feature directions `f_i` ([F × d]), independent Bernoulli firing
/// `a_i` with power-law frequencies, magnitudes `m_i ~ U(magnitudeMin, magnitudeMax)`, Gaussian noise
/// `ε ~ N(0, I_d)`. This is the toy-model setting of Elhage et al. (2022) / Sharkey et al. (2022) used
/// to check that SAEs recover known features, with the structure Paulo & Belrose (2025) discuss
/// (feature families, co-occurrence) available as options.
public struct SyntheticConfig: Sendable, Equatable, Codable {
    /// Activation width d.
    public var dim: Int = 64
    /// Number of true features F.
    public var features: Int = 512
    /// Expected number of active features per token (mean L0), counting family members and partners.
    public var meanL0: Double = 8
    /// Number of tokens (rows) N; rounded down to whole windows.
    public var tokens: Int = 65_536
    /// Tokens per window T.
    public var windowLength: Int = 64
    public var seed: UInt64 = 0
    /// Power-law exponent α: the r-th most frequent root feature fires ∝ (r+1)^-α.
    public var alpha: Double = 0.5
    /// Noise standard deviation σ per dimension.
    public var noise: Float = 0.05
    public var magnitudeMin: Float = 0.5
    public var magnitudeMax: Float = 1.5
    /// Structure: a quarter of the features… see `SyntheticStructure`.
    public var families: Bool = false
    /// Cosine between a child's direction and its parent's.
    public var childCosine: Float = 0.5
    /// Probability that a pair's follower fires when its leader fires.
    public var pairCoFiring: Double = 0.8
    /// Maximum |cosine| between independent directions (rejection sampling); nil = plain random.
    /// 0 with F ≤ d gives an orthonormal dictionary.
    public var maxCosine: Float? = nil

    public init() {}

    /// Checks ranges; returns a one-line problem or nil.
    public func problem() -> String? {
        if dim < 1 { return "--d must be at least 1" }
        if features < 1 { return "--features must be at least 1" }
        if meanL0 <= 0 { return "--l0 must be positive" }
        if windowLength < 1 || tokens < windowLength { return "--tokens must be at least one window (\(windowLength))" }
        if noise < 0 { return "--noise must be non-negative" }
        if !(magnitudeMin > 0 && magnitudeMax >= magnitudeMin) { return "magnitudes need 0 < min ≤ max" }
        if let c = maxCosine, c == 0, features > dim { return "orthogonal features need F ≤ d (F = \(features), d = \(dim))" }
        if let c = maxCosine, c < 0 || c >= 1 { return "--max-cosine must be in [0, 1)" }
        if families && features < 16 { return "--families needs at least 16 features" }
        return nil
    }
}

/// How features relate when `families` is on (indices in order):
/// - families: F/8 groups of 4 = one parent + 3 children; when the parent fires exactly one child
///   (uniformly) fires with it (feature splitting / absorption, Chanin et al. 2024);
/// - pairs: F/16 (leader, follower) pairs; the follower fires with probability `pairCoFiring` when
///   its leader fires, never alone (co-occurrence);
/// - the remaining features fire independently.
/// Without families every feature is independent.
public struct SyntheticStructure: Sendable, Equatable {
    /// Parent of each feature, or -1.
    public var parent: [Int]
    /// The leader a follower co-fires with, or -1.
    public var leader: [Int]
    /// Features that fire on their own (parents, leaders, independents), most frequent first.
    public var roots: [Int]

    public init(features f: Int, families: Bool) {
        parent = Array(repeating: -1, count: f)
        leader = Array(repeating: -1, count: f)
        guard families else { roots = Array(0..<f); return }
        let nFam = f / 8, nPairs = f / 16
        var r: [Int] = []
        for g in 0..<nFam {
            r.append(4 * g)
            for c in 1...3 { parent[4 * g + c] = 4 * g }
        }
        let base = 4 * nFam
        for p in 0..<nPairs {
            r.append(base + 2 * p)
            leader[base + 2 * p + 1] = base + 2 * p
        }
        r += Array((base + 2 * nPairs)..<f)
        // Interleave kinds in the frequency ranking so every kind spans common and rare features.
        roots = r.sorted { ($0 * 7919) % f < ($1 * 7919) % f }
    }

    /// Children of each parent.
    public func children(of p: Int) -> [Int] { parent.indices.filter { parent[$0] == p } }
}
