import Foundation
import Testing
@testable import SAEKit

/// seedscope's encode/decode against each library's own outputs on committed fixtures
/// (Tests/Fixtures/UPSTREAM-README.md): 1e-4 relative for F32, 1e-2 for the BF16 checkpoint.
@Suite struct LibraryProbeTests {
    @Test(arguments: ["0", "1"]) func sparsifyF32(seed: String) throws {
        let sae = try SAELoader.load(TestPaths.fixture("sparsify/run/layers.3/seed\(seed)"))
        #expect(sae.info.format == "sparsify" && sae.architecture == .topk && sae.k == 8 && sae.info.hookpoint == "layers.3")
        let probe = try SafetensorsFile(path: TestPaths.fixture("sparsify/probe_seed\(seed).safetensors").path)
        let x = try probe.matrix("x")
        let codes = sae.encodeSparse(x)
        #expect(codes.k == 8)
        #expect(codes.indices.map(Int64.init) == (try probe.int64s("latent_indices_sorted")))
        FT.expectClose(codes.values, try probe.floats("latent_acts_sorted"), tol: 1e-4, "sparsify seed\(seed) acts")
        FT.expectClose(sae.forward(x).reconstruction.data, try probe.floats("sae_out"), tol: 1e-4, "sparsify seed\(seed) sae_out")
        // Dense form agrees with the sparse one, and the dense decode with the sparse decode.
        let dense = sae.encodeDense(x)
        FT.expectClose(dense.data, codes.densified(numLatents: sae.numLatents).data, tol: 0, "dense vs sparse")
        FT.expectClose(sae.decode(dense: dense).data, try probe.floats("sae_out"), tol: 1e-4, "dense decode")
        // sparsify's fvu on the 16-row probe batch.
        let r = try SAEEvaluator.evaluate(sae, source: InMemoryActivations(x), rows: Array(0..<16))
        FT.expectClose([Float(r.fvu)], try probe.floats("fvu"), tol: 1e-4, "fvu")
    }

    @Test func sparsifyBF16() throws {
        let sae = try SAELoader.load(TestPaths.fixture("sparsify/run-bf16/layers.3/seed0"))
        #expect(sae.info.dtype == "BF16")
        let probe = try SafetensorsFile(path: TestPaths.fixture("sparsify/probe_bf16_seed0.safetensors").path)
        let x = try probe.matrix("x")
        let codes = sae.encodeSparse(x)
        // The library computes in bf16, so only the index *sets* must agree (equal bf16 values may swap order).
        let ref = try probe.int64s("latent_indices_sorted")
        for r in 0..<16 {
            #expect(Set(codes.indices[(r * 8)..<(r * 8 + 8)].map(Int64.init)) == Set(ref[(r * 8)..<(r * 8 + 8)]), "row \(r)")
        }
        FT.expectClose(codes.values, try probe.floats("latent_acts_sorted"), tol: 1e-2, "bf16 acts")
        FT.expectClose(sae.forward(x).reconstruction.data, try probe.floats("sae_out"), tol: 1e-2, "bf16 sae_out")
    }

    @Test(arguments: ["standard", "topk", "jumprelu", "gated"]) func saeLens(arch: String) throws {
        let sae = try SAELoader.load(TestPaths.fixture("saelens/\(arch)"))
        let expected: [String: SAEArchitecture] = ["standard": .relu, "topk": .topk, "jumprelu": .jumprelu, "gated": .gated]
        #expect(sae.info.format == "saelens" && sae.architecture == expected[arch] && sae.dIn == 32 && sae.numLatents == 128)
        #expect(sae.subtractDecoderBias == (arch != "jumprelu"))
        #expect(sae.info.hookpoint == "blocks.3.hook_resid_post" && sae.info.model == "synthetic-d32")
        let probe = try SafetensorsFile(path: TestPaths.fixture("saelens/probe_\(arch).safetensors").path)
        let x = try probe.matrix("x")
        let dense = sae.encodeDense(x)
        let refActs = try probe.floats("feature_acts")
        FT.expectClose(dense.data, refActs, tol: 1e-4, "\(arch) feature_acts")
        // Exactly the same active set (the probe keeps ≥ 1e-2 from every discontinuity).
        #expect(dense.data.map { $0 > 0 } == refActs.map { $0 > 0 }, "\(arch) active set")
        let out = sae.forward(x)
        FT.expectClose(out.reconstruction.data, try probe.floats("sae_out"), tol: 1e-4, "\(arch) sae_out")
        FT.expectClose(out.codes.densified(numLatents: 128).data, refActs, tol: 1e-4, "\(arch) sparse codes")
    }

    @Test(arguments: ["params.npz", "params_compressed.npz"]) func gemmaScope(file: String) throws {
        let sae = try SAELoader.load(TestPaths.fixture("gemmascope/\(file)"))
        #expect(sae.info.format == "gemmascope" && sae.architecture == .jumprelu && !sae.subtractDecoderBias)
        let probe = try SafetensorsFile(path: TestPaths.fixture("gemmascope/probe.safetensors").path)
        let x = try probe.matrix("x")
        FT.expectClose(sae.preActivations(x).data, try probe.floats("pre_acts"), tol: 1e-4, "\(file) pre_acts")
        let dense = sae.encodeDense(x)
        #expect(dense.data.map { $0 > 0 ? Int64(1) : 0 } == (try probe.int64s("mask")), "\(file) mask")
        FT.expectClose(dense.data, try probe.floats("acts"), tol: 1e-4, "\(file) acts")
        FT.expectClose(sae.forward(x).reconstruction.data, try probe.floats("recon"), tol: 1e-4, "\(file) recon")
    }

    @Test func gemmaScopePlainAndCompressedAreIdentical() throws {
        let a = try SAELoader.load(TestPaths.fixture("gemmascope/params.npz"))
        let b = try SAELoader.load(TestPaths.fixture("gemmascope/params_compressed.npz"))
        #expect(FT.bits(a.encoder.data) == FT.bits(b.encoder.data) && FT.bits(a.decoder.data) == FT.bits(b.decoder.data))
        #expect(a.thresholds == b.thresholds && a.encoderBias == b.encoderBias && a.decoderBias == b.decoderBias)
    }
}

/// SAELens options beyond the upstream fixtures' defaults (Tests/Fixtures/saelens-options, written by
/// sae_lens 6.54.12): decoder-norm rescaling in topk, constant-norm and layer-norm input normalisation.
@Suite struct SAELensOptionProbeTests {
    @Test(arguments: ["topk_rescale", "standard_constnorm", "standard_layernorm"]) func probe(name: String) throws {
        let sae = try SAELoader.load(TestPaths.fixture("saelens-options/\(name)"))
        #expect(sae.rescaleActsByDecoderNorm == (name == "topk_rescale"))
        #expect(sae.inputNormalization == ["topk_rescale": .none, "standard_constnorm": .constantNormRescale,
                                           "standard_layernorm": .layerNorm][name])
        let probe = try SafetensorsFile(path: TestPaths.fixture("saelens-options/probe_\(name).safetensors").path)
        let x = try probe.matrix("x")
        let refActs = try probe.floats("feature_acts")
        let dense = sae.encodeDense(x)
        FT.expectClose(dense.data, refActs, tol: 1e-4, "\(name) feature_acts")
        if name == "topk_rescale" { #expect(dense.data.map { $0 > 0 } == refActs.map { $0 > 0 }, "active set") }
        FT.expectClose(sae.forward(x).reconstruction.data, try probe.floats("sae_out"), tol: 1e-4, "\(name) sae_out")
        // Export → re-import keeps the options.
        let dir = TestPaths.tempDir("opt")
        defer { try? FileManager.default.removeItem(at: dir) }
        try SAECheckpoint.writeSAELensLayout(sae, to: dir)
        let b = try SAELoader.load(dir)
        ExportRoundTripTests.expectSameWeights(sae, b, name)
    }
}
