import Foundation
import Testing
@testable import SAEKit

/// Stored profiles: round trip through a file, bad files, the text card.
@Suite struct ProfileStoreTests {
    func smallProfile() throws -> (ProfileStore, [Int32]) {
        let sae = ProfileFixtures.sae(m: 24, d: 8, k: 3, seed: 11)
        let (x, toks) = ProfileFixtures.data(rows: 12 * 16, d: 8, seed: 12)
        var cfg = ProfileConfig(); cfg.context = 4
        let input = ProfileInput(source: InMemoryActivations(x), tokens: toks, windowLength: 16, excludedPositions: [0],
                                 path: "mem", fingerprint: "abc")
        return (try Profiler.run([sae], input: input, config: cfg).profiles[0], toks)
    }

    @Test func roundTripsThroughAFile() throws {
        let (p, _) = try smallProfile()
        let dir = TestPaths.tempDir("profile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("p.safetensors")
        try p.write(to: url)
        let q = try ProfileStore(url: url)
        #expect(q.numLatents == 24 && q.tokenCount == 12 * 15 && q.windowLength == 16)
        for j in 0..<24 { #expect(q.card(j) == p.card(j)) }
        #expect(q.header["dataset"]?["fingerprint"]?.stringValue == "abc")
        #expect(q.header["sae"]?["fingerprint"]?.stringValue?.count == 16)
        #expect(q.header["config"]?["top_k"]?.intValue == 20)
        // Only referenced windows are stored.
        let used = Set((0..<24).flatMap { j in
            let c = q.card(j)
            return (c.top + c.intervals.flatMap(\.examples) + c.quantiles.flatMap(\.examples)).map(\.window)
        })
        #expect(try q.file.info("windows").count == used.count)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers == ["p.safetensors"])
    }

    @Test func badFilesGiveOneLineErrors() throws {
        let (p, _) = try smallProfile()
        let dir = TestPaths.tempDir("profile-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("p.safetensors")
        try p.write(to: url)
        let bytes = try Data(contentsOf: url)
        let trunc = dir.appendingPathComponent("trunc.safetensors")
        try bytes.prefix(bytes.count / 2).write(to: trunc)
        do { _ = try ProfileStore(url: trunc); Issue.record("truncated profile accepted") } catch {
            #expect("\(error)".contains("trunc.safetensors") && !"\(error)".contains("\n"))
        }
        // A valid safetensors file that is not a profile.
        do { _ = try ProfileStore(url: TestPaths.fixture("sparsify/run/layers.3/seed0/sae.safetensors")); Issue.record("SAE accepted as profile") } catch {
            #expect("\(error)".contains("not a seedscope profile"))
        }
        // Corrupt offsets: rewrite ex_offsets with a decreasing value.
        let f = try SafetensorsFile(data: bytes, name: "x")
        var w = SafetensorsWriter(metadata: f.metadata ?? [:])
        for t in f.tensors {
            var raw = Data(f.rawBytes(t))
            if t.name == "ex_offsets" { raw.withUnsafeMutableBytes { $0.storeBytes(of: Int64(5).littleEndian, toByteOffset: 8 * 3, as: Int64.self) } }
            w.add(t.name, raw: raw, dtype: t.dtype, shape: t.shape)
        }
        do { _ = try ProfileStore(data: w.serialized(), name: "corrupt"); Issue.record("corrupt offsets accepted") } catch {
            #expect("\(error)".hasPrefix("corrupt: "))
        }
    }

    @Test func textCardMarksFiringTokensAndTheMax() throws {
        let (p, _) = try smallProfile()
        let j = (0..<24).first { p.stats($0).count > 3 }!
        let card = p.card(j)
        let text = card.text(decode: { "t\($0) " })
        #expect(text.hasPrefix("latent \(j)"))
        let e = card.top[0]
        let marked = e.markedText(decode: { "<\($0)>" })
        // Exactly one [[max]], at the argmax; every other firing token in «».
        let pieces = e.spanTokens.map { "<\($0)>" }
        var expect = ""
        for (i, s) in pieces.enumerated() {
            expect += i == e.maxPosition - e.spanStart ? "[[\(s)]]" : (e.activations[i] > 0 ? "«\(s)»" : s)
        }
        #expect(marked == expect)
        #expect(text.contains(e.markedText(decode: { "t\($0) " })))
    }
}
