import Foundation
import SAEKit

/// Whether `path` should be described as an SAE (a folder, an SAE's cfg.json, or a Gemma Scope .npz)
/// rather than as a single safetensors file.
func looksLikeSAE(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return false }
    if isDir.boolValue { return SAELoader.detectFormat(URL(fileURLWithPath: path)) != nil || ((try? SAELoader.list(URL(fileURLWithPath: path)))?.isEmpty == false) }
    return path.hasSuffix(".npz") || URL(fileURLWithPath: path).lastPathComponent == "cfg.json"
}

/// Describes the SAE(s) at `path`: format, shapes, architecture, dtype, decoder-norm statistics and
/// anomaly warnings. A run folder with several SAEs lists them and describes each.
func describeSAE(path: String, json: Bool) throws -> String {
    let url = URL(fileURLWithPath: path)
    var isDir: ObjCBool = false
    _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
    let refs: [URL]
    if isDir.boolValue, SAELoader.detectFormat(url) == nil {
        refs = try SAELoader.list(url).map(\.url)
    } else {
        refs = [url]
    }
    let saes = try refs.map { try SAELoader.load($0, options: SAELoadOptions(allowNonFinite: true)) }
    if json {
        let items = saes.map { saeJSON($0) }
        return (items.count == 1 ? items[0] : .array(items)).serialized(pretty: true)
    }
    return saes.map(saeText).joined(separator: "\n\n")
}

private func fmt(_ r: ValueRange) -> String { String(format: "min %.4g  mean %.4g  max %.4g", r.min, r.mean, r.max) }

private func activationText(_ s: SparseAutoencoder) -> String {
    switch s.architecture {
    case .topk: return "topk (k=\(s.k ?? 0)\(s.rescaleActsByDecoderNorm ? ", acts rescaled by decoder norm" : ""))"
    case .batchtopk: return s.batchThreshold.map { "batchtopk (inference threshold \($0), k=\(s.k ?? 0))" } ?? "batchtopk (no threshold: per-token top-\(s.k ?? 0))"
    case .relu: return "relu (SAELens standard)"
    case .jumprelu: return "jumprelu (per-latent thresholds)"
    case .gated: return "gated (SAELens gated)"
    }
}

private func saeText(_ s: SparseAutoencoder) -> String {
    let sum = SAESummary(s)
    var l: [String] = []
    l.append("\(s.info.path): \(s.info.format) SAE \(s.info.name)")
    var who: [String] = []
    if let h = s.info.hookpoint { who.append("hookpoint \(h)") }
    if let seed = s.info.seed { who.append("seed \(seed)") }
    if let m = s.info.model { who.append("model \(m)") }
    if !who.isEmpty { l.append("  " + who.joined(separator: ", ")) }
    l.append("  d=\(s.dIn)  m=\(s.numLatents) (\(String(format: "%.3g", Double(s.numLatents) / Double(max(s.dIn, 1))))× expansion)  dtype \(s.info.dtype)")
    l.append("  activation: \(activationText(s))")
    l.append("  input: \(s.subtractDecoderBias ? "x − b_dec" : "x (b_dec not subtracted)")\(s.inputNormalization == .none ? "" : ", normalisation \(s.inputNormalization.rawValue)")\(s.skip != nil ? ", skip connection W_skip" : "")")
    if let t = sum.thresholds { l.append("  thresholds θ: " + fmt(t)) }
    l.append("  decoder row norms: " + fmt(sum.decoderNorms) + (s.info.promisesUnitDecoderRows ? "  (format promises unit rows)" : ""))
    l.append("  encoder row norms: " + fmt(sum.encoderNorms))
    if let ls = s.logSparsity { l.append("  log10 firing frequency (sparsity.safetensors): " + fmt(ValueRange(ls))) }
    for n in s.info.notes { l.append("  note: \(n)") }
    let warnings = sum.warnings(s)
    if warnings.isEmpty { l.append("  no anomalies") }
    for w in warnings { l.append("  warning: \(w)") }
    return l.joined(separator: "\n")
}

private func rangeJSON(_ r: ValueRange) -> JSONValue {
    .object([("min", .double(r.min)), ("mean", .double(r.mean)), ("max", .double(r.max))])
}

private func saeJSON(_ s: SparseAutoencoder) -> JSONValue {
    let sum = SAESummary(s)
    var kv: [(String, JSONValue)] = [
        ("path", .string(s.info.path)), ("format", .string(s.info.format)), ("name", .string(s.info.name)),
        ("hookpoint", s.info.hookpoint.map { .string($0) } ?? .null), ("seed", s.info.seed.map { .int(Int64($0)) } ?? .null),
        ("model", s.info.model.map { .string($0) } ?? .null),
        ("d", .int(Int64(s.dIn))), ("m", .int(Int64(s.numLatents))), ("architecture", .string(s.architecture.rawValue)),
        ("k", s.k.map { .int(Int64($0)) } ?? .null), ("batch_threshold", s.batchThreshold.map { .double(Double($0)) } ?? .null),
        ("dtype", .string(s.info.dtype)), ("subtract_b_dec", .bool(s.subtractDecoderBias)),
        ("input_normalization", .string(s.inputNormalization.rawValue)),
        ("rescale_acts_by_decoder_norm", .bool(s.rescaleActsByDecoderNorm)), ("skip_connection", .bool(s.skip != nil)),
        ("decoder_norms", rangeJSON(sum.decoderNorms)), ("encoder_norms", rangeJSON(sum.encoderNorms)),
        ("thresholds", sum.thresholds.map(rangeJSON) ?? .null),
        ("promises_unit_decoder_rows", .bool(s.info.promisesUnitDecoderRows)),
        ("zero_decoder_rows", .int(Int64(sum.zeroDecoderRows))), ("zero_encoder_rows", .int(Int64(sum.zeroEncoderRows))),
        ("non_finite_latents", .int(Int64(sum.nonFiniteLatents))), ("non_unit_decoder_rows", .int(Int64(sum.nonUnitDecoderRows))),
        ("max_unit_deviation", .double(sum.maxUnitDeviation)),
        ("notes", .array(s.info.notes.map { .string($0) })), ("warnings", .array(sum.warnings(s).map { .string($0) })),
    ]
    if let d = sum.deadBySparsity { kv.append(("dead_by_sparsity", .int(Int64(d)))) }
    return .object(kv)
}
