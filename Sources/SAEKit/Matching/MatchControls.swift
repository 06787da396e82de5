/// Controls for the matching experiment and input fingerprints.
public enum MatchControls {
    /// A copy of `sae` with its latents reordered: latent `i` of the result is latent `perm[i]` of
    /// `sae`. Matching an SAE with such a copy must report 100% shared under every criterion.
    public static func permuted(_ sae: SparseAutoencoder, perm: [Int]) -> SparseAutoencoder {
        precondition(perm.count == sae.numLatents && Set(perm).count == perm.count, "not a permutation")
        var out = sae
        out.encoder = sae.encoder.gatherRows(perm)
        out.decoder = sae.decoder.gatherRows(perm)
        out.encoderBias = perm.map { sae.encoderBias[$0] }
        if let t = sae.thresholds { out.thresholds = perm.map { t[$0] } }
        out.info.name = sae.info.name + "-permuted"
        out.info.path = ""
        return out
    }

    /// The "random-init" baseline: the same architecture at initialisation, as sparsify initialises
    /// it (reference/paper.md §1.1): encoder rows ~ U(−1/√d, 1/√d) (PyTorch `nn.Linear` default),
    /// decoder = encoder rows normalised to unit length, zero biases. Two baselines with different
    /// seeds give the chance level of every shared fraction.
    public static func randomInit(numLatents m: Int, dIn d: Int, k: Int = 32, seed: UInt64) -> SparseAutoencoder {
        var rng = SeededRNG(seed: seed)
        let bound = 1 / Float(d).squareRoot()
        var enc = Matrix(rows: m, cols: d)
        for i in 0..<(m * d) { enc.data[i] = (2 * rng.nextFloat() - 1) * bound }
        let dec = enc.rowNormalized()
        var info = SAEInfo()
        info.name = "random-init-seed\(seed)"
        info.seed = Int(seed)
        return SparseAutoencoder(encoder: enc, encoderBias: [Float](repeating: 0, count: m), decoder: dec,
                                 decoderBias: [Float](repeating: 0, count: d), architecture: .topk, k: k, info: info)
    }

    /// A baseline shaped like `sae`.
    public static func randomInit(like sae: SparseAutoencoder, seed: UInt64) -> SparseAutoencoder {
        randomInit(numLatents: sae.numLatents, dIn: sae.dIn, k: sae.k ?? 32, seed: seed)
    }
}

/// A fast content hash of an SAE's encoder and decoder weights (what a match depends on), used for
/// provenance and result caching. Four interleaved FNV-1a-64 lanes over the Float bit patterns, then
/// mixed with the shape: not cryptographic, but any change to a weight changes it.
public enum SAEFingerprint {
    /// 16 hex digits, e.g. "fnv4:9a3c…".
    public static func of(_ sae: SparseAutoencoder) -> String {
        var lanes: SIMD4<UInt64> = [0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4, 0x1234_5678_9abc_def1, 0x0fed_cba9_8765_4321]
        let prime = SIMD4<UInt64>(repeating: 0x0000_0100_0000_01B3)
        for m in [sae.encoder, sae.decoder] {
            m.data.withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: UInt32.self) { w in
                    var i = 0
                    while i + 4 <= w.count {
                        let v = SIMD4<UInt64>(UInt64(w[i]), UInt64(w[i + 1]), UInt64(w[i + 2]), UInt64(w[i + 3]))
                        lanes = (lanes ^ v) &* prime
                        i += 4
                    }
                    while i < w.count { lanes[0] = (lanes[0] ^ UInt64(w[i])) &* prime[0]; i += 1 }
                }
            }
        }
        var h: UInt64 = UInt64(sae.numLatents) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(sae.dIn)
        for l in 0..<4 { h = (h ^ lanes[l]) &* 0xBF58_476D_1CE4_E5B9; h ^= h >> 31 }
        let s = String(h, radix: 16)
        return "fnv4:" + String(repeating: "0", count: 16 - s.count) + s
    }
}
