import Foundation

/// The product's match phase: exact optimal assignment of encoder and decoder directions between two
/// seeds (`PairMatcher`, certified sparse LSAP at large widths), stored as the matcher's own folder
/// (`match.safetensors` + `match.json`) plus the workspace's `summary.json` (`PairSummary`).
///
/// Dead masks come from the seeds' profiles when the run profiles (dead = never fired on the profiled
/// tokens), so the summary also carries alive-only fractions, as the paper reports both. With
/// profiles and the run's dataset, every decoder-matched pair also gets its activation agreement
/// (Pearson, co-firing, top-window overlap; one joint encoding pass, `ActivationAgreement.bulk`).
public struct PairMatchPhase: MatchExecutor {
    public init() {}

    public func match(_ inputs: MatchInputs, context: JobContext) throws {

        var a = try SAELoader.load(inputs.checkpointA)
        var b = try SAELoader.load(inputs.checkpointB)
        a.info.name = "seed\(inputs.pair.a)"
        b.info.name = "seed\(inputs.pair.b)"
        try context.control.checkpoint()
        var options = PairMatcher.Options()
        options.threshold = Float(context.spec.threshold)
        let control = context.control
        var pm = try PairMatcher.match(a, b, options: options) { p in
            control.report(step: Int(p.fraction * 1000), total: 1000, message: p.stage)
        }
        try context.control.checkpoint()
        let profileA = try inputs.profileA.flatMap(Self.profile), profileB = try inputs.profileB.flatMap(Self.profile)
        pm.deadA = profileA.map(Self.deadMask)
        pm.deadB = profileB.map(Self.deadMask)
        if let pa = profileA, let pb = profileB { pm.agreement = try agreement(a, b, pm, pa, pb, context) }
        try pm.save(to: context.outputDir)
        let t = Float(context.spec.threshold)
        func criteria(_ alive: Bool) -> [String: CriterionResult] {
            var out: [String: CriterionResult] = [:]
            let map: [(String, SharedCriterion)] = [("shared", .strict), ("equal_threshold", .equalThreshold),
                                                    ("enc_dec_agree", .encDecAgree), ("decoder_only", .decoderOnly),
                                                    ("max_cos", .maxCosBoth)]
            for (name, c) in map {
                let f = pm.sharedFraction(c, threshold: t, excludingDead: alive)
                let den = alive ? pm.mA - pm.deadCountA : pm.mA
                out[name] = CriterionResult(count: f.isFinite ? Int((f * Double(den)).rounded()) : 0, fraction: f.isFinite ? f : 0)
            }
            return out
        }
        let summary = PairSummary(
            seeds: [inputs.pair.a, inputs.pair.b], latents: [pm.mA, pm.mB], threshold: context.spec.threshold,
            criteria: criteria(false), criteriaAlive: pm.deadA == nil ? nil : criteria(true),
            alignment: AlignmentScores(decoder: pm.decoder.alignment, encoder: pm.encoder.alignment),
            dead: pm.deadA.map { _ in [pm.deadCountA, pm.deadB?.filter { $0 }.count ?? 0] },
            method: pm.method, seconds: nil,  // timings live in the job record; summaries stay reproducible
            provenance: ["hash_a": pm.provenance.hashA, "hash_b": pm.provenance.hashB, "version": SAEKitInfo.version])
        try WorkspaceJSON.write(summary, to: context.outputDir.appendingPathComponent(PairSummary.fileName))
    }

    /// Activation agreement of the decoder-matched pairs, nil when the run has no dataset.
    func agreement(_ a: SparseAutoencoder, _ b: SparseAutoencoder, _ pm: PairMatch, _ profileA: ProfileStore,
                   _ profileB: ProfileStore, _ context: JobContext) throws -> LatentAgreement? {
        guard let data = context.spec.dataset else { return nil }
        let input = ProfileInput(dataset: try ActivationDataset(path: data))
        let pairs = AgreementRequest(a: 0, b: 1, assignment: pm.decoder.assignment).pairs
        let control = context.control
        do {
            let res = try ActivationAgreement.bulk(a, b, pairs: pairs, input: input, profileA: profileA, profileB: profileB) { p in
                control.report(step: Int(p.fraction * 1000), total: 1000, message: "activation agreement")
                return (try? control.checkpoint()) != nil
            }
            return LatentAgreement(latents: pm.mA, pairs: res)
        } catch is CancellationError {
            try control.checkpoint()  // rethrows the engine's cancellation
            throw SeedScopeError.invalid(file: data, message: "activation agreement stopped")
        }
    }

    /// The profile in a committed profile folder, nil when it has no profile file.
    static func profile(_ profileDir: URL) throws -> ProfileStore? {
        let f = profileDir.appendingPathComponent(ProfilePhase.fileName)
        return FileManager.default.fileExists(atPath: f.path) ? try ProfileStore(url: f) : nil
    }

    /// `[m]` dead flags (never fired on the profiled tokens).
    static func deadMask(_ store: ProfileStore) -> [Bool] {
        var dead = [Bool](repeating: false, count: store.numLatents)
        for j in store.deadLatents { dead[j] = true }
        return dead
    }
}

/// The product's consensus phase: every pair's stored match → per-latent "shared in k of N" for each
/// base seed (pairwise counts, as Paulo & Belrose count), the pair heatmap and PW-MCC.
public struct ConsensusPhase: ConsensusExecutor {
    public init() {}

    public func consensus(matches: [SeedPair: URL], context: JobContext) throws {
        let seeds = context.spec.seeds
        var pairs: [PairKey: PairMatch] = [:]
        for (p, dir) in matches {
            guard let i = seeds.firstIndex(of: p.a), let j = seeds.firstIndex(of: p.b) else { continue }
            let pm = try PairMatch.load(from: dir)
            guard i < j else { throw SeedScopeError.invalid(file: dir.path, message: "pair \(p) is not in seed order") }
            pairs[PairKey(i, j)] = pm
            try context.control.checkpoint()
        }
        guard pairs.count == seeds.count * (seeds.count - 1) / 2 else {
            throw SeedScopeError.invalid(file: context.layout.dir.path, message: "consensus needs all \(seeds.count * (seeds.count - 1) / 2) pairwise matches, found \(pairs.count)")
        }
        let latents = (0..<seeds.count).map { i in i == 0 ? pairs[PairKey(0, 1)]!.mA : pairs[PairKey(0, i)]!.mB }
        let c = Consensus(names: seeds.map { "seed\($0)" }, latents: latents, pairs: pairs)
        let t = Float(context.spec.threshold)
        var bases: [ConsensusSummary.Base] = []
        for i in 0..<seeds.count {
            let counts = c.sharedCounts(base: i, threshold: t)
            var hist = [Int](repeating: 0, count: seeds.count)
            for n in counts { hist[min(n, seeds.count - 1)] += 1 }
            let other = i == 0 ? pairs[PairKey(0, 1)]! : pairs[PairKey(0, i)]!
            let dead = i == 0 ? other.deadA : other.deadB
            bases.append(ConsensusSummary.Base(seed: seeds[i], latents: latents[i], sharedIn: hist, dead: dead?.filter { $0 }.count))
        }
        let summary = ConsensusSummary(seeds: seeds, threshold: context.spec.threshold, criterion: "shared",
                                       bases: bases, pwMcc: c.pwmcc, provenance: ["version": SAEKitInfo.version])
        try WorkspaceJSON.write(summary, to: context.outputDir.appendingPathComponent(ConsensusSummary.fileName))
        // The heatmap and only-in-one curve, for reports and the TUI.
        let heat = c.heatmap(threshold: t)
        let curve = c.onlyInOneCurve(threshold: t)
        let extra = JSONValue.object([
            ("heatmap", .array(heat.map { .array($0.map { $0.isFinite ? .double($0) : .null }) })),
            ("only_in_one", .array(curve.map { .object([("n", .int(Int64($0.n))), ("mean", .double($0.mean)), ("std", .double($0.std))]) })),
        ])
        try AtomicFile.write(extra.serialized(pretty: true) + "\n", to: context.outputDir.appendingPathComponent("curves.json"))
    }
}
