import Foundation
import Testing
@testable import SAEKit

/// Pair matching against scipy's results on the sparsify fixture seeds, controls, persistence and
/// bad inputs.
@Suite struct PairMatchTests {
    static func seeds() throws -> (SparseAutoencoder, SparseAutoencoder) {
        (try SAELoader.load(TestPaths.fixture("sparsify/run/layers.3/seed0")),
         try SAELoader.load(TestPaths.fixture("sparsify/run/layers.3/seed1")))
    }

    @Test(arguments: [PairMatcher.Method.dense, .sparse]) func reproducesScipyOnSparsifySeeds(method: PairMatcher.Method) throws {
        let (a, b) = try Self.seeds()
        var o = PairMatcher.Options(); o.method = method; o.candidates = 4
        let pm = try PairMatcher.match(a, b, options: o)
        let ref = try SafetensorsFile(path: TestPaths.fixture("matching/matching.safetensors").path)
        let json = try JSONValue.parse(contentsOf: TestPaths.fixture("matching/matching.json"))
        #expect(pm.encoder.assignment.map(Int64.init) == (try ref.int64s("col_enc")))
        #expect(pm.decoder.assignment.map(Int64.init) == (try ref.int64s("col_dec")))
        #expect(pm.encoder.maxA.argmax.map(Int64.init) == (try ref.int64s("argmax_enc")))
        #expect(pm.decoder.maxA.argmax.map(Int64.init) == (try ref.int64s("argmax_dec")))
        for (mine, name) in [(pm.encoder.matched, "matched_enc"), (pm.decoder.matched, "matched_dec"),
                             (pm.encoder.maxA.value, "max_enc"), (pm.decoder.maxA.value, "max_dec")] {
            let r = try ref.floats(name)
            for i in 0..<r.count { #expect(abs(mine[i] - r[i]) < 1e-5, "\(name)[\(i)]") }
        }
        #expect(abs(pm.encoder.total - (json["enc_total_matched_cos"]?.doubleValue ?? .nan)) < 1e-4)
        #expect(abs(pm.decoder.total - (json["dec_total_matched_cos"]?.doubleValue ?? .nan)) < 1e-4)
        #expect(pm.sharedFraction(.encDecAgree) == json["frac_same_partner"]?.doubleValue)
        let keys: [(SharedCriterion, String)] = [(.strict, "frac_both_matched_gt"), (.equalThreshold, "frac_same_partner_and_both_gt"),
                                                 (.decoderOnly, "frac_dec_matched_gt"), (.encoderOnly, "frac_enc_matched_gt"),
                                                 (.maxCosBoth, "frac_maxcos_both_gt")]
        for t in ["0.3", "0.5", "0.7", "0.9"] {
            for (c, k) in keys {
                let want = json["by_threshold"]?[t]?[k]?.doubleValue
                #expect(pm.sharedFraction(c, threshold: Float(t)!) == want, "\(c) at \(t)")
            }
        }
    }

    @Test func permutedCopyMatchesCompletely() throws {
        let (a, _) = try Self.seeds()
        var rng = SeededRNG(seed: 42)
        let perm = rng.permutation(a.numLatents)
        let b = MatchControls.permuted(a, perm: perm)
        for method in [PairMatcher.Method.dense, .sparse] {
            var o = PairMatcher.Options(); o.method = method
            let pm = try PairMatcher.match(a, b, options: o)
            // Latent perm[i] of A is latent i of B.
            for i in 0..<a.numLatents { #expect(pm.decoder.assignment[perm[i]] == i) }
            for c in SharedCriterion.allCases { #expect(pm.sharedFraction(c, threshold: 0.99) == 1, "\(c)") }
            #expect(abs(pm.decoder.alignment - 1) < 1e-5)
        }
    }

    @Test func randomInitBaselineIsChanceLevel() throws {
        let a = MatchControls.randomInit(numLatents: 256, dIn: 64, seed: 1)
        let b = MatchControls.randomInit(numLatents: 256, dIn: 64, seed: 2)
        #expect(abs(a.decoder.rowNorms()[3] - 1) < 1e-5)
        let pm = try PairMatcher.match(a, b)
        #expect(pm.sharedFraction(.strict) == 0)
        #expect(pm.decoder.alignment > 0.1 && pm.decoder.alignment < 0.5)
        // Same seed → the same SAE.
        #expect(MatchControls.randomInit(numLatents: 8, dIn: 4, seed: 1).encoder == MatchControls.randomInit(numLatents: 8, dIn: 4, seed: 1).encoder)
    }

    @Test func saveLoadAndCache() throws {
        let (a, b) = try Self.seeds()
        var pm = try PairMatcher.match(a, b)
        pm.deadA = (0..<pm.mA).map { $0 % 10 == 0 }
        let root = TestPaths.tempDir("match")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent(PairMatch.folderName(hashA: pm.provenance.hashA, hashB: pm.provenance.hashB))
        try pm.save(to: dir)
        let back = try PairMatch.load(from: dir)
        // NaN marks "no partner" (greedy), so compare bit patterns.
        func bits(_ d: DirectionMatch) -> [UInt32] { (d.matched + d.greedyCos + d.maxA.value + d.maxB.value).map(\.bitPattern) }
        for (x, y) in [(back.encoder, pm.encoder), (back.decoder, pm.decoder)] {
            #expect(bits(x) == bits(y) && x.assignment == y.assignment && x.greedy == y.greedy && x.total == y.total)
            #expect(x.maxA.argmax == y.maxA.argmax && x.maxB.argmax == y.maxB.argmax)
        }
        #expect(back.deadA == pm.deadA)
        #expect(back.sharedFraction(.strict, threshold: 0.5, excludingDead: true) == pm.sharedFraction(.strict, threshold: 0.5, excludingDead: true))
        #expect(PairMatch.cached(in: root, hashA: pm.provenance.hashA, hashB: pm.provenance.hashB) != nil)
        #expect(PairMatch.cached(in: root, hashA: pm.provenance.hashB, hashB: pm.provenance.hashA) == nil)
        #expect(SAEFingerprint.of(a) != SAEFingerprint.of(b))
        let csv = pm.csv(threshold: 0.5)
        #expect(csv.split(separator: "\n").count == pm.mA + 1)
        // Excluding dead latents changes the denominator.
        let alive = pm.sharedMask(.strict, threshold: 0.5).enumerated().filter { $0.offset % 10 != 0 }
        #expect(pm.sharedFraction(.strict, threshold: 0.5, excludingDead: true) == Double(alive.filter { $0.element }.count) / Double(alive.count))
    }

    @Test func badInputsGiveOneLineErrors() throws {
        let (a, _) = try Self.seeds()
        let narrow = MatchControls.randomInit(numLatents: 16, dIn: 8, seed: 1)
        #expect(throws: SeedScopeError.self) { try PairMatcher.match(a, narrow) }
        var nan = a
        nan.decoder[7, 3] = .nan
        do { _ = try PairMatcher.match(a, nan); Issue.record("NaN accepted") } catch {
            #expect("\(error)".contains("latent 7") && !"\(error)".contains("\n"))
        }
        let empty = MatchControls.randomInit(numLatents: 0, dIn: 32, seed: 1)
        do { _ = try PairMatcher.match(empty, a); Issue.record("empty accepted") } catch { #expect("\(error)".contains("empty SAE")) }
        #expect(throws: SeedScopeError.self) { try SAELoader.load(URL(fileURLWithPath: "/nonexistent/seed9")) }
    }

    @Test func rectangularPairs() throws {
        let a = MatchControls.randomInit(numLatents: 90, dIn: 16, seed: 3)
        let b = MatchControls.randomInit(numLatents: 140, dIn: 16, seed: 4)
        var o = PairMatcher.Options()
        for (x, y) in [(a, b), (b, a)] {
            o.method = .dense
            let d = try PairMatcher.match(x, y, options: o)
            o.method = .sparse
            let s = try PairMatcher.match(x, y, options: o)
            #expect(d.encoder.assignment == s.encoder.assignment && d.decoder.assignment == s.decoder.assignment)
            #expect(abs(d.decoder.total - s.decoder.total) < 1e-9)
        }
    }

    @Test func consensusCountsPairwise() throws {
        // Three SAEs: B and C are permuted copies of A, D is unrelated: every A latent is in 3 of 4.
        let a = MatchControls.randomInit(numLatents: 64, dIn: 128, seed: 10)
        var rng = SeededRNG(seed: 9)
        let b = MatchControls.permuted(a, perm: rng.permutation(64))
        let c = MatchControls.permuted(a, perm: rng.permutation(64))
        let d = MatchControls.randomInit(numLatents: 64, dIn: 128, seed: 11)
        let saes = [a, b, c, d]
        var pairs: [PairKey: PairMatch] = [:]
        for i in 0..<4 { for j in (i + 1)..<4 { pairs[PairKey(i, j)] = try PairMatcher.match(saes[i], saes[j]) } }
        let cons = Consensus(names: ["a", "b", "c", "d"], latents: [64, 64, 64, 64], pairs: pairs)
        #expect(cons.sharedCounts(base: 0) == [Int](repeating: 2, count: 64))
        #expect(cons.sharedCounts(base: 2) == [Int](repeating: 2, count: 64))   // base on the B side too
        #expect(cons.inExactly(base: 1) == [0, 0, 1, 0])
        #expect(cons.inExactly(base: 3) == [1, 0, 0, 0])
        let h = cons.heatmap()
        #expect(h[0][1] == 1 && h[1][0] == 1 && h[0][3] == 0 && h[3][3] == 1)
        let curve = cons.onlyInOneCurve(trials: 20, seed: 1)
        #expect(curve.map(\.n) == [2, 3, 4] && curve.allSatisfy { $0.mean >= 0 && $0.mean <= 1 })
        #expect(cons.inExactlyAveraged().reduce(0, +) > 0.999)
    }
}
