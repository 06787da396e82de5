import Foundation
import Testing
@testable import SAEKit

/// Export → re-import is bit-exact (F32), and the written SAELens cfg.json has v6's shape.
@Suite struct ExportRoundTripTests {
    static let sources = ["sparsify/run/layers.3/seed0", "sparsify/run-bf16/layers.3/seed0", "saelens/standard", "saelens/topk",
                          "saelens/jumprelu", "saelens/gated", "gemmascope/params_compressed.npz"]

    static func expectSameWeights(_ a: SparseAutoencoder, _ b: SparseAutoencoder, _ label: String) {
        #expect(FT.bits(a.encoder.data) == FT.bits(b.encoder.data), "\(label): encoder")
        #expect(FT.bits(a.decoder.data) == FT.bits(b.decoder.data), "\(label): decoder")
        #expect(FT.bits(a.encoderBias) == FT.bits(b.encoderBias), "\(label): encoder bias")
        #expect(FT.bits(a.decoderBias) == FT.bits(b.decoderBias), "\(label): decoder bias")
        #expect(a.thresholds.map(FT.bits) == b.thresholds.map(FT.bits), "\(label): thresholds")
        #expect(a.gated == b.gated, "\(label): gated parameters")
        #expect(a.architecture == b.architecture && a.k == b.k && a.subtractDecoderBias == b.subtractDecoderBias, "\(label): settings")
        #expect(a.inputNormalization == b.inputNormalization && a.rescaleActsByDecoderNorm == b.rescaleActsByDecoderNorm, "\(label): flags")
        #expect(a.logSparsity == b.logSparsity, "\(label): log sparsity")
    }

    @Test(arguments: sources) func saeLensRoundTrip(source: String) throws {
        let a = try SAELoader.load(TestPaths.fixture(source))
        let dir = TestPaths.tempDir("export-saelens")
        defer { try? FileManager.default.removeItem(at: dir) }
        try SAECheckpoint.writeSAELensLayout(a, to: dir)
        let b = try SAELoader.load(dir)
        #expect(b.info.format == "saelens")
        Self.expectSameWeights(a, b, source)
        // The written config parses as v6 with the fields SAELens's SAEConfig reads.
        let cfg = try JSONValue.parse(contentsOf: dir.appendingPathComponent("cfg.json"))
        let keys = cfg.objectValue!.map(\.0)
        #expect(Array(keys.prefix(8)) == ["d_in", "d_sae", "dtype", "device", "apply_b_dec_to_input", "normalize_activations", "reshape_activations", "metadata"])
        #expect(keys.last == "architecture")
        #expect(cfg["metadata"]?["sae_lens_version"]?.stringValue == SAECheckpoint.saeLensFormatVersion)
    }

    @Test func topkConfigMatchesSAELensFieldForField() throws {
        // Our writer on the SAELens topk fixture reproduces its cfg.json except for metadata contents.
        let src = TestPaths.fixture("saelens/topk")
        let dir = TestPaths.tempDir("export-cfg")
        defer { try? FileManager.default.removeItem(at: dir) }
        try SAECheckpoint.writeSAELensLayout(try SAELoader.load(src), to: dir)
        let ours = try JSONValue.parse(contentsOf: dir.appendingPathComponent("cfg.json")).objectValue!
        let theirs = try JSONValue.parse(contentsOf: src.appendingPathComponent("cfg.json")).objectValue!
        #expect(ours.map(\.0) == theirs.map(\.0))
        for (k, v) in theirs where k != "metadata" { #expect(ours.first { $0.0 == k }?.1 == v, "\(k)") }
        #expect(ours.first { $0.0 == "metadata" }?.1["hook_name"]?.stringValue == "blocks.3.hook_resid_post")
        // Tensor names and shapes as SAELens writes them.
        let a = try SafetensorsFile(path: dir.appendingPathComponent("sae_weights.safetensors").path)
        let b = try SafetensorsFile(path: src.appendingPathComponent("sae_weights.safetensors").path)
        #expect(a.tensors.map(\.name) == b.tensors.map(\.name) && a.tensors.map(\.shape) == b.tensors.map(\.shape))
    }

    @Test(arguments: SAEArchitecture.allCases) func seedscopeLayoutRoundTrip(arch: SAEArchitecture) throws {
        let seed: UInt64 = 0x5EED_0000 + UInt64(SAEArchitecture.allCases.firstIndex(of: arch)!)
        print("seed \(seed)")
        var a = FT.randomSAE(arch, d: 24, m: 40, seed: seed)
        a.info.seed = 7
        a.info.hookpoint = "layers.2"
        a.inputNormalization = arch == .relu ? .layerNorm : .none
        a.rescaleActsByDecoderNorm = arch == .topk
        let dir = TestPaths.tempDir("export-seedscope")
        defer { try? FileManager.default.removeItem(at: dir) }
        try SAECheckpoint.writeSparsifyLayout(a, to: dir)
        let b = try SAELoader.load(dir)
        #expect(b.info.format == "seedscope" && b.info.seed == 7 && b.info.hookpoint == "layers.2")
        Self.expectSameWeights(a, b, "seedscope \(arch)")
        #expect(a.batchThreshold == b.batchThreshold)
    }

    @Test func batchTopKExportsAsJumpReLUWithTheSameMath() throws {
        let seed: UInt64 = 41
        print("seed \(seed)")
        let a = FT.randomSAE(.batchtopk, d: 16, m: 48, seed: seed)
        let dir = TestPaths.tempDir("export-btk")
        defer { try? FileManager.default.removeItem(at: dir) }
        try SAECheckpoint.writeSAELensLayout(a, to: dir)
        let b = try SAELoader.load(dir)
        #expect(b.architecture == .jumprelu && b.thresholds == [Float](repeating: a.batchThreshold!, count: 48))
        var rng = SeededRNG(seed: seed + 1)
        let x = Matrix(rows: 32, cols: 16, data: rng.gaussians(32 * 16))
        #expect(a.encodeDense(x) == b.encodeDense(x))
    }

    @Test func sparsityIsCarriedThroughSAELensExport() throws {
        var a = try SAELoader.load(TestPaths.fixture("saelens/standard"))
        a.logSparsity = (0..<128).map { -Float($0) / 10 }
        let dir = TestPaths.tempDir("export-sparsity")
        defer { try? FileManager.default.removeItem(at: dir) }
        try SAECheckpoint.writeSAELensLayout(a, to: dir)
        #expect(try SAELoader.load(dir).logSparsity == a.logSparsity)
    }

    @Test func bf16ExportRoundsOnceAndThenIsStable() throws {
        let a = try SAELoader.load(TestPaths.fixture("sparsify/run-bf16/layers.3/seed0"))
        let dir = TestPaths.tempDir("export-bf16")
        defer { try? FileManager.default.removeItem(at: dir) }
        try SAECheckpoint.writeSAELensLayout(a, to: dir, dtype: .BF16)
        let b = try SAELoader.load(dir)
        #expect(b.info.dtype == "BF16")
        Self.expectSameWeights(a, b, "bf16 → bf16")
    }
}
