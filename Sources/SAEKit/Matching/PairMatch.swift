/// The "shared latent" criteria of Paulo & Belrose (2025) (reference/paper.md §1.4–1.5). Every
/// comparison is strict (`>`), as in the authors' code.
public enum SharedCriterion: String, CaseIterable, Codable, Sendable {
    /// Matched decoder cos > t **and** matched encoder cos > t; partners may differ (the headline).
    case strict
    /// `strict` plus the same partner in both assignments ("equal + threshold").
    case equalThreshold = "equal_threshold"
    /// Same partner in the encoder and decoder assignments, no threshold ("Encoder-Decoder equal").
    case encDecAgree = "enc_dec_agree"
    /// Matched decoder cos > t only (the authors' model/architecture bar charts).
    case decoderOnly = "decoder_only"
    /// Matched encoder cos > t only.
    case encoderOnly = "encoder_only"
    /// Max decoder cos > t and max encoder cos > t, no one-to-one matching.
    case maxCosBoth = "maxcos_both"
    /// Mutual nearest neighbours (by max cosine) in both encoder and decoder, both cos > t.
    case mutualNearest = "mutual_nearest"
    /// Greedy one-to-one matching (highest cosine first) in both, both cos > t.
    case greedyBoth = "greedy_both"

    /// Human label.
    public var label: String {
        switch self {
        case .strict: return "strict (enc & dec > t)"
        case .equalThreshold: return "equal partner + threshold"
        case .encDecAgree: return "enc/dec agree"
        case .decoderOnly: return "decoder only > t"
        case .encoderOnly: return "encoder only > t"
        case .maxCosBoth: return "max-cos both > t"
        case .mutualNearest: return "mutual nearest both > t"
        case .greedyBoth: return "greedy 1:1 both > t"
        }
    }
}

/// One assignment (encoder or decoder directions) between SAE A and SAE B.
public struct DirectionMatch: Sendable, Equatable {
    /// `[mA]` optimal partner in B of each A latent (maximum total cosine), −1 if unassigned (mA > mB).
    public var assignment: [Int]
    /// `[mA]` cosine with that partner (NaN when unassigned).
    public var matched: [Float]
    /// Σ matched cosine (the optimal objective, Double).
    public var total: Double
    /// Max cosine of each A latent over B, with argmax.
    public var maxA: MaxCosine
    /// Max cosine of each B latent over A, with argmax.
    public var maxB: MaxCosine
    /// `[mA]` greedy one-to-one partner (highest cosine first over the candidate edges), −1 if none.
    public var greedy: [Int]
    /// `[mA]` cosine with the greedy partner (NaN when none).
    public var greedyCos: [Float]

    public init(assignment: [Int], matched: [Float], total: Double, maxA: MaxCosine, maxB: MaxCosine,
                greedy: [Int], greedyCos: [Float]) {
        self.assignment = assignment; self.matched = matched; self.total = total
        self.maxA = maxA; self.maxB = maxB; self.greedy = greedy; self.greedyCos = greedyCos
    }

    /// Mean matched cosine over assigned A latents (the paper's "Hungarian alignment score").
    public var alignment: Double {
        var s = 0.0, n = 0
        for (i, j) in assignment.enumerated() where j >= 0 { s += Double(matched[i]); n += 1 }
        return n > 0 ? s / Double(n) : .nan
    }

    /// Mean max cosine of the A latents.
    public var meanMaxCos: Double {
        maxA.value.isEmpty ? .nan : maxA.value.reduce(0.0) { $0 + Double($1) } / Double(maxA.value.count)
    }

    /// `[mA]` whether i and its max-cos partner j are each other's max-cos partner.
    public var mutualNearest: [Bool] {
        maxA.argmax.enumerated().map { i, j in j >= 0 && maxB.argmax[j] == i }
    }
}

/// Everything seedscope knows about one pair of SAEs (A, B): both optimal assignments, max cosines,
/// alternatives, and the shared fraction under every criterion at any threshold (recomputed from the
/// stored arrays in O(mA)).
public struct PairMatch: Sendable {
    /// Display names of A and B.
    public var nameA: String, nameB: String
    /// Latent counts.
    public var mA: Int, mB: Int
    /// Input width d.
    public var dIn: Int
    /// Matching on encoder directions.
    public var encoder: DirectionMatch
    /// Matching on decoder directions.
    public var decoder: DirectionMatch
    /// How the optimum was found ("dense" or "certified-sparse"; both exact).
    public var method: String
    /// Solver statistics of the encoder and decoder solves (nil for dense).
    public var encoderStats: CertifiedAssignment.Stats?
    public var decoderStats: CertifiedAssignment.Stats?
    /// `[mA]` / `[mB]` dead latents (never fired on the profiling tokens), when known.
    public var deadA: [Bool]?
    public var deadB: [Bool]?
    /// Activation agreement of each A latent with its decoder-assignment partner, when the
    /// workspace's match phase had profiles and data to compute it (`ActivationAgreement.bulk`).
    public var agreement: LatentAgreement?
    /// Where the inputs came from.
    public var provenance: MatchProvenance

    public init(nameA: String, nameB: String, mA: Int, mB: Int, dIn: Int, encoder: DirectionMatch,
                decoder: DirectionMatch, method: String, provenance: MatchProvenance) {
        self.nameA = nameA; self.nameB = nameB; self.mA = mA; self.mB = mB; self.dIn = dIn
        self.encoder = encoder; self.decoder = decoder; self.method = method; self.provenance = provenance
    }

    /// `[mA]` same partner in the encoder and decoder assignments.
    public var samePartner: [Bool] {
        (0..<mA).map { encoder.assignment[$0] >= 0 && encoder.assignment[$0] == decoder.assignment[$0] }
    }

    /// `[mA]` whether each A latent is shared with B under `criterion` at threshold `t`.
    /// - Complexity: O(mA).
    public func sharedMask(_ criterion: SharedCriterion, threshold t: Float = 0.7) -> [Bool] {
        let e = encoder, d = decoder
        switch criterion {
        case .strict:
            return (0..<mA).map { e.matched[$0] > t && d.matched[$0] > t }
        case .equalThreshold:
            return (0..<mA).map { e.assignment[$0] >= 0 && e.assignment[$0] == d.assignment[$0] && e.matched[$0] > t && d.matched[$0] > t }
        case .encDecAgree:
            return samePartner
        case .decoderOnly:
            return d.matched.map { $0 > t }
        case .encoderOnly:
            return e.matched.map { $0 > t }
        case .maxCosBoth:
            return (0..<mA).map { e.maxA.value[$0] > t && d.maxA.value[$0] > t }
        case .mutualNearest:
            let me = e.mutualNearest, md = d.mutualNearest
            return (0..<mA).map { me[$0] && md[$0] && e.maxA.value[$0] > t && d.maxA.value[$0] > t }
        case .greedyBoth:
            return (0..<mA).map { e.greedyCos[$0] > t && d.greedyCos[$0] > t }
        }
    }

    /// Fraction of A latents shared under `criterion` at threshold `t`.
    ///
    /// With `excludingDead`, only alive A latents count (numerator and denominator) and a latent whose
    /// partner(s) in B are dead is not shared; without dead masks it equals the plain fraction.
    public func sharedFraction(_ criterion: SharedCriterion, threshold t: Float = 0.7, excludingDead: Bool = false) -> Double {
        let mask = sharedMask(criterion, threshold: t)
        var num = 0, den = 0
        for i in 0..<mA {
            if excludingDead, let da = deadA, da[i] { continue }
            den += 1
            guard mask[i] else { continue }
            if excludingDead, let db = deadB, partnersOf(i, criterion).contains(where: { db[$0] }) { continue }
            num += 1
        }
        return den > 0 ? Double(num) / Double(den) : .nan
    }

    /// The B partners that criterion `c` relies on for A latent `i`.
    func partnersOf(_ i: Int, _ c: SharedCriterion) -> [Int] {
        switch c {
        case .strict, .equalThreshold, .encDecAgree: return [encoder.assignment[i], decoder.assignment[i]].filter { $0 >= 0 }
        case .decoderOnly: return [decoder.assignment[i]].filter { $0 >= 0 }
        case .encoderOnly: return [encoder.assignment[i]].filter { $0 >= 0 }
        case .maxCosBoth, .mutualNearest: return [encoder.maxA.argmax[i], decoder.maxA.argmax[i]].filter { $0 >= 0 }
        case .greedyBoth: return [encoder.greedy[i], decoder.greedy[i]].filter { $0 >= 0 }
        }
    }

    /// Shared fractions under every criterion at `t` (for summaries).
    public func summary(threshold t: Float = 0.7, excludingDead: Bool = false) -> [(SharedCriterion, Double)] {
        SharedCriterion.allCases.map { ($0, sharedFraction($0, threshold: t, excludingDead: excludingDead)) }
    }

    /// Number of dead A latents (0 when unknown).
    public var deadCountA: Int { deadA?.reduce(0) { $0 + ($1 ? 1 : 0) } ?? 0 }
}

/// Inputs and settings a stored result depends on.
public struct MatchProvenance: Sendable, Equatable {
    /// Content hashes of A's and B's encoder + decoder weights (`SAEFingerprint`).
    public var hashA: String, hashB: String
    /// Where A and B were loaded from.
    public var pathA: String, pathB: String
    /// The assignment problem solved ("exact-lsap": both exact methods give the same optimum).
    public var method: String
    /// The threshold shown when the result was made (fractions are recomputed for any threshold).
    public var threshold: Float
    /// seedscope version.
    public var version: String
    public init(hashA: String, hashB: String, pathA: String, pathB: String, method: String = "exact-lsap",
                threshold: Float = 0.7, version: String = SAEKitInfo.version) {
        self.hashA = hashA; self.hashB = hashB; self.pathA = pathA; self.pathB = pathB
        self.method = method; self.threshold = threshold; self.version = version
    }
}
