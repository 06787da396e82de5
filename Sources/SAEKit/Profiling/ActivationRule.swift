import Foundation

/// How pre-activations become latent activations while profiling.
///
/// This is the **single place** where the profiler applies an SAE's activation function to the
/// pre-activations `pre = (x − b_dec?)·encoderᵀ + encoderBias` produced by its own blocked sgemm.
/// TopK follows sparsify (ReLU, then the k largest per token, ties towards the lower latent index —
/// the same positive set as SAELens's top-k-then-ReLU); the dense rules follow SAELens v6
/// (reference/formats.md §2.4). When `SparseAutoencoder` grows a per-architecture encode API, switch
/// `ActivationRule.init` / `dense` to it; the rest of the profiler only sees "firing entries".
struct ActivationRule: @unchecked Sendable {
    enum Kind: Equatable { case topk(Int), relu, jumprelu, batchThreshold(Float), gated }
    let kind: Kind
    /// jumprelu θ `[m]`.
    let thresholds: [Float]
    /// gated: encoder bias (subtracted to recover x̃·W), b_gate, b_mag and exp(r_mag), each `[m]`.
    let encoderBias: [Float], bGate: [Float], bMag: [Float], magScale: [Float]
    /// Decoder row norms when activations are rescaled by them (SAELens `rescale_acts_by_decoder_norm`).
    let scale: [Float]?

    init(_ sae: SparseAutoencoder) throws {
        let m = sae.numLatents
        var th: [Float] = [], bg: [Float] = [], bm: [Float] = [], ms: [Float] = []
        func bad(_ s: String) -> SeedScopeError { .invalid(file: sae.info.path, message: s) }
        switch sae.architecture {
        case .topk:
            guard let k = sae.k, k > 0 else { throw bad("topk SAE without a positive k") }
            kind = .topk(min(k, m))
        case .relu: kind = .relu
        case .jumprelu:
            guard let t = sae.thresholds, t.count == m else { throw bad("jumprelu SAE without \(m) thresholds") }
            th = t; kind = .jumprelu
        case .batchtopk:
            // Inference rule of BatchTopK: one global threshold; without it fall back to per-token TopK.
            if let t = sae.batchThreshold { kind = .batchThreshold(t) }
            else if let k = sae.k, k > 0 { kind = .topk(min(k, m)) }
            else { throw bad("batchtopk SAE without a threshold or k") }
        case .gated:
            guard let g = sae.gated, g.bGate.count == m, g.bMag.count == m, g.rMag.count == m else { throw bad("gated SAE without gate parameters") }
            bg = g.bGate; bm = g.bMag; ms = g.rMag.map { Foundation.exp($0) }; kind = .gated
        }
        thresholds = th; bGate = bg; bMag = bm; magScale = ms
        encoderBias = sae.encoderBias
        scale = sae.rescaleActsByDecoderNorm ? sae.decoder.rowNorms() : nil
    }

    /// Activation of latent `j` from its pre-activation for the dense (non-TopK) rules, before `scale`.
    @inline(__always)
    func dense(_ pre: Float, _ j: Int) -> Float {
        switch kind {
        case .relu: return pre > 0 ? pre : 0
        case .jumprelu: return pre > thresholds[j] && pre > 0 ? pre : 0
        case let .batchThreshold(t): return pre > t && pre > 0 ? pre : 0
        case .gated:
            let xw = pre - encoderBias[j]
            guard xw + bGate[j] > 0 else { return 0 }
            let mag = magScale[j] * xw + bMag[j]
            return mag > 0 ? mag : 0
        case .topk: return pre > 0 ? pre : 0
        }
    }
}
