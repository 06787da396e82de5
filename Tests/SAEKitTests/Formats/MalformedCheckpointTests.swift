import Foundation
import Testing
@testable import SAEKit

/// Broken checkpoints give one-line errors naming the file; none crash. Inputs are built in temp dirs.
@Suite struct MalformedCheckpointTests {
    /// Copies a fixture folder into a fresh temp dir and returns the copy.
    static func copy(_ rel: String) throws -> URL {
        let dst = TestPaths.tempDir("malformed").appendingPathComponent(URL(fileURLWithPath: rel).lastPathComponent)
        try FileManager.default.copyItem(at: TestPaths.fixture(rel), to: dst)
        return dst
    }

    /// Rewrites the safetensors file at `url` with `edit` applied to its tensors.
    static func rewrite(_ url: URL, _ edit: (inout [(String, [Float], [Int])]) -> Void) throws {
        let f = try SafetensorsFile(path: url.path)
        var ts = try f.tensors.map { ($0.name, try f.floats($0.name), $0.shape) }
        edit(&ts)
        var w = SafetensorsWriter()
        for (n, v, s) in ts { w.add(n, floats: v, shape: s) }
        try w.write(to: url)
    }

    static func setJSON(_ url: URL, _ edit: (inout [(String, JSONValue)]) -> Void) throws {
        var kv = try JSONValue.parse(contentsOf: url).objectValue!
        edit(&kv)
        try AtomicFile.write(JSONValue.object(kv).serialized(), to: url)
    }

    @Test func missingTensor() throws {
        let d = try Self.copy("sparsify/run/layers.3/seed0")
        try Self.rewrite(d.appendingPathComponent("sae.safetensors")) { $0.removeAll { $0.0 == "b_dec" } }
        FT.expectOneLineError("sparsify missing b_dec", mentions: ["sae.safetensors", "b_dec", "missing"]) { _ = try SAELoader.load(d) }
        let g = try Self.copy("saelens/gated")
        try Self.rewrite(g.appendingPathComponent("sae_weights.safetensors")) { $0.removeAll { $0.0 == "r_mag" } }
        FT.expectOneLineError("saelens missing r_mag", mentions: ["sae_weights.safetensors", "r_mag"]) { _ = try SAELoader.load(g) }
        let j = try Self.copy("saelens/jumprelu")
        try Self.rewrite(j.appendingPathComponent("sae_weights.safetensors")) { $0.removeAll { $0.0 == "threshold" } }
        FT.expectOneLineError("saelens missing threshold", mentions: ["sae_weights.safetensors", "threshold"]) { _ = try SAELoader.load(j) }
    }

    @Test func wrongShape() throws {
        let d = try Self.copy("sparsify/run/layers.3/seed0")
        try Self.rewrite(d.appendingPathComponent("sae.safetensors")) { ts in
            let i = ts.firstIndex { $0.0 == "W_dec" }!
            ts[i] = ("W_dec", Array(ts[i].1.prefix(127 * 32)), [127, 32])
        }
        FT.expectOneLineError("sparsify W_dec [127,32]", mentions: ["sae.safetensors", "W_dec", "[127, 32]"]) { _ = try SAELoader.load(d) }
        let s = try Self.copy("saelens/standard")
        try Self.rewrite(s.appendingPathComponent("sae_weights.safetensors")) { ts in
            let i = ts.firstIndex { $0.0 == "b_enc" }!
            ts[i] = ("b_enc", Array(ts[i].1.prefix(100)), [100])
        }
        FT.expectOneLineError("saelens b_enc [100]", mentions: ["sae_weights.safetensors", "b_enc"]) { _ = try SAELoader.load(s) }
    }

    @Test func configDisagreesWithTensors() throws {
        let d = try Self.copy("sparsify/run/layers.3/seed0")
        try Self.setJSON(d.appendingPathComponent("cfg.json")) { kv in kv = kv.map { $0.0 == "num_latents" ? ($0.0, .int(256)) : $0 } }
        FT.expectOneLineError("sparsify num_latents", mentions: ["cfg.json", "num_latents 256", "m=128"]) { _ = try SAELoader.load(d) }
        let s = try Self.copy("saelens/topk")
        try Self.setJSON(s.appendingPathComponent("cfg.json")) { kv in kv = kv.map { $0.0 == "d_in" ? ($0.0, .int(64)) : $0 } }
        FT.expectOneLineError("saelens d_in", mentions: ["cfg.json", "d_in 64"]) { _ = try SAELoader.load(s) }
        let s2 = try Self.copy("saelens/standard")
        try Self.setJSON(s2.appendingPathComponent("cfg.json")) { kv in kv = kv.map { $0.0 == "d_sae" ? ($0.0, .int(99)) : $0 } }
        FT.expectOneLineError("saelens d_sae", mentions: ["cfg.json", "d_sae 99"]) { _ = try SAELoader.load(s2) }
    }

    @Test func unknownArchitecture() throws {
        let s = try Self.copy("saelens/standard")
        try Self.setJSON(s.appendingPathComponent("cfg.json")) { kv in kv = kv.map { $0.0 == "architecture" ? ($0.0, .string("transcoder")) : $0 } }
        FT.expectOneLineError("saelens transcoder", mentions: ["cfg.json", "transcoder"]) { _ = try SAELoader.load(s) }
        let d = try Self.copy("sparsify/run/layers.3/seed0")
        try Self.setJSON(d.appendingPathComponent("cfg.json")) { kv in kv = kv.map { $0.0 == "activation" ? ($0.0, .string("groupmax")) : $0 } }
        FT.expectOneLineError("sparsify groupmax", mentions: ["cfg.json", "groupmax"]) { _ = try SAELoader.load(d) }
        let n = try Self.copy("saelens/standard")
        try Self.setJSON(n.appendingPathComponent("cfg.json")) { kv in kv = kv.map { $0.0 == "normalize_activations" ? ($0.0, .string("whiten")) : $0 } }
        FT.expectOneLineError("saelens normalisation", mentions: ["cfg.json", "whiten"]) { _ = try SAELoader.load(n) }
    }

    @Test func nanWeights() throws {
        let d = try Self.copy("sparsify/run/layers.3/seed0")
        try Self.rewrite(d.appendingPathComponent("sae.safetensors")) { ts in
            let i = ts.firstIndex { $0.0 == "W_dec" }!
            ts[i].1[5 * 32 + 3] = .nan
        }
        FT.expectOneLineError("NaN decoder", mentions: ["sae.safetensors", "NaN", "decoder row 5"]) { _ = try SAELoader.load(d) }
        // inspect's path: loads with allowNonFinite and reports.
        let sae = try SAELoader.load(d, options: SAELoadOptions(allowNonFinite: true))
        let summary = SAESummary(sae)
        #expect(summary.nonFiniteLatents == 1)
        #expect(summary.warnings(sae).contains { $0.contains("NaN") })
    }

    @Test func truncatedFiles() throws {
        let d = try Self.copy("sparsify/run/layers.3/seed0")
        let st = d.appendingPathComponent("sae.safetensors")
        try Data(try Data(contentsOf: st).prefix(5000)).write(to: st)
        FT.expectOneLineError("truncated safetensors", mentions: ["sae.safetensors"]) { _ = try SAELoader.load(d) }
        for name in ["params.npz", "params_compressed.npz"] {
            let dir = TestPaths.tempDir("npz")
            let z = dir.appendingPathComponent(name)
            let full = try Data(contentsOf: TestPaths.fixture("gemmascope/\(name)"))
            for cut in [10, 2000, full.count / 2, full.count - 30] {
                try Data(full.prefix(cut)).write(to: z)
                FT.expectOneLineError("\(name) cut at \(cut)", mentions: [name]) { _ = try SAELoader.load(z) }
            }
            // A flipped byte inside the W_enc data: CRC (stored) or inflate/CRC (deflate) catches it.
            var bad = full
            bad[1000] ^= 0x5A
            try bad.write(to: z)
            FT.expectOneLineError("\(name) corrupted", mentions: [name, "W_enc.npy"]) { _ = try SAELoader.load(z) }
        }
        let cfgDir = try Self.copy("saelens/topk")
        try Data("{\"d_in\": 32, \"d_sae\"".utf8).write(to: cfgDir.appendingPathComponent("cfg.json"))
        FT.expectOneLineError("truncated cfg.json", mentions: ["cfg.json", "invalid JSON"]) { _ = try SAELoader.load(cfgDir) }
    }

    @Test func notAnNpz() throws {
        let dir = TestPaths.tempDir("zip")
        let z = dir.appendingPathComponent("params.npz")
        try TinyZip.archive([("readme.txt", Array("hello".utf8))]).write(to: z)
        FT.expectOneLineError("zip without npy", mentions: ["params.npz", "not an .npz"]) { _ = try SAELoader.load(z) }
        try Data("definitely not a zip archive, just text".utf8).write(to: z)
        FT.expectOneLineError("not a zip", mentions: ["params.npz", "not a ZIP"]) { _ = try SAELoader.load(z) }
        try Data().write(to: z)
        FT.expectOneLineError("empty npz", mentions: ["params.npz"]) { _ = try SAELoader.load(z) }
    }

    @Test func zip64DirectoryAndGemmaScopeFromParts() throws {
        // Rebuild the Gemma Scope fixture as a ZIP64 archive of the same .npy members; it must load
        // bit-identically to the original.
        let orig = try SAELoader.load(TestPaths.fixture("gemmascope/params.npz"))
        let zip = try ZipArchive(path: TestPaths.fixture("gemmascope/params.npz").path)
        let members = try zip.entries.map { e in (e.name, try zip.withContents(of: e) { Array($0) }) }
        let dir = TestPaths.tempDir("zip64").appendingPathComponent("layer_7/width_16k/average_l0_20")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try TinyZip.archive(members, zip64: true).write(to: dir.appendingPathComponent("params.npz"))
        let z = try ZipArchive(path: dir.appendingPathComponent("params.npz").path)
        #expect(z.entries.map(\.name) == members.map(\.0))
        let sae = try SAELoader.load(dir)
        #expect(FT.bits(sae.encoder.data) == FT.bits(orig.encoder.data) && sae.thresholds == orig.thresholds)
        #expect(sae.info.hookpoint == "layer_7" && sae.info.name == "layer_7/width_16k/average_l0_20")
    }

    @Test func npyDtypesAndOrders() throws {
        let dir = TestPaths.tempDir("npy")
        let z = dir.appendingPathComponent("a.npz")
        // Fortran order is data in column-major order: read as numpy does.
        let c: [Float] = [1, 2, 3, 4, 5, 6]          // C order of [[1,2,3],[4,5,6]]
        let f: [Float] = [1, 4, 2, 5, 3, 6]          // the same array, Fortran order
        try TinyZip.archive([("c.npy", TinyZip.npy(c, shape: [2, 3])), ("f.npy", TinyZip.npy(f, shape: [2, 3], fortran: true))]).write(to: z)
        let npz = try NpzFile(path: z.path)
        #expect(try npz.floats("c").values == c)
        #expect(try npz.floats("f").values == c)
        // 3-D Fortran order against the index formula.
        let shape = [2, 3, 4]
        var fvals = [Float](repeating: 0, count: 24)
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { fvals[i + 2 * j + 6 * k] = Float(100 * i + 10 * j + k) } } }
        try TinyZip.archive([("t.npy", TinyZip.npy(fvals, shape: shape, fortran: true))]).write(to: z)
        let t = try NpzFile(path: z.path).floats("t").values
        var expected: [Float] = []
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { expected.append(Float(100 * i + 10 * j + k)) } } }
        #expect(t == expected)
        for (descr, label) in [(">f4", "big-endian"), ("<i8", "integer")] {
            try TinyZip.archive([("W_enc.npy", TinyZip.npy(c, shape: [2, 3], descr: descr))]).write(to: z)
            FT.expectOneLineError("npy \(label)", mentions: ["a.npz", "W_enc.npy", descr]) { _ = try NpzFile(path: z.path).floats("W_enc") }
        }
        var short = TinyZip.npy(c, shape: [2, 3])
        short.removeLast(4)
        try TinyZip.archive([("W_enc.npy", short)]).write(to: z)
        FT.expectOneLineError("npy short data", mentions: ["a.npz", "W_enc.npy", "bytes"]) { _ = try NpzFile(path: z.path).floats("W_enc") }
        // Gemma Scope npz missing an array.
        try TinyZip.archive([("W_enc.npy", TinyZip.npy(c, shape: [2, 3]))]).write(to: z)
        FT.expectOneLineError("gemmascope missing W_dec", mentions: ["a.npz", "W_dec"]) { _ = try SAELoader.load(z) }
    }

    @Test func foldersThatAreNotOneSAE() throws {
        let empty = TestPaths.tempDir("empty")
        FT.expectOneLineError("empty folder", mentions: [empty.lastPathComponent, "not an SAE checkpoint", "sae_weights.safetensors", "params.npz"]) { _ = try SAELoader.load(empty) }
        FT.expectOneLineError("run with two seeds", mentions: ["holds 2 SAEs", "layers.3/seed0", "layers.3/seed1"]) {
            _ = try SAELoader.load(TestPaths.fixture("sparsify/run"))
        }
        let missing = empty.appendingPathComponent("nope")
        FT.expectOneLineError("missing path", mentions: ["nope", "no such"]) { _ = try SAELoader.load(missing) }
        let noCfg = try Self.copy("sparsify/run/layers.3/seed0")
        try FileManager.default.removeItem(at: noCfg.appendingPathComponent("cfg.json"))
        FT.expectOneLineError("sparsify without cfg.json", mentions: ["cfg.json", "missing"]) { _ = try SAELoader.load(noCfg) }
    }
}
