import Foundation

/// Per-latent activation agreement of A's latents with their partners in B (indexed by A's latent).
public struct LatentAgreement: Sendable, Equatable {
    /// `[mA]` Pearson correlation with the partner over the profiled tokens (NaN: no partner, or a
    /// latent that never varies).
    public var pearson: [Float]
    /// `[mA]` tokens where both fire (0 without a partner).
    public var coFiring: [Int]
    /// `[mA]` Jaccard overlap of the two top-window sets (NaN: no partner, or both empty).
    public var topWindowJaccard: [Float]

    public init(pearson: [Float], coFiring: [Int], topWindowJaccard: [Float]) {
        self.pearson = pearson; self.coFiring = coFiring; self.topWindowJaccard = topWindowJaccard
    }

    /// Spreads per-pair results over A's latents.
    public init(latents mA: Int, pairs: [PairAgreement]) {
        var p = [Float](repeating: .nan, count: mA), c = [Int](repeating: 0, count: mA), j = p
        for x in pairs where x.a >= 0 && x.a < mA {
            p[x.a] = x.pearson.map(Float.init) ?? .nan
            c[x.a] = x.coFiring
            j[x.a] = x.topWindowJaccard.map(Float.init) ?? .nan
        }
        self.init(pearson: p, coFiring: c, topWindowJaccard: j)
    }
}

extension ActivationAgreement {
    /// Agreement of `pairs` in bulk, from one joint pass that encodes each panel with both SAEs and
    /// sums x·y only where both latents fire (`AgreementAccumulator`). Σx, Σx² and the top windows
    /// come from the seeds' stored profiles of the same data, so no per-latent profiling state is
    /// rebuilt: the cost is the two encoder sgemms.
    /// - Complexity: O(N·(mA + mB)·d) in sgemms plus O(nnz_A) sparse sums; memory O(P·(mA + mB)).
    public static func bulk(_ a: SparseAutoencoder, _ b: SparseAutoencoder, pairs: [LatentPair], input: ProfileInput,
                            profileA: ProfileStore, profileB: ProfileStore, config: ProfileConfig = ProfileConfig(),
                            progress: ((ProfileProgress) -> Bool)? = nil) throws -> [PairAgreement] {
        let d = input.source.dim, N = input.source.rowCount
        let what = input.path.isEmpty ? "the data" : input.path
        for (sae, store) in [(a, profileA), (b, profileB)] {
            guard sae.dIn == d else { throw SeedScopeError.invalid(file: sae.info.path, message: "SAE expects d=\(sae.dIn) but \(what) has d=\(d)") }
            guard store.numLatents == sae.numLatents, store.tokenCount == input.profiledTokenCount else {
                throw SeedScopeError.invalid(file: sae.info.path, message: "its profile (\(store.numLatents) latents, \(store.tokenCount) tokens) was not made on \(what) (\(input.profiledTokenCount) tokens) with this SAE")
            }
        }
        for p in pairs where !(0..<a.numLatents).contains(p.a) || !(0..<b.numLatents).contains(p.b) {
            throw SeedScopeError.usage("agreement: latent pair (\(p.a), \(p.b)) out of range")
        }
        let threads = max(1, config.threads)
        let panel = config.panelRows(latents: max(a.numLatents, b.numLatents), blockRows: config.panelRows)
        let ea = try BlockEncoder(sae: a, capacity: panel, panel: panel, threads: threads)
        let eb = try BlockEncoder(sae: b, capacity: panel, panel: panel, threads: threads)
        let acc = AgreementAccumulator(AgreementRequest(a: 0, b: 1, pairs: pairs), saes: [a, b])
        let x = UnsafeMutablePointer<Float>.allocate(capacity: panel * d)
        defer { x.deallocate() }
        let profiled = rawBuffer(panel, false)
        defer { profiled.deallocate() }
        var r0 = 0
        while r0 < N {
            let n = min(panel, N - r0)
            try Profiler.readPanel(input, r0..<(r0 + n), into: x, profiled: profiled)
            for e in [ea, eb] { e.reset(); e.encodePanel(x: x, n: n, profiled: profiled) }
            acc.update(ea, eb)
            r0 += n
            if let p = progress, !p(ProfileProgress(rowsDone: r0, rowsTotal: N)) { throw CancellationError() }
        }
        let tokens = input.profiledTokenCount
        return pairs.enumerated().map { k, p in
            let sa = profileA.stats(p.a), sb = profileB.stats(p.b)
            return PairAgreement(a: p.a, b: p.b,
                                 pearson: pearson(n: tokens, sumX: sa.sum, sumXX: sa.sumSquares, sumY: sb.sum, sumYY: sb.sumSquares, sumXY: acc.sumXY[k]),
                                 coFiring: acc.coFiring[k],
                                 topWindowJaccard: jaccard(profileA.topWindows(p.a), profileB.topWindows(p.b)))
        }
    }
}
