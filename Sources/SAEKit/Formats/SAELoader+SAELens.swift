import Foundation

extension SAELoader {
    /// SAELens architectures seedscope reads, with the canonical architecture they map to.
    static let saeLensArchitectures: [String: SAEArchitecture] = [
        "standard": .relu, "topk": .topk, "jumprelu": .jumprelu, "gated": .gated,
        "batchtopk": .batchtopk, "matryoshka_batchtopk": .batchtopk,
    ]

    /// Loads a SAELens folder: `cfg.json` + `sae_weights.safetensors` (+ optional `sparsity.safetensors`).
    ///
    /// v6 configs are read as written (reference/formats.md §2.2–2.4). Older configs (no
    /// `sae_lens_version` ≥ 6 at the top level or in `metadata`) go through the equivalent of SAELens's
    /// `handle_pre_6_0_config`: `hook_point` → hook name, `activation_fn_str`/`activation_fn` "topk" with
    /// `activation_fn_kwargs.k` → topk, boolean `normalize_activations`, default architecture
    /// "standard" and `apply_b_dec_to_input` true. `W_enc` [d, m] is transposed to seedscope's [m × d].
    /// A v3–v5 `scaling_factor` (finetuning scale) that is not all ones is folded into the decoder rows
    /// (decode uses f⊙s before W_dec, so scaling row i by s_i is the same map).
    public static func loadSAELens(_ dir: URL) throws -> SparseAutoencoder {
        let cfgURL = dir.appendingPathComponent("cfg.json")
        let cfg = try readConfig(cfgURL)
        func bad(_ m: String) -> SeedScopeError { .invalid(file: cfgURL.path, message: m) }
        guard case .object = cfg else { throw bad("expected a JSON object") }
        let meta = cfg["metadata"]
        let version = cfg["sae_lens_version"]?.stringValue ?? meta?["sae_lens_version"]?.stringValue
        let isV6 = version.flatMap { Int($0.split(separator: ".").first ?? "") }.map { $0 >= 6 } ?? false

        var archName = cfg["architecture"]?.stringValue ?? "standard"
        var k = cfg["k"]?.intValue.map(Int.init)
        var normalization = "none"
        var notes: [String] = []
        if isV6 {
            if let n = cfg["normalize_activations"] {
                guard let s = n.stringValue else { throw bad("normalize_activations must be a string in a v6 config") }
                normalization = s
            }
        } else {
            // handle_pre_6_0_config
            let fn = cfg["activation_fn"]?.stringValue ?? cfg["activation_fn_str"]?.stringValue ?? "relu"
            if fn == "topk" {
                archName = "topk"
                k = cfg["activation_fn_kwargs"]?["k"]?.intValue.map(Int.init) ?? k
            } else if fn != "relu", cfg["architecture"] == nil || archName == "standard" {
                throw bad("activation_fn \"\(fn)\" is not supported (relu and topk are)")
            }
            switch cfg["normalize_activations"] {
            case .bool(true)?: normalization = "expected_average_only_in"
            case .string(let s)?: normalization = s
            default: normalization = "none"
            }
        }
        guard let arch = saeLensArchitectures[archName] else {
            throw bad("unknown SAELens architecture \"\(archName)\" (supported: \(saeLensArchitectures.keys.sorted().joined(separator: ", ")))")
        }
        guard let norm = SAEInputNormalization(rawValue: normalization) else {
            throw bad("unknown normalize_activations \"\(normalization)\" (expected none, expected_average_only_in, constant_norm_rescale or layer_norm)")
        }
        if norm == .expectedAverageOnlyIn {
            notes.append("normalize_activations=expected_average_only_in: the training-time scale is not stored in the folder and is not applied (as SAELens load_from_disk)")
        }
        let reshape = cfg["reshape_activations"]?.stringValue ?? "none"
        if reshape == "hook_z" { notes.append("reshape_activations=hook_z: inputs must be the flattened [heads·d_head] hook_z vectors") }

        let st = try SafetensorsFile(path: dir.appendingPathComponent("sae_weights.safetensors").path)
        let wEncInfo = try st.info("W_enc")
        guard wEncInfo.shape.count == 2 else {
            throw SafetensorsError(file: st.path, tensor: "W_enc", kind: .wrongShape(expected: "[d_in, d_sae]", actual: wEncInfo.shape))
        }
        let d = wEncInfo.shape[0], m = wEncInfo.shape[1]
        if let cd = cfg["d_in"]?.intValue, Int(cd) != d { throw bad("d_in \(cd) in cfg.json but W_enc has d_in=\(d)") }
        if let cm = cfg["d_sae"]?.intValue, Int(cm) != m { throw bad("d_sae \(cm) in cfg.json but W_enc has d_sae=\(m)") }
        let enc = try st.matrix("W_enc", rows: d, cols: m).transposed()
        var dec = try st.matrix("W_dec", rows: m, cols: d)
        let decB = try st.vector("b_dec", count: d)

        var encB: [Float]
        var thresholds: [Float]? = nil
        var gated: GatedParameters? = nil
        var batchThreshold: Float? = nil
        switch arch {
        case .gated:
            let g = GatedParameters(bGate: try st.vector("b_gate", count: m), bMag: try st.vector("b_mag", count: m),
                                    rMag: try st.vector("r_mag", count: m))
            encB = g.bGate
            gated = g
        default:
            encB = try st.vector("b_enc", count: m)
        }
        if arch == .jumprelu {
            if st.contains("threshold") {
                thresholds = try st.vector("threshold", count: m)
            } else if st.contains("log_threshold") {
                thresholds = try st.vector("log_threshold", count: m).map { Float(_exp(Double($0))) }
            } else {
                throw SafetensorsError(file: st.path, tensor: "threshold", kind: .missingTensor)
            }
        }
        if arch == .batchtopk {
            if st.contains("topk_threshold") {
                let t = try st.floats("topk_threshold")
                guard t.count == 1 else {
                    throw SafetensorsError(file: st.path, tensor: "topk_threshold", kind: .wrongShape(expected: "[] (a scalar)", actual: try st.info("topk_threshold").shape))
                }
                batchThreshold = t[0]
            }
            if batchThreshold == nil, (k ?? 0) <= 0 { throw bad("batchtopk SAE without topk_threshold or k") }
        }
        if arch == .topk {
            guard let kk = k, kk > 0 else { throw bad("topk SAE without a positive k") }
            guard kk <= m else { throw bad("k=\(kk) exceeds d_sae=\(m)") }
        }
        // v3–v5 finetuning scale: dropped when all ones, else x̂ = (f⊙s)·W_dec + b_dec.
        for name in ["scaling_factor", "finetuning_scaling_factor"] where st.contains(name) {
            let s = try st.vector(name, count: m)
            if s.contains(where: { $0 != 1 }) {
                for i in 0..<m { for j in 0..<d { dec[i, j] *= s[i] } }
                notes.append("\(name) folded into the decoder rows")
            }
        }
        var info = SAEInfo()
        info.format = SAEFormat.saelens.rawValue
        info.path = dir.path
        info.weightsFile = st.path
        info.dtype = wEncInfo.dtype.rawValue
        info.hookpoint = meta?["hook_name"]?.stringValue ?? cfg["hook_name"]?.stringValue ?? cfg["hook_point"]?.stringValue
        info.model = meta?["model_name"]?.stringValue ?? cfg["model_name"]?.stringValue
        info.seed = meta?["seedscope_seed"]?.intValue.map(Int.init) ?? seedFromFolderName(dir.lastPathComponent)
        info.name = dir.lastPathComponent
        info.notes = notes
        var sae = SparseAutoencoder(encoder: enc, encoderBias: encB, decoder: dec, decoderBias: decB,
                                    architecture: arch, k: k, thresholds: thresholds, batchThreshold: batchThreshold,
                                    gated: gated, subtractDecoderBias: cfg["apply_b_dec_to_input"]?.boolValue ?? true,
                                    info: info)
        sae.inputNormalization = norm
        sae.rescaleActsByDecoderNorm = arch == .topk && (cfg["rescale_acts_by_decoder_norm"]?.boolValue ?? false)
        let sp = dir.appendingPathComponent("sparsity.safetensors")
        if FileManager.default.fileExists(atPath: sp.path) {
            sae.logSparsity = try SafetensorsFile(path: sp.path).vector("sparsity", count: m)
        }
        return sae
    }
}
