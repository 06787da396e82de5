import Foundation

extension SAECheckpoint {
    /// The SAELens v6 format version written into `metadata.sae_lens_version`. SAELens runs its
    /// pre-6 config upgrade on anything without a version ≥ 6.0.0 (`handle_config_defaulting`), so a
    /// v6 layout must carry one; we claim the first v6 release, whose config fields we write.
    public static let saeLensFormatVersion = "6.0.0"

    /// Writes `sae` to `dir` in SAELens v6 layout (reference/formats.md §2.1–2.3): `cfg.json` with the
    /// inference fields in SAELens's order and `sae_weights.safetensors` (`W_enc` [d, m] = encoderᵀ,
    /// `W_dec` [m, d], `b_dec`, plus `b_enc` / `threshold` / `b_gate`,`b_mag`,`r_mag` per
    /// architecture), and `sparsity.safetensors` when log-sparsity is known. Atomic per file.
    ///
    /// Mapping: topk → "topk" (with `k`, `rescale_acts_by_decoder_norm`); relu → "standard";
    /// jumprelu → "jumprelu"; gated → "gated"; batchtopk with an inference threshold t → "jumprelu"
    /// with θ_i = t for every latent (what SAELens itself saves for BatchTopK), batchtopk without one →
    /// "topk". A skip connection has no place in these architectures and is refused.
    public static func writeSAELensLayout(_ sae: SparseAutoencoder, to dir: URL, dtype: DType = .F32) throws {
        guard sae.skip == nil else {
            throw SeedScopeError.invalid(file: dir.path, message: "SAE has a skip connection (W_skip), which SAELens's standard/topk/jumprelu/gated SAEs cannot hold")
        }
        let dtypeName: String
        switch dtype {
        case .F32: dtypeName = "float32"
        case .F16: dtypeName = "float16"
        case .BF16: dtypeName = "bfloat16"
        default: throw SeedScopeError.usage("SAELens export supports F32, F16 and BF16, not \(dtype.rawValue)")
        }
        let m = sae.numLatents
        var arch: String
        var thresholds = sae.thresholds
        var k = sae.k
        switch sae.architecture {
        case .topk: arch = "topk"
        case .relu: arch = "standard"
        case .jumprelu: arch = "jumprelu"
        case .gated: arch = "gated"
        case .batchtopk:
            if let t = sae.batchThreshold { arch = "jumprelu"; thresholds = [Float](repeating: t, count: m); k = nil } else { arch = "topk" }
        }
        var w = SafetensorsWriter()
        w.add("W_enc", matrix: sae.encoder.transposed(), dtype: dtype)
        w.add("W_dec", matrix: sae.decoder, dtype: dtype)
        w.add("b_dec", floats: sae.decoderBias, shape: [sae.dIn], dtype: dtype)
        if arch == "gated" {
            guard let g = sae.gated else { throw SeedScopeError.invalid(file: dir.path, message: "gated SAE without gated parameters") }
            w.add("b_gate", floats: sae.encoderBias, shape: [m], dtype: dtype)
            w.add("b_mag", floats: g.bMag, shape: [m], dtype: dtype)
            w.add("r_mag", floats: g.rMag, shape: [m], dtype: dtype)
        } else {
            w.add("b_enc", floats: sae.encoderBias, shape: [m], dtype: dtype)
        }
        if arch == "jumprelu" {
            guard let t = thresholds else { throw SeedScopeError.invalid(file: dir.path, message: "jumprelu SAE without thresholds") }
            w.add("threshold", floats: t, shape: [m], dtype: dtype)
        }
        var meta: [(String, JSONValue)] = [
            ("sae_lens_version", .string(saeLensFormatVersion)),
            ("sae_lens_training_version", .string(saeLensFormatVersion)),
        ]
        if let model = sae.info.model { meta.append(("model_name", .string(model))) }
        if let h = sae.info.hookpoint { meta.append(("hook_name", .string(saeLensHookName(h)))) }
        meta.append(("seedscope_version", .string(SAEKitInfo.version)))
        if let s = sae.info.seed { meta.append(("seedscope_seed", .int(Int64(s)))) }
        // Field order as SAELens's to_dict writes it (see the fixtures' cfg.json).
        var cfg: [(String, JSONValue)] = [
            ("d_in", .int(Int64(sae.dIn))), ("d_sae", .int(Int64(m))), ("dtype", .string(dtypeName)), ("device", .string("cpu")),
            ("apply_b_dec_to_input", .bool(sae.subtractDecoderBias)),
            ("normalize_activations", .string(sae.inputNormalization.rawValue)),
            ("reshape_activations", .string("none")),
            ("metadata", .object(meta)),
        ]
        if arch == "topk" {
            guard let k, k > 0 else { throw SeedScopeError.invalid(file: dir.path, message: "topk SAE without k") }
            cfg.append(("k", .int(Int64(k))))
            cfg.append(("rescale_acts_by_decoder_norm", .bool(sae.rescaleActsByDecoderNorm)))
        }
        cfg.append(("architecture", .string(arch)))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try w.write(to: dir.appendingPathComponent("sae_weights.safetensors"))
        if let ls = sae.logSparsity {
            var s = SafetensorsWriter()
            s.add("sparsity", floats: ls, shape: [m], dtype: .F32)
            try s.write(to: dir.appendingPathComponent("sparsity.safetensors"))
        }
        try AtomicFile.write(JSONValue.object(cfg).serialized() + "\n", to: dir.appendingPathComponent("cfg.json"))
    }

    /// sparsify hookpoint → TransformerLens hook name, as SAELens's `sparsify_disk_loader` maps them
    /// (`layers.N` → `blocks.N.hook_resid_post`, `embed_tokens` → `hook_embed`); others unchanged.
    public static func saeLensHookName(_ hookpoint: String) -> String {
        if hookpoint == "embed_tokens" { return "hook_embed" }
        let parts = hookpoint.split(separator: ".")
        if parts.count == 2, parts[0] == "layers", let n = Int(parts[1]) { return "blocks.\(n).hook_resid_post" }
        return hookpoint
    }
}
