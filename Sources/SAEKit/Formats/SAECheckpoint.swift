import Foundation

/// Reading and writing SAE checkpoint folders.
///
/// seedscope's own layout is sparsify's (`cfg.json` + `sae.safetensors` with `encoder.weight` [m,d],
/// `encoder.bias` [m], `W_dec` [m,d], `b_dec` [d]) plus seedscope keys in cfg.json (`architecture`,
/// `seed`, training stats under `"seedscope"`), so what seedscope trains loads in sparsify.
public enum SAECheckpoint {
    /// Writes `sae` to `dir` in seedscope/sparsify layout, atomically per file. `extra` keys are merged
    /// into cfg.json under `"seedscope"` (training stats, provenance).
    ///
    /// TopK SAEs load in sparsify itself. Other architectures keep sparsify's tensor names and add
    /// what sparsify has no slot for (`threshold`; gated `b_mag`, `r_mag` with `b_gate` as
    /// `encoder.bias`; `W_skip`), so only seedscope reads them back with identical math.
    public static func writeSparsifyLayout(_ sae: SparseAutoencoder, to dir: URL, dtype: DType = .F32,
                                           extra: [(String, JSONValue)] = []) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var w = SafetensorsWriter()
        w.add("encoder.weight", matrix: sae.encoder, dtype: dtype)
        w.add("encoder.bias", floats: sae.encoderBias, shape: [sae.numLatents], dtype: dtype)
        w.add("W_dec", matrix: sae.decoder, dtype: dtype)
        w.add("b_dec", floats: sae.decoderBias, shape: [sae.dIn], dtype: dtype)
        if let t = sae.thresholds { w.add("threshold", floats: t, shape: [sae.numLatents], dtype: dtype) }
        if let g = sae.gated {
            w.add("b_mag", floats: g.bMag, shape: [sae.numLatents], dtype: dtype)
            w.add("r_mag", floats: g.rMag, shape: [sae.numLatents], dtype: dtype)
        }
        if let s = sae.skip { w.add("W_skip", matrix: s, dtype: dtype) }
        // sparsify's SparseCoderConfig fields, then seedscope's own.
        var cfg: [(String, JSONValue)] = [
            ("activation", .string(sae.architecture == .topk || sae.architecture == .batchtopk ? "topk" : sae.architecture.rawValue)),
            ("expansion_factor", .int(Int64(max(1, sae.numLatents / max(sae.dIn, 1))))),
            ("normalize_decoder", .bool(sae.info.promisesUnitDecoderRows || sae.info.format == "seedscope")),
            ("num_latents", .int(Int64(sae.numLatents))),
            ("k", .int(Int64(sae.k ?? 0))),
            ("multi_topk", .bool(false)),
            ("skip_connection", .bool(sae.skip != nil)),
            ("transcode", .bool(!sae.subtractDecoderBias)),
            ("d_in", .int(Int64(sae.dIn))),
        ]
        var ss: [(String, JSONValue)] = [("architecture", .string(sae.architecture.rawValue)), ("version", .string(SAEKitInfo.version))]
        if let s = sae.info.seed { ss.append(("seed", .int(Int64(s)))) }
        if let b = sae.batchThreshold { ss.append(("batch_threshold", .double(Double(b)))) }
        if let h = sae.info.hookpoint { ss.append(("hookpoint", .string(h))) }
        if sae.inputNormalization != .none { ss.append(("input_normalization", .string(sae.inputNormalization.rawValue))) }
        if sae.rescaleActsByDecoderNorm { ss.append(("rescale_acts_by_decoder_norm", .bool(true))) }
        // `extra` wins over the defaults above, and a key is written once (cfg.json must stay valid
        // JSON for our strict parser and for sparsify).
        for (k, v) in extra {
            if let i = ss.firstIndex(where: { $0.0 == k }) { ss[i].1 = v } else { ss.append((k, v)) }
        }
        cfg.append(("seedscope", .object(ss)))
        try w.write(to: dir.appendingPathComponent("sae.safetensors"))
        try AtomicFile.write(JSONValue.object(cfg).serialized(pretty: true) + "\n", to: dir.appendingPathComponent("cfg.json"))
    }
}
