import Foundation

extension SAELoader {
    /// Loads a Gemma Scope `params.npz` (reference/formats.md §3.4): `W_enc` [d, m], `W_dec` [m, d],
    /// `b_enc` [m], `b_dec` [d], `threshold` [m] (a `w_` prefix is accepted, as SAELens's loader does).
    /// JumpReLU with **no** b_dec subtraction: pre = x·W_enc + b_enc, z = ReLU(pre)·1[pre > θ].
    /// There is no config: the hookpoint and name come from the Hub path
    /// (`layer_{L}/width_{W}/average_l0_{N}`) when the folders follow it.
    public static func loadGemmaScope(_ file: URL) throws -> SparseAutoencoder {
        let npz = try NpzFile(path: file.path)
        func key(_ k: String) -> String { npz.contains(k) ? k : (npz.contains(k.lowercased()) ? k.lowercased() : k) }
        func array(_ k: String, _ shape: [Int?]) throws -> (shape: [Int], values: [Float], descr: String) {
            let name = key(k)
            let (h, v) = try npz.floats(name)
            guard h.shape.count == shape.count, zip(h.shape, shape).allSatisfy({ $1 == nil || $0 == $1! }) else {
                let e = "[" + shape.map { $0.map(String.init) ?? "?" }.joined(separator: ", ") + "]"
                throw SeedScopeError.invalid(file: file.path, message: "array \"\(name)\" has shape \(h.shape), expected \(e)")
            }
            return (h.shape, v, h.descr)
        }
        let wEnc = try array("W_enc", [nil, nil])
        let d = wEnc.shape[0], m = wEnc.shape[1]
        let enc = Matrix(rows: d, cols: m, data: wEnc.values).transposed()
        var dec = Matrix(rows: m, cols: d, data: try array("W_dec", [m, d]).values)
        let encB = try array("b_enc", [m]).values
        let decB = try array("b_dec", [d]).values
        let th = try array("threshold", [m]).values
        var notes: [String] = []
        // SAELens treats an all-ones scaling_factor as absent; otherwise it scales the latents before decoding.
        if npz.contains("scaling_factor") {
            let s = try array("scaling_factor", [m]).values
            if s.contains(where: { $0 != 1 }) {
                for i in 0..<m { for j in 0..<d { dec[i, j] *= s[i] } }
                notes.append("scaling_factor folded into the decoder rows")
            }
        }
        var info = SAEInfo()
        info.format = SAEFormat.gemmascope.rawValue
        info.path = file.lastPathComponent == "params.npz" ? file.deletingLastPathComponent().path : file.path
        info.weightsFile = file.path
        info.dtype = ["<f4": "F32", "<f2": "F16", "<f8": "F64"][wEnc.descr] ?? wEnc.descr
        let parts = file.deletingLastPathComponent().pathComponents
        if let li = parts.lastIndex(where: { $0.hasPrefix("layer_") }) {
            info.hookpoint = parts[li]
            info.name = parts[li...].joined(separator: "/")
        } else {
            info.name = file.lastPathComponent == "params.npz" ? file.deletingLastPathComponent().lastPathComponent : file.deletingPathExtension().lastPathComponent
        }
        info.notes = notes
        return SparseAutoencoder(encoder: enc, encoderBias: encB, decoder: dec, decoderBias: decB,
                                 architecture: .jumprelu, thresholds: th, subtractDecoderBias: false, info: info)
    }
}
