import Foundation

/// Reading and writing SAE checkpoint folders.
///
/// seedscope's own layout is sparsify's (`cfg.json` + `sae.safetensors` with `encoder.weight` [m,d],
/// `encoder.bias` [m], `W_dec` [m,d], `b_dec` [d]) plus seedscope keys in cfg.json (`architecture`,
/// `seed`, training stats under `"seedscope"`), so what seedscope trains loads in sparsify.
public enum SAECheckpoint {
    /// Writes `sae` to `dir` in seedscope/sparsify layout, atomically per file. `extra` keys are merged
    /// into cfg.json under `"seedscope"` (training stats, provenance).
    public static func writeSparsifyLayout(_ sae: SparseAutoencoder, to dir: URL, dtype: DType = .F32,
                                           extra: [(String, JSONValue)] = []) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var w = SafetensorsWriter()
        w.add("encoder.weight", matrix: sae.encoder, dtype: dtype)
        w.add("encoder.bias", floats: sae.encoderBias, shape: [sae.numLatents], dtype: dtype)
        w.add("W_dec", matrix: sae.decoder, dtype: dtype)
        w.add("b_dec", floats: sae.decoderBias, shape: [sae.dIn], dtype: dtype)
        if let t = sae.thresholds { w.add("threshold", floats: t, shape: [sae.numLatents], dtype: dtype) }
        // sparsify's SparseCoderConfig fields, then seedscope's own.
        var cfg: [(String, JSONValue)] = [
            ("activation", .string(sae.architecture == .topk || sae.architecture == .batchtopk ? "topk" : sae.architecture.rawValue)),
            ("expansion_factor", .int(Int64(max(1, sae.numLatents / max(sae.dIn, 1))))),
            ("normalize_decoder", .bool(true)),
            ("num_latents", .int(Int64(sae.numLatents))),
            ("k", .int(Int64(sae.k ?? 0))),
            ("multi_topk", .bool(false)),
            ("skip_connection", .bool(false)),
            ("transcode", .bool(!sae.subtractDecoderBias)),
            ("d_in", .int(Int64(sae.dIn))),
        ]
        var ss: [(String, JSONValue)] = [("architecture", .string(sae.architecture.rawValue)), ("version", .string(SAEKitInfo.version))]
        if let s = sae.info.seed { ss.append(("seed", .int(Int64(s)))) }
        if let b = sae.batchThreshold { ss.append(("batch_threshold", .double(Double(b)))) }
        if let h = sae.info.hookpoint { ss.append(("hookpoint", .string(h))) }
        ss += extra
        cfg.append(("seedscope", .object(ss)))
        try w.write(to: dir.appendingPathComponent("sae.safetensors"))
        try AtomicFile.write(JSONValue.object(cfg).serialized(pretty: true) + "\n", to: dir.appendingPathComponent("cfg.json"))
    }
}
