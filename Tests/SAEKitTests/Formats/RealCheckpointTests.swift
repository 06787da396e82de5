import Foundation
import Testing
@testable import SAEKit

/// The real sparsify SmolLM2 checkpoints in ../shared/data (skipped when that folder is absent):
/// `seedscope eval`'s FVU must equal reference.json's "eval_fvu_on_shared_256_float16_windows" ±1%.
@Suite struct RealCheckpointTests {
    @Test func fvuMatchesSparsifyReference() throws {
        guard let run = TestPaths.shared("sparsify-L15-topk-m4608-k32"),
              let data = TestPaths.shared("smollm2-L15-kjv/activations.safetensors") else {
            print("skipped: ../shared/data not present")
            return
        }
        let reference = try JSONValue.parse(contentsOf: run.appendingPathComponent("reference.json"))
        let refs = try SAELoader.list(run)
        #expect(refs.map(\.name) == ["layers.15/seed0", "layers.15/seed1"])
        let ds = try ActivationDataset(path: data.path)
        let rows = ds.usableRows
        #expect(rows.count == 32512)
        for ref in refs {
            let sae = try SAELoader.load(ref.url)
            #expect(sae.dIn == 576 && sae.numLatents == 4608 && sae.k == 32)
            let r = try SAEEvaluator.evaluate(sae, source: ds, rows: rows)
            let want = reference["seeds"]![String(ref.seed!)]!["eval_fvu_on_shared_256_float16_windows"]!.doubleValue!
            print("seed \(ref.seed!): FVU \(r.fvu) (reference \(want)), L0 \(r.l0), dead \(r.deadLatents)")
            #expect(abs(r.fvu - want) <= 0.01 * want)
            #expect(r.l0 > 31 && r.l0 <= 32)
        }
    }
}
