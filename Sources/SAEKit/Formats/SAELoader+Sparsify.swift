import Foundation

extension SAELoader {
    /// Loads a sparsify / seedscope folder: `cfg.json` + `sae.safetensors` (`encoder.weight` [m,d],
    /// `encoder.bias` [m], `W_dec` [m,d], `b_dec` [d], optional `W_skip` [d,d]); F32/F16/BF16 weights are
    /// converted to Float (reference/formats.md §1.2–1.4).
    ///
    /// Config rules follow sparsify's `from_dict(drop_extra_fields=True)`: unknown keys are ignored,
    /// missing keys take defaults (old EleutherAI/sae configs with `signed` and no `num_latents` load);
    /// m and d come from the tensors and must agree with `d_in`, `num_latents` or
    /// `d_in·expansion_factor` when those are given. seedscope's own keys live under `"seedscope"`:
    /// `architecture`, `seed`, `hookpoint`, `batch_threshold`, `input_normalization`,
    /// `rescale_acts_by_decoder_norm`; a gated seedscope SAE adds `b_mag`/`r_mag` tensors and stores
    /// `b_gate` as `encoder.bias`, a jumprelu one adds `threshold`.
    public static func loadSparsify(_ dir: URL) throws -> SparseAutoencoder {
        let cfgURL = dir.appendingPathComponent("cfg.json")
        let cfg = try readConfig(cfgURL)
        func bad(_ m: String) -> SeedScopeError { .invalid(file: cfgURL.path, message: m) }
        guard case .object = cfg else { throw bad("expected a JSON object") }
        let st = try SafetensorsFile(path: dir.appendingPathComponent("sae.safetensors").path)
        let encInfo = try st.info("encoder.weight")
        guard encInfo.shape.count == 2 else {
            throw SafetensorsError(file: st.path, tensor: "encoder.weight", kind: .wrongShape(expected: "[m, d]", actual: encInfo.shape))
        }
        let m = encInfo.shape[0], d = encInfo.shape[1]
        if let cd = cfg["d_in"]?.intValue, Int(cd) != d {
            throw bad("d_in \(cd) in cfg.json but encoder.weight has d=\(d)")
        }
        if let cm = cfg["num_latents"]?.intValue, cm > 0 {
            if Int(cm) != m { throw bad("num_latents \(cm) in cfg.json but encoder.weight has m=\(m)") }
        } else if let ef = cfg["expansion_factor"]?.intValue, let cd = cfg["d_in"]?.intValue, Int(ef * cd) != m {
            throw bad("d_in·expansion_factor = \(ef * cd) in cfg.json but encoder.weight has m=\(m)")
        }
        if cfg["signed"]?.boolValue == true { throw bad("\"signed\": true SAEs (old EleutherAI/sae option) are not supported") }
        let enc = try st.matrix("encoder.weight", rows: m, cols: d)
        let encB = try st.vector("encoder.bias", count: m)
        let dec = try st.matrix("W_dec", rows: m, cols: d)
        let decB = try st.vector("b_dec", count: d)
        let ss = cfg["seedscope"]
        let activation = cfg["activation"]?.stringValue ?? "topk"
        var arch: SAEArchitecture
        if let a = ss?["architecture"]?.stringValue {
            guard let parsed = SAEArchitecture(rawValue: a) else {
                throw bad("unknown architecture \"\(a)\" (expected one of \(SAEArchitecture.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            arch = parsed
        } else if activation == "topk" {
            arch = .topk
        } else if activation == "groupmax" {
            throw bad("sparsify activation \"groupmax\" is not supported (only topk)")
        } else {
            throw bad("unknown sparsify activation \"\(activation)\" (expected topk)")
        }
        // sparsify's default k is 32 when the key is absent.
        let kCfg = cfg["k"]?.intValue.map(Int.init)
        let k: Int? = kCfg.flatMap { $0 > 0 ? $0 : nil } ?? (ss == nil && kCfg == nil ? 32 : nil)
        if arch == .topk, (k ?? 0) <= 0 { throw bad("topk SAE without a positive k") }
        if let k, k > m { throw bad("k=\(k) exceeds the number of latents m=\(m)") }
        var thresholds: [Float]? = nil
        if st.contains("threshold") { thresholds = try st.vector("threshold", count: m) }
        if arch == .jumprelu, thresholds == nil {
            throw SafetensorsError(file: st.path, tensor: "threshold", kind: .missingTensor)
        }
        var gated: GatedParameters? = nil
        if arch == .gated {
            gated = GatedParameters(bGate: encB, bMag: try st.vector("b_mag", count: m), rMag: try st.vector("r_mag", count: m))
        }
        let batchThreshold = ss?["batch_threshold"]?.doubleValue.map(Float.init)
        if arch == .batchtopk, batchThreshold == nil, (k ?? 0) <= 0 { throw bad("batchtopk SAE needs batch_threshold or k") }
        let transcode = cfg["transcode"]?.boolValue ?? false
        var info = SAEInfo()
        info.format = ss == nil ? SAEFormat.sparsify.rawValue : SAEFormat.seedscope.rawValue
        info.path = dir.path
        info.weightsFile = st.path
        info.dtype = encInfo.dtype.rawValue
        info.seed = ss?["seed"]?.intValue.map(Int.init) ?? Self.seedFromFolderName(dir.lastPathComponent)
        info.hookpoint = ss?["hookpoint"]?.stringValue
        if info.hookpoint == nil {
            info.hookpoint = dir.lastPathComponent.hasPrefix("seed") ? dir.deletingLastPathComponent().lastPathComponent : dir.lastPathComponent
        }
        info.name = dir.lastPathComponent.hasPrefix("seed") ? [info.hookpoint, dir.lastPathComponent].compactMap { $0 }.joined(separator: "/") : dir.lastPathComponent
        info.promisesUnitDecoderRows = (cfg["normalize_decoder"]?.boolValue ?? true) && !transcode
        var sae = SparseAutoencoder(encoder: enc, encoderBias: encB, decoder: dec, decoderBias: decB,
                                    architecture: arch, k: k, thresholds: thresholds,
                                    batchThreshold: batchThreshold, gated: gated,
                                    subtractDecoderBias: !transcode, info: info)
        if let n = ss?["input_normalization"]?.stringValue {
            guard let v = SAEInputNormalization(rawValue: n) else { throw bad("unknown input_normalization \"\(n)\"") }
            sae.inputNormalization = v
        }
        sae.rescaleActsByDecoderNorm = ss?["rescale_acts_by_decoder_norm"]?.boolValue ?? false
        if cfg["skip_connection"]?.boolValue == true || st.contains("W_skip") {
            sae.skip = try st.matrix("W_skip", rows: d, cols: d)
        }
        return sae
    }
}
