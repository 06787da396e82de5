import Foundation

/// Opens SAE checkpoints from disk, detecting the format.
///
/// Supported now: seedscope's own folders and EleutherAI sparsify folders (`cfg.json` +
/// `sae.safetensors`). Other formats register here as they land.
public enum SAELoader {
    /// Loads the SAE in folder (or file) `url`. Throws a one-line `SeedScopeError` naming the path
    /// when the folder is none of the supported formats or its contents are inconsistent.
    public static func load(_ url: URL) throws -> SparseAutoencoder {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw SeedScopeError.io(file: url.path, message: "no such file or folder")
        }
        if isDir.boolValue, fm.fileExists(atPath: url.appendingPathComponent("sae.safetensors").path) {
            return try loadSparsify(url)
        }
        throw SeedScopeError.invalid(file: url.path, message: "not an SAE checkpoint (expected cfg.json + sae.safetensors)")
    }

    /// Loads a sparsify / seedscope folder: `cfg.json` + `sae.safetensors` (`encoder.weight` [m,d],
    /// `encoder.bias` [m], `W_dec` [m,d], `b_dec` [d]); F32/F16/BF16 weights are converted to Float.
    /// Old configs (no `num_latents`, `signed`) are accepted: m comes from the tensors.
    public static func loadSparsify(_ dir: URL) throws -> SparseAutoencoder {
        let cfgURL = dir.appendingPathComponent("cfg.json")
        let cfg: JSONValue
        do { cfg = try JSONValue.parse(contentsOf: cfgURL) } catch let e as JSONParseError {
            throw SeedScopeError.invalid(file: cfgURL.path, message: "invalid JSON: \(e)")
        } catch {
            throw SeedScopeError.io(file: cfgURL.path, message: "cannot read cfg.json")
        }
        let st = try SafetensorsFile(path: dir.appendingPathComponent("sae.safetensors").path)
        let encInfo = try st.info("encoder.weight")
        guard encInfo.shape.count == 2 else {
            throw SafetensorsError(file: st.path, tensor: "encoder.weight", kind: .wrongShape(expected: "[m, d]", actual: encInfo.shape))
        }
        let m = encInfo.shape[0], d = encInfo.shape[1]
        if let cd = cfg["d_in"]?.intValue, Int(cd) != d {
            throw SeedScopeError.invalid(file: cfgURL.path, message: "d_in \(cd) in cfg.json but encoder.weight has d=\(d)")
        }
        if let cm = cfg["num_latents"]?.intValue, cm > 0, Int(cm) != m {
            throw SeedScopeError.invalid(file: cfgURL.path, message: "num_latents \(cm) in cfg.json but encoder.weight has m=\(m)")
        }
        let enc = try st.matrix("encoder.weight", rows: m, cols: d)
        let encB = try st.vector("encoder.bias", count: m)
        let dec = try st.matrix("W_dec", rows: m, cols: d)
        let decB = try st.vector("b_dec", count: d)
        let ss = cfg["seedscope"]
        let activation = cfg["activation"]?.stringValue ?? "topk"
        var arch: SAEArchitecture
        if let a = ss?["architecture"]?.stringValue {
            guard let parsed = SAEArchitecture(rawValue: a) else {
                throw SeedScopeError.invalid(file: cfgURL.path, message: "unknown architecture \"\(a)\"")
            }
            arch = parsed
        } else if activation == "topk" || activation == "groupmax" {
            arch = .topk
        } else {
            throw SeedScopeError.invalid(file: cfgURL.path, message: "unsupported sparsify activation \"\(activation)\"")
        }
        let k = cfg["k"]?.intValue.map(Int.init)
        if arch == .topk, (k ?? 0) <= 0 {
            throw SeedScopeError.invalid(file: cfgURL.path, message: "topk SAE without a positive k")
        }
        var thresholds: [Float]? = nil
        if st.contains("threshold") { thresholds = try st.vector("threshold", count: m) }
        var info = SAEInfo()
        info.format = ss == nil ? "sparsify" : "seedscope"
        info.path = dir.path
        info.dtype = encInfo.dtype.rawValue
        info.seed = ss?["seed"]?.intValue.map(Int.init) ?? Self.seedFromFolderName(dir.lastPathComponent)
        info.hookpoint = ss?["hookpoint"]?.stringValue
        if info.hookpoint == nil, dir.lastPathComponent.hasPrefix("seed") { info.hookpoint = dir.deletingLastPathComponent().lastPathComponent }
        info.name = [info.hookpoint, dir.lastPathComponent].compactMap { $0 }.joined(separator: "/")
        let sae = SparseAutoencoder(encoder: enc, encoderBias: encB, decoder: dec, decoderBias: decB,
                                    architecture: arch, k: k, thresholds: thresholds,
                                    batchThreshold: ss?["batch_threshold"]?.doubleValue.map(Float.init),
                                    subtractDecoderBias: !(cfg["transcode"]?.boolValue ?? false), info: info)
        if let row = sae.encoder.firstNonFiniteRow() ?? sae.decoder.firstNonFiniteRow() {
            throw SeedScopeError.invalid(file: st.path, message: "NaN or infinite weights in latent \(row)")
        }
        return sae
    }

    /// "seed3" → 3.
    static func seedFromFolderName(_ name: String) -> Int? {
        guard name.hasPrefix("seed") else { return nil }
        return Int(name.dropFirst(4))
    }
}
