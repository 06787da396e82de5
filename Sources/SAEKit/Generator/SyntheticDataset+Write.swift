import Foundation

extension SyntheticDataset {
    /// The generated vocabulary as a Hugging Face tokenizer.json: a WordLevel model over
    /// "<unk>", "<none>", "f0" … "f{F-1}" with a WhitespaceSplit pre-tokenizer and no decoder (so
    /// `decode` joins tokens with spaces and a window reads "f12 f3 <none> f12 …"). Loadable by
    /// `tokenizers.Tokenizer.from_file` and by seedscope's `Tokenizer`.
    public func tokenizerJSON() -> String {
        var vocab: [(String, JSONValue)] = [("<unk>", .int(0)), ("<none>", .int(1))]
        for i in 0..<config.features { vocab.append(("f\(i)", .int(Int64(SyntheticGenerator.tokenID(feature: i))))) }
        let unk: JSONValue = .object([("id", .int(0)), ("content", .string("<unk>")), ("single_word", .bool(false)), ("lstrip", .bool(false)),
                                      ("rstrip", .bool(false)), ("normalized", .bool(false)), ("special", .bool(true))])
        return JSONValue.object([
            ("version", .string("1.0")), ("truncation", .null), ("padding", .null), ("added_tokens", .array([unk])),
            ("normalizer", .null), ("pre_tokenizer", .object([("type", .string("WhitespaceSplit"))])),
            ("post_processor", .null), ("decoder", .null),
            ("model", .object([("type", .string("WordLevel")), ("vocab", .object(vocab)), ("unk_token", .string("<unk>"))])),
        ]).serialized(pretty: true)
    }

    /// Writes `dir/activations.safetensors` (the dataset schema plus `true_directions` [F, d] F32,
    /// `frequencies` [F] F32 (expected), `parent` and `leader` [F] I64, and the config in metadata)
    /// and `dir/tokenizer.json`, each atomically.
    public func write(to dir: URL, dtype: DType = .F32) throws {
        let c = config
        let signalVar = Double(c.meanL0) * Double(c.magnitudeMin * c.magnitudeMin + c.magnitudeMin * c.magnitudeMax + c.magnitudeMax * c.magnitudeMax) / 3
        let noiseVar = Double(c.dim) * Double(c.noise * c.noise)
        let meta: [String: String] = [
            "model": "synthetic (seedscope generate)", "hookpoint": "synthetic", "layer": "0",
            "generator": "x = sum_i a_i m_i f_i + noise*eps; a_i Bernoulli with power-law frequencies, m_i ~ U(\(c.magnitudeMin), \(c.magnitudeMax)), eps ~ N(0, I)",
            "features": String(c.features), "mean_l0": String(c.meanL0), "seed": String(c.seed), "alpha": String(c.alpha),
            "noise": String(c.noise), "families": String(c.families),
            "noise_share_expected": String(format: "%.6g", noiseVar / (signalVar + noiseVar)),
            "config": Self.configJSON(c),
        ]
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write(tokenizerJSON(), to: dir.appendingPathComponent("tokenizer.json"))
        try ActivationDatasetWriter.write(
            to: dir.appendingPathComponent("activations.safetensors"), activations: activations,
            windowLength: c.windowLength, tokens: tokens, dtype: dtype, metadata: meta) { w in
            w.add("true_directions", matrix: truth.directions, dtype: .F32)
            w.add("frequencies", floats: truth.frequencies.map { Float($0) }, shape: [c.features], dtype: .F32)
            w.add("parent", ints: truth.parent.map { Int64($0) }, shape: [c.features], dtype: .I64)
            w.add("leader", ints: truth.leader.map { Int64($0) }, shape: [c.features], dtype: .I64)
        }
    }
}

extension SyntheticDataset {
    static func configJSON(_ c: SyntheticConfig) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return (try? String(data: e.encode(c), encoding: .utf8)) ?? ""
    }
}
