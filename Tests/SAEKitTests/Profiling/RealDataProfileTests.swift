import Foundation
import Testing
@testable import SAEKit

/// The real sparsify checkpoint on real SmolLM2 layer-15 activations of the KJV (skipped without ../shared).
@Suite struct RealDataProfileTests {
    @Test func cardsMarkTheArgmaxOnRealData() throws {
        guard let saeURL = TestPaths.shared("sparsify-L15-topk-m4608-k32/layers.15/seed0"),
              let dataURL = TestPaths.shared("smollm2-L15-kjv/activations.safetensors") else {
            print("RealDataProfileTests: ../shared/data absent, skipped"); return
        }
        let sae = try SAELoader.load(saeURL)
        let ds = try ActivationDataset(path: dataURL.path)
        let T = ds.windowLength!
        let store = try Profiler.profile(sae, dataset: ds)
        #expect(store.tokenCount == 256 * 127)
        // TopK k=32: exactly 32 firing latents per profiled token (ReLU never zeroes a top-32 entry here).
        let total = store.counts.reduce(0, +)
        #expect(total <= 32 * store.tokenCount && total > 31 * store.tokenCount)
        let alive = (0..<store.numLatents).filter { store.stats($0).count > 0 }
        let byCount = alive.sorted { store.stats($0).count > store.stats($1).count }
        let picks = [byCount[0], byCount[1], byCount[byCount.count / 2], byCount[byCount.count / 3], byCount.last!]
        for j in picks {
            let card = store.card(j)
            #expect(!card.top.isEmpty)
            for e in card.top.prefix(5) {
                // Recompute the latent over the whole window with the model's own encode.
                let x = try ds.rows((e.window * T)..<((e.window + 1) * T))
                let codes = sae.encodeTopK(x)
                var acts = [Float](repeating: 0, count: T)
                for p in 1..<T { for s in 0..<codes.k where codes.indices[p * codes.k + s] == Int32(j) { acts[p] = codes.values[p * codes.k + s] } }
                let recomputedArgmax = acts.indices.max { acts[$0] < acts[$1] || (acts[$0] == acts[$1] && $0 > $1) }!
                #expect(recomputedArgmax == e.maxPosition, "latent \(j) window \(e.window)")
                #expect(abs(acts[e.maxPosition] - e.maxActivation) <= 1e-4 * e.maxActivation)
                for (i, a) in e.activations.enumerated() { #expect(abs(a - acts[e.spanStart + i]) <= 1e-4 * max(1, a)) }
                // The text card's [[max]] mark sits at the argmax of the stored per-token activations.
                let marked = e.markedText(decode: { _ in "|" })
                let markIndex = marked[..<marked.range(of: "[[")!.lowerBound].filter { $0 == "|" }.count
                #expect(markIndex == e.spanArgmax && e.spanStart + markIndex == e.maxPosition)
                #expect(e.spanTokens.allSatisfy { $0 >= 0 })
                #expect(Array(e.windowTokens) == Array(ds.tokens![(e.window * T)..<((e.window + 1) * T)]))
            }
        }
    }
}
