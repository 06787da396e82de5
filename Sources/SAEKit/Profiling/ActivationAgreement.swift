import Foundation

/// Agreement of two latents' activations over the profiled tokens (complements weight cosines).
public struct PairAgreement: Sendable, Equatable {
    public var a: Int, b: Int
    /// Pearson correlation of the two activation series over all profiled tokens (zeros included);
    /// nil when either latent is constant (e.g. dead).
    public var pearson: Double?
    /// Tokens where both fire.
    public var coFiring: Int
    /// Jaccard overlap |A ∩ B| / |A ∪ B| of the two top-K window sets (nil when both are empty).
    public var topWindowJaccard: Double?
}

/// Accumulates Σxy for a list of latent pairs from the sparse codes of two encoders: only tokens
/// where both latents fire contribute, so the cost is O(nnz_A + nnz_B) per token, never O(m).
final class AgreementAccumulator: @unchecked Sendable {
    let request: AgreementRequest
    /// Pairs grouped by A's latent (CSR): `pairIndex[pairStart[i]..<pairStart[i+1]]`.
    let pairStart: [Int], pairIndex: [Int]
    let sumXY: UnsafeMutablePointer<Double>, coFiring: UnsafeMutablePointer<Int>
    let scratchB: UnsafeMutablePointer<Float>

    init(_ r: AgreementRequest, saes: [SparseAutoencoder]) {
        request = r
        let mA = saes[r.a].numLatents
        var start = [Int](repeating: 0, count: mA + 1)
        for p in r.pairs { start[p.a + 1] += 1 }
        for i in 0..<mA { start[i + 1] += start[i] }
        var fill = start, idx = [Int](repeating: 0, count: r.pairs.count)
        for (k, p) in r.pairs.enumerated() { idx[fill[p.a]] = k; fill[p.a] += 1 }
        pairStart = start; pairIndex = idx
        sumXY = rawBuffer(r.pairs.count, 0); coFiring = rawBuffer(r.pairs.count, 0)
        scratchB = rawBuffer(saes[r.b].numLatents, 0)
    }
    deinit { sumXY.deallocate(); coFiring.deallocate(); scratchB.deallocate() }

    /// Adds one block (both encoders hold the same rows).
    func update(_ ea: BlockEncoder, _ eb: BlockEncoder) {
        let pairs = request.pairs
        let ca = ea.codes, cb = eb.codes
        for r in 0..<ea.rows {
            for e in cb.begin[r]..<cb.end[r] { scratchB[Int(cb.latents[e])] = cb.values[e] }
            for e in ca.begin[r]..<ca.end[r] {
                let i = Int(ca.latents[e]), x = Double(ca.values[e])
                for q in pairStart[i]..<pairStart[i + 1] {
                    let k = pairIndex[q]
                    let y = scratchB[pairs[k].b]
                    if y > 0 { sumXY[k] += x * Double(y); coFiring[k] += 1 }
                }
            }
            for e in cb.begin[r]..<cb.end[r] { scratchB[Int(cb.latents[e])] = 0 }
        }
    }

    func results(statsA: LatentAccumulator, statsB: LatentAccumulator, tokens: Int, topA: ProfileStore, topB: ProfileStore) -> [PairAgreement] {
        request.pairs.enumerated().map { k, p in
            PairAgreement(a: p.a, b: p.b,
                          pearson: ActivationAgreement.pearson(n: tokens, sumX: statsA.sum[p.a], sumXX: statsA.sumSq[p.a],
                                                               sumY: statsB.sum[p.b], sumYY: statsB.sumSq[p.b], sumXY: sumXY[k]),
                          coFiring: coFiring[k],
                          topWindowJaccard: ActivationAgreement.jaccard(topA.topWindows(p.a), topB.topWindows(p.b)))
        }
    }
}

/// Activation agreement between latents of two SAEs: on demand for one pair, or in bulk for every
/// matched pair of an assignment, with one extra pass encoding with both SAEs.
public enum ActivationAgreement {
    /// Agreement of the given pairs; also returns both profiles of the shared pass.
    public static func compute(_ a: SparseAutoencoder, _ b: SparseAutoencoder, pairs: [LatentPair], input: ProfileInput,
                               config: ProfileConfig = ProfileConfig()) throws -> (agreements: [PairAgreement], profiles: [ProfileStore]) {
        let run = try Profiler.run([a, b], input: input, config: config, agreements: [AgreementRequest(a: 0, b: 1, pairs: pairs)])
        return (run.agreements[0], run.profiles)
    }

    /// Pearson correlation from sums over n samples (Double accumulation); nil when a variance is 0.
    public static func pearson(n: Int, sumX: Double, sumXX: Double, sumY: Double, sumYY: Double, sumXY: Double) -> Double? {
        let nn = Double(n)
        let vx = nn * sumXX - sumX * sumX, vy = nn * sumYY - sumY * sumY
        guard n > 1, vx > 0, vy > 0 else { return nil }
        return max(-1, min(1, (nn * sumXY - sumX * sumY) / (vx.squareRoot() * vy.squareRoot())))
    }

    /// Jaccard overlap of two window-id sets (nil when both are empty).
    public static func jaccard(_ a: [Int], _ b: [Int]) -> Double? {
        let sa = Set(a), sb = Set(b)
        let u = sa.union(sb).count
        return u == 0 ? nil : Double(sa.intersection(sb).count) / Double(u)
    }
}
