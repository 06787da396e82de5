import Foundation
import SAEKit

/// Random-init chance baseline of a run: max cosine of each latent of seed 0 against a freshly
/// initialised SAE of the same shape (`MatchControls.randomInit`), decoder and encoder directions.
struct Baseline: Codable, Sendable {
    var decoderMaxCos: [Float]
    var encoderMaxCos: [Float]
}

extension WorkspaceExplorerData {
    /// File name of a seed's profile inside `seed<N>/profile/` (the profile phase's store; any other
    /// `.safetensors` file there is accepted as a fallback).
    public static let profileFileName = "profile.safetensors"
    /// Cached random-init baseline in the run folder.
    static let baselineFileName = "baseline-random-init.json"
    /// Samples kept of each baseline distribution (a histogram needs no more).
    static let baselineSamples = 20_000

    func profileURL(_ l: RunLayout, seed: Int) -> URL? {
        let dir = l.profileDir(seed)
        let main = dir.appendingPathComponent(Self.profileFileName)
        if FileManager.default.fileExists(atPath: main.path) { return main }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().first { $0.hasSuffix(".safetensors") && !$0.hasPrefix(".") }.map { dir.appendingPathComponent($0) }
    }

    /// The seed's profile, opened once per file version: `ProfileStore.init` validates every example
    /// (O(E), tens of ms at 32K latents), so stores are kept keyed by path + modification time.
    func profile(_ run: String, seed: Int) -> ProfileStore? {
        guard let url = profileURL(workspace.layout(run), seed: seed) else { return nil }
        let mtime = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let key = "\(url.path)@\(mtime)"
        if let p = state.withLock({ $0.profiles[key] }) { return p }
        guard let p = try? ProfileStore(url: url) else { return nil }
        state.withLock { s in
            s.profiles = s.profiles.filter { !$0.key.hasPrefix(url.path + "@") }
            s.profiles[key] = p
        }
        return p
    }

    /// The run's dataset tokenizer (`tokenizer.json` beside the dataset), nil when absent or broken.
    func tokenizer(_ spec: RunSpec) -> Tokenizer? {
        guard let d = datasetURL(spec) else { return nil }
        let path = ActivationDataset.tokenizerPath(forDataset: d.path)
        if let t = state.withLock({ $0.tokenizers[path] }) { return t }
        let t = try? Tokenizer(path: path)
        state.withLock { $0.tokenizers[path] = .some(t) }
        return t
    }

    /// Display form of a token id: the tokenizer's, or `#id` without one.
    static func forms(_ ids: [Int32], _ tok: Tokenizer?) -> [String] {
        tok.map { $0.displayForms(ids) } ?? ids.map { "#\($0)" }
    }

    // MARK: run

    public func run(_ id: String) -> RunData? {
        _ = revision
        if let r = state.withLock({ $0.runCache[id] }) { return r }
        guard let spec = try? workspace.spec(id) else { return nil }
        let summary = summary(spec, snap: engine?.snapshot())
        let m = summary.width
        let tok = tokenizer(spec)
        var profiled = 0
        let latents: [SeedLatents] = spec.seeds.map { s in
            guard let p = profile(id, seed: s), p.numLatents == m else {
                return SeedLatents(firingFrequency: .init(repeating: 0, count: m), maxActivation: .init(repeating: 0, count: m),
                                   dead: .init(repeating: false, count: m), topTokens: .init(repeating: "", count: m))
            }
            profiled = max(profiled, p.tokenCount)
            let counts = p.counts
            // topTokens: only the max token of the strongest top window (the search string); a full card
            // per latent would cost ~1 ms each, far over the 100 ms budget at 32K latents. Display forms
            // are memoised per token id (a vocabulary is far smaller than 8 × 32K).
            var memo: [Int32: String] = [:]
            let top: [String] = p.topTokenIDs().map { t in
                guard let t else { return "" }
                if let s = memo[t] { return s }
                let s = Self.forms([t], tok)[0]
                memo[t] = s
                return s
            }
            return SeedLatents(firingFrequency: p.frequencies.map(Float.init), maxActivation: p.maxActivations,
                               dead: counts.map { $0 == 0 }, topTokens: top)
        }
        let base = baseline(spec)
        // The method label from a match's match.json only (loading the whole match costs O(m)).
        let method = firstMatchDir(spec).flatMap { try? Data(contentsOf: $0.appendingPathComponent("match.json")) }
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }?["method"] as? String
        let data = RunData(summary: summary, latents: latents, baselineDecoderMaxCos: base?.decoderMaxCos ?? [],
                           baselineEncoderMaxCos: base?.encoderMaxCos ?? [], profiledTokens: profiled,
                           method: method ?? "hungarian")
        if base != nil { state.withLock { $0.runCache[id] = data } }
        return data
    }

    func firstMatchDir(_ spec: RunSpec) -> URL? {
        let l = workspace.layout(spec.name)
        return spec.pairs.map { l.matchDir($0) }.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// The baseline from memory or the run folder; otherwise starts computing it in the background
    /// (bumping `revision` when done) and returns nil for now.
    func baseline(_ spec: RunSpec) -> Baseline? {
        if let b = state.withLock({ $0.baselines[spec.name] }) { return b }
        let file = workspace.layout(spec.name).dir.appendingPathComponent(Self.baselineFileName)
        if let data = try? Data(contentsOf: file), let b = try? JSONDecoder().decode(Baseline.self, from: data) {
            state.withLock { $0.baselines[spec.name] = b }
            return b
        }
        let start = state.withLock { s -> Bool in s.baselineStarted.insert(spec.name).inserted }
        guard start, let s0 = spec.seeds.first, let ckpt = try? workspace.layout(spec.name).checkpoint(seed: s0),
              FileManager.default.fileExists(atPath: ckpt.path) else { return nil }
        let name = spec.name, writable = !workspace.isReadOnly
        Thread.detachNewThread { [weak self] in
            guard let sae = try? SAELoader.load(ckpt) else { return }
            let b = Self.computeBaseline(sae)
            if writable, let data = try? JSONEncoder().encode(b) { try? AtomicFile.write(data, to: file) }
            self?.state.withLock { s in s.baselines[name] = b; s.runCache[name] = nil; s.revision += 1 }
        }
        return nil
    }

    /// Max cosine of every latent of `sae` against a random-init SAE of the same shape (seed 1 of the
    /// matching module's control), subsampled to ≤ `baselineSamples` values with a seeded stride.
    /// - Complexity: two streamed m×m×d cosine scans.
    static func computeBaseline(_ sae: SparseAutoencoder) -> Baseline {
        let rnd = MatchControls.randomInit(like: sae, seed: 1)
        func maxCos(_ a: Matrix, _ b: Matrix) -> [Float] {
            let scan = CosineStream(a: a.rowNormalized(), b: b.rowNormalized()).scan(candidates: 1)
            let v = scan.rowMax.value
            guard v.count > baselineSamples else { return v }
            var rng = SeededRNG(seed: 7)
            return Array(rng.permutation(v.count).prefix(baselineSamples)).map { v[$0] }
        }
        return Baseline(decoderMaxCos: maxCos(sae.decoder, rnd.decoder), encoderMaxCos: maxCos(sae.encoder, rnd.encoder))
    }

    // MARK: pair

    /// Partner = the DECODER assignment (the paper's primary matching). `decoderCos`/`encoderCos` are
    /// each direction's optimal-assignment cosine (`DirectionMatch.matched`), so the UI's "both"
    /// criterion (min of the two) equals the engine's `SharedCriterion.strict`; they refer to the same
    /// partner wherever the two assignments agree (`PairMatch.samePartner`). Agreement is the
    /// Pearson correlation of activations with the decoder partner, stored by the match phase when
    /// the run profiles (NaN otherwise).
    public func pair(_ run: String, from a: Int, to b: Int) -> SeedScopeUI.PairMatch? {
        guard let spec = try? workspace.spec(run), spec.seeds.indices.contains(a), spec.seeds.indices.contains(b), a != b else { return nil }
        let l = workspace.layout(run)
        let sa = spec.seeds[a], sb = spec.seeds[b]
        let fwd = l.matchDir(SeedPair(a: sa, b: sb)), bwd = l.matchDir(SeedPair(a: sb, b: sa))
        if FileManager.default.fileExists(atPath: fwd.path), let m = try? SAEKit.PairMatch.load(from: fwd) {
            return SeedScopeUI.PairMatch(from: a, to: b, partner: m.decoder.assignment.map { Int32($0) },
                                         decoderCos: m.decoder.matched, encoderCos: m.encoder.matched,
                                         decoderMaxCos: m.decoder.maxA.value, encoderMaxCos: m.encoder.maxA.value,
                                         agreement: m.agreement?.pearson ?? .init(repeating: .nan, count: m.mA))
        }
        guard let m = try? SAEKit.PairMatch.load(from: bwd) else { return nil }
        // Only (b, a) exists: invert the assignments; max cosines of B's latents are the match's maxB.
        func invert(_ d: DirectionMatch) -> (partner: [Int32], cos: [Float]) {
            var p = [Int32](repeating: -1, count: m.mB), c = [Float](repeating: .nan, count: m.mB)
            for (i, j) in d.assignment.enumerated() where j >= 0 && j < m.mB { p[j] = Int32(i); c[j] = d.matched[i] }
            return (p, c)
        }
        let dec = invert(m.decoder), enc = invert(m.encoder)
        var agree = [Float](repeating: .nan, count: m.mB)
        if let g = m.agreement { for (i, j) in m.decoder.assignment.enumerated() where j >= 0 && j < m.mB { agree[j] = g.pearson[i] } }
        return SeedScopeUI.PairMatch(from: a, to: b, partner: dec.partner, decoderCos: dec.cos, encoderCos: enc.cos,
                                     decoderMaxCos: m.decoder.maxB.value, encoderMaxCos: m.encoder.maxB.value,
                                     agreement: agree)
    }

    // MARK: latent card

    public func latentCard(_ run: String, seed: Int, latent: Int) -> SeedScopeUI.LatentCard? {
        guard let spec = try? workspace.spec(run), spec.seeds.indices.contains(seed),
              let p = profile(run, seed: spec.seeds[seed]), latent >= 0, latent < p.numLatents else { return nil }
        let c: SAEKit.LatentCard = p.card(latent)
        let tok = tokenizer(spec)
        func window(_ e: ProfileExample) -> ActivatingWindow {
            ActivatingWindow(window: e.window, start: e.spanStart, tokens: Self.forms(Array(e.spanTokens), tok),
                             activations: e.activations)
        }
        let hist = Self.rebin(c, bins: 24)
        return SeedScopeUI.LatentCard(seed: seed, latent: latent, histogramCounts: hist, histogramMax: max(c.stats.max, 0),
                                      topWindows: c.top.map(window),
                                      intervals: c.intervals.map { g in
                                          IntervalSample(low: g.lower, high: g.upper, fraction: Float(g.fraction), windows: g.examples.map(window))
                                      },
                                      intervalMode: "equal-width")
    }

    /// The profile's histogram has log-spaced bins (`histogramEdges`, decades from 1e-4); the UI draws
    /// `bins` equal-width bins over [0, max]. Each log bin's count goes to the linear bin holding its
    /// geometric centre (clamped to max).
    static func rebin(_ c: SAEKit.LatentCard, bins: Int) -> [Int] {
        var out = [Int](repeating: 0, count: bins)
        let hi = Double(c.stats.max)
        guard hi > 0 else { return out }
        for (k, n) in c.histogram.enumerated() where n > 0 {
            let lo = k < c.histogramEdges.count ? c.histogramEdges[k] : hi
            let up = k + 1 < c.histogramEdges.count ? c.histogramEdges[k + 1] : hi
            let centre = min(hi, lo > 0 ? (lo * max(up, lo)).squareRoot() : up / 2)
            out[min(bins - 1, max(0, Int(centre / hi * Double(bins))))] += Int(n)
        }
        return out
    }
}
