import Foundation
import Testing
@testable import SAEKit

/// Format detection, run-folder listing and old sparsify configs.
@Suite struct LayoutDetectionTests {
    @Test func listsHookpointsAndSeeds() throws {
        let refs = try SAELoader.list(TestPaths.fixture("sparsify/run"))
        #expect(refs.map(\.name) == ["layers.3/seed0", "layers.3/seed1"])
        #expect(refs.map(\.seed) == [0, 1] && refs.allSatisfy { $0.hookpoint == "layers.3" && $0.format == .sparsify })
        let all = try SAELoader.list(TestPaths.fixture(""))
        #expect(all.filter { $0.format == .saelens }.count == 7)   // saelens/ (4) + saelens-options/ (3)
        #expect(all.filter { $0.format == .sparsify }.count == 3)
        #expect(all.filter { $0.format == .gemmascope }.map(\.name) == ["gemmascope"])   // params.npz marks the folder
    }

    @Test func singleSeedLayoutAndNaturalOrder() throws {
        // sparsify without --init_seeds lists: {run}/{hookpoint}/ directly; natural order puts layers.2 before layers.10.
        let run = TestPaths.tempDir("run")
        defer { try? FileManager.default.removeItem(at: run) }
        let src = TestPaths.fixture("sparsify/run/layers.3/seed0")
        for h in ["layers.10", "layers.2", "embed_tokens"] {
            try FileManager.default.copyItem(at: src, to: run.appendingPathComponent(h))
        }
        let refs = try SAELoader.list(run)
        #expect(refs.map(\.name) == ["embed_tokens", "layers.2", "layers.10"])
        #expect(refs.map(\.hookpoint) == ["embed_tokens", "layers.2", "layers.10"] && refs.allSatisfy { $0.seed == nil })
        let sae = try SAELoader.load(run.appendingPathComponent("layers.2"))
        #expect(sae.info.hookpoint == "layers.2" && sae.info.seed == nil)
        #expect(SAECheckpoint.saeLensHookName("layers.2") == "blocks.2.hook_resid_post" && SAECheckpoint.saeLensHookName("embed_tokens") == "hook_embed")
    }

    @Test func oldSparsifyConfigLoads() throws {
        // 2024 EleutherAI/sae style: `signed`, no num_latents/activation/transcode (reference/formats.md §1.2).
        let dir = TestPaths.tempDir("old")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = TestPaths.fixture("sparsify/run/layers.3/seed1")
        try FileManager.default.copyItem(at: src.appendingPathComponent("sae.safetensors"), to: dir.appendingPathComponent("sae.safetensors"))
        try #"{"expansion_factor": 4, "normalize_decoder": true, "k": 8, "signed": false, "d_in": 32}"#
            .write(to: dir.appendingPathComponent("cfg.json"), atomically: true, encoding: .utf8)
        let old = try SAELoader.load(dir)
        let new = try SAELoader.load(src)
        #expect(old.architecture == .topk && old.k == 8 && old.numLatents == 128 && old.subtractDecoderBias)
        #expect(old.encoder == new.encoder && old.decoder == new.decoder)
        try #"{"expansion_factor": 32, "k": 8, "d_in": 32}"#.write(to: dir.appendingPathComponent("cfg.json"), atomically: true, encoding: .utf8)
        FT.expectOneLineError("expansion factor mismatch", mentions: ["cfg.json", "expansion_factor", "m=128"]) { _ = try SAELoader.load(dir) }
        try #"{"k": 8, "d_in": 32, "signed": true}"#.write(to: dir.appendingPathComponent("cfg.json"), atomically: true, encoding: .utf8)
        FT.expectOneLineError("signed", mentions: ["cfg.json", "signed"]) { _ = try SAELoader.load(dir) }
    }

    @Test func preV6SAELensConfig() throws {
        // A v5-style config: activation_fn_str topk with kwargs, hook_point, boolean normalisation,
        // no sae_lens_version; plus a finetuning scale that must be folded into the decoder.
        let dir = TestPaths.tempDir("v5")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = TestPaths.fixture("saelens/topk")
        let ref = try SAELoader.load(src)
        let f = try SafetensorsFile(path: src.appendingPathComponent("sae_weights.safetensors").path)
        var w = SafetensorsWriter()
        for t in f.tensors { w.add(t.name, floats: try f.floats(t.name), shape: t.shape) }
        let scale = (0..<128).map { 1 + Float($0 % 3) * 0.5 }
        w.add("scaling_factor", floats: scale, shape: [128])
        try w.write(to: dir.appendingPathComponent("sae_weights.safetensors"))
        try #"{"architecture": "standard", "d_in": 32, "d_sae": 128, "activation_fn_str": "topk", "activation_fn_kwargs": {"k": 8}, "hook_point": "blocks.3.hook_resid_post", "hook_point_layer": 3, "normalize_activations": false, "apply_b_dec_to_input": true, "dtype": "float32", "sae_lens_training_version": "4.4.1"}"#
            .write(to: dir.appendingPathComponent("cfg.json"), atomically: true, encoding: .utf8)
        let old = try SAELoader.load(dir)
        #expect(old.architecture == .topk && old.k == 8 && old.inputNormalization == .none && old.info.hookpoint == "blocks.3.hook_resid_post")
        #expect(old.info.notes.contains { $0.contains("scaling_factor") })
        // decode((f⊙s)) == folded decode(f)
        var rng = SeededRNG(seed: 5)
        let x = Matrix(rows: 8, cols: 32, data: rng.gaussians(8 * 32))
        var z = ref.encodeDense(x)
        for r in 0..<8 { for i in 0..<128 { z[r, i] *= scale[i] } }
        FT.expectClose(old.forward(x).reconstruction.data, ref.decode(dense: z).data, tol: 1e-5, "folded finetuning scale")
    }
}
