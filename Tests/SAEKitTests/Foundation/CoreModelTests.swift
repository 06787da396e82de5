import Foundation
import Testing
@testable import SAEKit

/// The canonical model against sparsify's own outputs (probe fixtures written by sparsify 1.3.3).
@Suite struct CoreModelTests {
    @Test(arguments: ["0", "1"]) func sparsifyProbeMatches(seed: String) throws {
        let sae = try SAELoader.load(TestPaths.fixture("sparsify/run/layers.3/seed\(seed)"))
        #expect(sae.numLatents == 128 && sae.dIn == 32 && sae.k == 8 && sae.info.seed == Int(seed))
        let probe = try SafetensorsFile(path: TestPaths.fixture("sparsify/probe_seed\(seed).safetensors").path)
        let x = try probe.matrix("x")
        let pre = sae.preActivations(x)
        let refPre = try probe.floats("pre_acts")
        // sparsify's `pre_acts` are after the ReLU (reference/formats.md §1.4).
        for i in 0..<refPre.count { #expect(abs(max(pre.data[i], 0) - refPre[i]) <= 1e-4 * max(1, abs(refPre[i]))) }
        let codes = SparseAutoencoder.topK(pre, k: 8)
        #expect(codes.indices.map(Int64.init) == (try probe.int64s("latent_indices_sorted")))
        let refActs = try probe.floats("latent_acts_sorted")
        for i in 0..<refActs.count { #expect(abs(codes.values[i] - refActs[i]) <= 1e-4 * max(1, abs(refActs[i]))) }
        let out = sae.decode(codes)
        let refOut = try probe.floats("sae_out")
        for i in 0..<refOut.count { #expect(abs(out.data[i] - refOut[i]) <= 1e-4 * max(1, abs(refOut[i]))) }
    }

    @Test func topKBreaksTiesTowardsLowerIndex() {
        let pre = Matrix(rows: 1, cols: 6, data: [1, 3, 3, -1, 2, 3])
        let c = SparseAutoencoder.topK(pre, k: 2)
        #expect(c.indices == [1, 2])
        let z = SparseAutoencoder.topK(Matrix(rows: 1, cols: 3, data: [-1, -2, -3]), k: 2)
        #expect(z.values == [0, 0])
    }
}

/// cfg.json keys are unique even when `extra` repeats one of the defaults (regression: `seedscope train`
/// wrote "hookpoint" twice, and the checkpoint no longer loaded).
@Suite struct CheckpointWriterTests {
    @Test func extraKeysOverrideDefaultsOnce() throws {
        var sae = try SAELoader.load(TestPaths.fixture("sparsify/run/layers.3/seed0"))
        sae.info.hookpoint = "layers.3"
        let dir = TestPaths.tempDir("ckpt")
        defer { try? FileManager.default.removeItem(at: dir) }
        try SAECheckpoint.writeSparsifyLayout(sae, to: dir, extra: [("hookpoint", .string("layers.9")), ("note", .string("x"))])
        let again = try SAELoader.load(dir)
        #expect(again.info.hookpoint == "layers.9")
        #expect(again.decoder == sae.decoder)
    }
}
