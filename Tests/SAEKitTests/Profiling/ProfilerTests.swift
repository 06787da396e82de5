import Foundation
import Testing
@testable import SAEKit

/// The streaming profiler against the naive dense reference (ProfileReference).
@Suite struct ProfilerTests {
    static func exactConfig(threads: Int, blockRows: Int, panelRows: Int = 1024) -> ProfileConfig {
        var c = ProfileConfig()
        c.topK = 6; c.context = 3; c.blockRows = blockRows; c.panelRows = panelRows; c.threads = threads
        c.intervals = 4; c.samplesPerInterval = 1000; c.quantiles = 3; c.samplesPerQuantile = 1000
        c.histogramLow = 1e-3; c.binsPerDecade = 4; c.histogramDecades = 5
        return c
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var arch: SAEArchitecture, threads: Int, blockRows: Int, rows: Int
        /// Rows per sgemm panel (panels need not align with windows or blocks).
        var panel = 1024
        var testDescription: String { "\(arch) threads=\(threads) block=\(blockRows) panel=\(panel) rows=\(rows)" }
    }

    @Test(arguments: [
        Case(arch: .topk, threads: 2, blockRows: 40, rows: 23 * 16),
        Case(arch: .topk, threads: 1, blockRows: 1000, rows: 23 * 16 + 5),
        Case(arch: .topk, threads: 2, blockRows: 1000, rows: 23 * 16 + 5, panel: 13),
        Case(arch: .relu, threads: 2, blockRows: 64, rows: 11 * 16, panel: 7),
        Case(arch: .topk, threads: 2, blockRows: 1, rows: 7 * 16 + 9),
        Case(arch: .relu, threads: 2, blockRows: 64, rows: 11 * 16),
        Case(arch: .jumprelu, threads: 2, blockRows: 48, rows: 11 * 16 + 3),
        Case(arch: .batchtopk, threads: 2, blockRows: 32, rows: 9 * 16),
        Case(arch: .gated, threads: 1, blockRows: 32, rows: 9 * 16),
    ])
    func matchesNaiveReference(_ tc: Case) throws {
        let seed: UInt64 = 7 + UInt64(tc.rows)
        print("ProfilerTests.matchesNaiveReference seed \(seed) \(tc.testDescription)")
        let (m, d, T) = (48, 12, 16)
        var sae = ProfileFixtures.sae(m: m, d: d, k: 5, seed: seed, arch: tc.arch)
        sae.encoderBias[3] = -1e4      // dead
        sae.encoderBias[5] = 50        // fires on (almost) every token
        if tc.arch == .gated { sae.gated!.bGate[3] = -1e4; sae.gated!.bGate[5] = 50; sae.gated!.bMag[5] = 50 }
        let (x, toks) = ProfileFixtures.data(rows: tc.rows, d: d, seed: seed + 1)
        let excluded: Set<Int> = [0]
        let cfg = Self.exactConfig(threads: tc.threads, blockRows: tc.blockRows, panelRows: tc.panel)
        let input = ProfileInput(source: InMemoryActivations(x), tokens: toks, windowLength: T, excludedPositions: excluded)
        let store = try Profiler.run([sae], input: input, config: cfg).profiles[0]
        let ref = ProfileReference(sae: sae, x: x, T: T, excluded: excluded)
        #expect(store.tokenCount == (0..<tc.rows).filter { $0 % T != 0 }.count)
        #expect(store.deadLatents.contains(3))
        #expect(store.flags(5).contains(.ultraDense))
        for j in 0..<m {
            let card = store.card(j)
            let s = card.stats
            #expect(s.count == ref.count[j], "count latent \(j)")
            #expect(s.sum == ref.sum[j] && s.sumSquares == ref.sumSq[j] && s.max == ref.maxAct[j], "stats latent \(j)")
            #expect(s.windowCount == ref.windows[j].count, "windows latent \(j)")
            #expect(card.histogram == ref.histogram(j, cfg), "histogram latent \(j)")
            #expect(card.flags.contains(.dead) == (ref.count[j] == 0))
            let want = ref.windows[j].prefix(cfg.topK)
            #expect(card.top.map(\.window) == want.map(\.w), "top windows latent \(j)")
            #expect(card.top.map(\.maxActivation) == want.map(\.v))
            #expect(card.top.map(\.maxPosition) == want.map(\.pos))
            for e in card.top + card.intervals.flatMap(\.examples) + card.quantiles.flatMap(\.examples) {
                checkExample(e, j, ref, toks, cfg, T)
            }
            // Every reservoir holds everything here, so the groups are exact.
            if s.max > 0 {
                let width = s.max / Float(cfg.intervals)
                for (g, group) in card.intervals.enumerated() {
                    let exact = ref.windows[j].filter { min(cfg.intervals - 1, Int($0.v / width)) == g }
                    #expect(Set(group.examples.map(\.window)) == Set(exact.map(\.w)), "interval \(g) latent \(j)")
                    #expect(group.examples.count == exact.count)
                }
                let all = ref.windows[j], nq = cfg.quantiles
                for q in 0..<nq {
                    let chunk = all[(q * all.count / nq)..<((q + 1) * all.count / nq)]
                    #expect(card.quantiles[q].examples.map(\.window) == chunk.map(\.w), "quantile \(q) latent \(j)")
                }
                #expect(abs(card.intervals.map(\.fraction).reduce(0, +) - 1) < 1e-9)
            }
        }
    }

    func checkExample(_ e: ProfileExample, _ j: Int, _ ref: ProfileReference, _ toks: [Int32], _ cfg: ProfileConfig, _ T: Int) {
        let winLen = min(T, ref.N - e.window * T)
        let key = ref.windows[j].first { $0.w == e.window }
        #expect(key != nil && key!.v == e.maxActivation && key!.pos == e.maxPosition, "example window \(e.window) latent \(j)")
        #expect(e.spanStart == max(0, e.maxPosition - cfg.context))
        #expect(e.activations.count == min(winLen, e.maxPosition + cfg.context + 1) - e.spanStart)
        for (i, a) in e.activations.enumerated() { #expect(a == ref.act(row: e.window * T + e.spanStart + i, latent: j)) }
        for p in 0..<T { #expect(e.windowTokens[p] == (p < winLen ? toks[e.window * T + p] : -1)) }
        #expect(e.spanArgmax == e.maxPosition - e.spanStart)
    }

    /// With small reservoirs: samples are genuine windows inside their group, and they do not depend
    /// on block size or thread count (priorities are a hash of (seed, latent, window)).
    @Test func samplesAreValidAndIndependentOfBlocking() throws {
        let seed: UInt64 = 99
        print("ProfilerTests.samplesAreValidAndIndependentOfBlocking seed \(seed)")
        let (m, d, T) = (40, 10, 8)
        let sae = ProfileFixtures.sae(m: m, d: d, k: 6, seed: seed)
        let (x, toks) = ProfileFixtures.data(rows: 300 * T, d: d, seed: seed + 1)
        var cfg = ProfileConfig()
        cfg.topK = 5; cfg.context = 2; cfg.intervals = 5; cfg.samplesPerInterval = 3; cfg.quantiles = 4; cfg.samplesPerQuantile = 2
        let input = ProfileInput(source: InMemoryActivations(x), tokens: toks, windowLength: T)
        cfg.blockRows = 24; cfg.threads = 2
        let a = try Profiler.run([sae], input: input, config: cfg).profiles[0]
        cfg.blockRows = 4096; cfg.threads = 1
        let b = try Profiler.run([sae], input: input, config: cfg).profiles[0]
        let ref = ProfileReference(sae: sae, x: x, T: T, excluded: [])
        for j in 0..<m {
            let card = a.card(j)
            #expect(card == b.card(j), "latent \(j) differs between blockings")
            for g in card.intervals {
                #expect(g.examples.count <= cfg.samplesPerInterval)
                for e in g.examples {
                    #expect(e.maxActivation >= g.lower && e.maxActivation <= g.upper)
                    checkExample(e, j, ref, toks, cfg, T)
                }
            }
            let n = ref.windows[j].count
            for (q, g) in card.quantiles.enumerated() {
                #expect(g.examples.count <= cfg.samplesPerQuantile)
                if n >= cfg.quantiles * cfg.samplesPerQuantile { #expect(g.examples.count == cfg.samplesPerQuantile, "quantile \(q) latent \(j)") }
                for e in g.examples { checkExample(e, j, ref, toks, cfg, T) }
            }
            // Estimated interval fractions are close to the exact ones (fine bins are 1/80..1/40 of the range).
            if card.stats.max > 0 {
                let width = card.stats.max / Float(cfg.intervals)
                for (g, group) in card.intervals.enumerated() {
                    let exact = Double(ref.windows[j].filter { min(cfg.intervals - 1, Int($0.v / width)) == g }.count) / Double(n)
                    let slack = Double(ref.windows[j].filter { abs($0.v - Float(g) * width) < width / 4 || abs($0.v - Float(g + 1) * width) < width / 4 }.count) / Double(n)
                    #expect(abs(group.fraction - exact) <= slack + 1e-12, "interval fraction latent \(j) group \(g)")
                }
            }
        }
    }

    @Test func agreementMatchesDenseReference() throws {
        let seed: UInt64 = 5
        print("ProfilerTests.agreementMatchesDenseReference seed \(seed)")
        let (m, d, T) = (32, 8, 10)
        var sa = ProfileFixtures.sae(m: m, d: d, k: 4, seed: seed)
        sa.encoderBias[0] = 3   // in the top-k of both SAEs on most tokens
        var sb = ProfileFixtures.sae(m: m, d: d, k: 4, seed: seed + 10)
        // Make B's latent 2 a copy of A's latent 0 so one pair agrees strongly.
        for c in 0..<d { sb.encoder[2, c] = sa.encoder[0, c] }
        sb.encoderBias[2] = sa.encoderBias[0]; sb.decoderBias = sa.decoderBias
        let (x, toks) = ProfileFixtures.data(rows: 40 * T, d: d, seed: seed + 1)
        var rng = SeededRNG(seed: seed)
        var assignment = rng.permutation(m)
        assignment.swapAt(0, assignment.firstIndex(of: 2)!)
        assignment[5] = -1
        var cfg = ProfileConfig(); cfg.blockRows = 30; cfg.topK = 8
        let input = ProfileInput(source: InMemoryActivations(x), tokens: toks, windowLength: T, excludedPositions: [0])
        let run = try Profiler.run([sa, sb], input: input, config: cfg, agreements: [AgreementRequest(a: 0, b: 1, assignment: assignment)])
        let ra = ProfileReference(sae: sa, x: x, T: T, excluded: [0]), rb = ProfileReference(sae: sb, x: x, T: T, excluded: [0])
        let rows = (0..<x.rows).filter { $0 % T != 0 }
        let res = run.agreements[0]
        #expect(res.count == assignment.filter { $0 >= 0 }.count)
        for r in res {
            var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0, co = 0
            for row in rows {
                let a = Double(ra.act(row: row, latent: r.a)), b = Double(rb.act(row: row, latent: r.b))
                sx += a; sy += b; sxx += a * a; syy += b * b; sxy += a * b
                if a > 0 && b > 0 { co += 1 }
            }
            let n = Double(rows.count)
            let vx = n * sxx - sx * sx, vy = n * syy - sy * sy
            #expect(r.coFiring == co)
            if vx > 0 && vy > 0 {
                let want = (n * sxy - sx * sy) / (vx.squareRoot() * vy.squareRoot())
                #expect(r.pearson != nil && abs(r.pearson! - want) < 1e-9, "pair \(r.a)-\(r.b)")
            } else { #expect(r.pearson == nil) }
            let ta = Set(ra.windows[r.a].prefix(cfg.topK).map(\.w)), tb = Set(rb.windows[r.b].prefix(cfg.topK).map(\.w))
            let u = ta.union(tb).count
            #expect(r.topWindowJaccard == (u == 0 ? nil : Double(ta.intersection(tb).count) / Double(u)))
        }
        let strong = res.first { $0.a == 0 }!
        #expect(strong.pearson! > 0.9 && strong.topWindowJaccard! > 0.99)
        // The workspace's bulk path (one joint encoding pass + the stored profiles' sums and top
        // windows, with 7-row panels) gives the same numbers bit for bit.
        var small = cfg; small.panelRows = 7
        let pairs = AgreementRequest(a: 0, b: 1, assignment: assignment).pairs
        let bulk = try ActivationAgreement.bulk(sa, sb, pairs: pairs, input: input, profileA: run.profiles[0],
                                                profileB: run.profiles[1], config: small)
        #expect(bulk == res)
        let spread = LatentAgreement(latents: m, pairs: bulk)
        #expect(spread.pearson[5].isNaN && spread.coFiring[5] == 0 && spread.coFiring[0] == strong.coFiring)
        // Profiles of other data are refused with a one-line error.
        let (x2, t2) = ProfileFixtures.data(rows: 20 * T, d: d, seed: seed + 2)
        let other = ProfileInput(source: InMemoryActivations(x2), tokens: t2, windowLength: T, excludedPositions: [0])
        #expect(throws: SeedScopeError.self) {
            try ActivationAgreement.bulk(sa, sb, pairs: pairs, input: other, profileA: run.profiles[0], profileB: run.profiles[1])
        }
    }

    @Test func rejectsMismatchedAndNonFiniteInput() throws {
        let sae = ProfileFixtures.sae(m: 8, d: 4, k: 2, seed: 1)
        let (x, _) = ProfileFixtures.data(rows: 20, d: 5, seed: 2)
        #expect(throws: SeedScopeError.self) { try Profiler.run([sae], input: ProfileInput(source: InMemoryActivations(x), tokens: nil, windowLength: 4)) }
        var (y, _) = ProfileFixtures.data(rows: 20, d: 4, seed: 2)
        y[13, 2] = .nan
        do {
            _ = try Profiler.run([sae], input: ProfileInput(source: InMemoryActivations(y), tokens: nil, windowLength: 4, path: "bad.safetensors"))
            Issue.record("NaN accepted")
        } catch { #expect("\(error)" == "bad.safetensors: NaN or infinite activation in row 13") }
        var cfg = ProfileConfig(); cfg.topK = 0
        #expect(throws: SeedScopeError.self) { try Profiler.run([sae], input: ProfileInput(source: InMemoryActivations(y), tokens: nil, windowLength: 4), config: cfg) }
    }
}
