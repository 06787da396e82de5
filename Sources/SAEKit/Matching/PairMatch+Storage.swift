import Foundation

/// Saving, loading, caching and exporting pair results.
///
/// A stored pair is a folder: `match.safetensors` (every per-latent array) written first, then
/// `match.json` (summary + provenance), both atomically; `match.json` is the completion marker, so an
/// interrupted save is simply not found by `cached`.
extension PairMatch {
    /// Folder name used for a pair inside a results folder: derived from both inputs' hashes.
    public static func folderName(hashA: String, hashB: String) -> String {
        func short(_ h: String) -> String { String(h.split(separator: ":").last ?? Substring(h)).prefix(12).description }
        return "pair-\(short(hashA))-\(short(hashB))"
    }

    /// Writes the result to folder `dir`.
    public func save(to dir: URL) throws {
        var w = SafetensorsWriter(metadata: ["format": "seedscope-pair-match", "version": SAEKitInfo.version])
        for (p, dm) in [("enc", encoder), ("dec", decoder)] {
            w.add("\(p)_assignment", ints: dm.assignment.map(Int64.init), shape: [mA])
            w.add("\(p)_matched", floats: dm.matched, shape: [mA])
            w.add("\(p)_max_a", floats: dm.maxA.value, shape: [mA])
            w.add("\(p)_argmax_a", ints: dm.maxA.argmax.map(Int64.init), shape: [mA])
            w.add("\(p)_max_b", floats: dm.maxB.value, shape: [mB])
            w.add("\(p)_argmax_b", ints: dm.maxB.argmax.map(Int64.init), shape: [mB])
            w.add("\(p)_greedy", ints: dm.greedy.map(Int64.init), shape: [mA])
            w.add("\(p)_greedy_cos", floats: dm.greedyCos, shape: [mA])
        }
        if let d = deadA { w.add("dead_a", ints: d.map { $0 ? 1 : 0 }, shape: [mA], dtype: .U8) }
        if let d = deadB { w.add("dead_b", ints: d.map { $0 ? 1 : 0 }, shape: [mB], dtype: .U8) }
        if let g = agreement {
            w.add("agree_pearson", floats: g.pearson, shape: [mA])
            w.add("agree_co_firing", ints: g.coFiring.map(Int64.init), shape: [mA])
            w.add("agree_top_jaccard", floats: g.topWindowJaccard, shape: [mA])
        }
        try w.write(to: dir.appendingPathComponent("match.safetensors"))
        try AtomicFile.write(summaryJSON().serialized(pretty: true) + "\n", to: dir.appendingPathComponent("match.json"))
    }

    /// The summary object stored in `match.json` (and printed by `seedscope match --json`).
    public func summaryJSON(threshold t: Float? = nil) -> JSONValue {
        let th = t ?? provenance.threshold
        func num(_ x: Double) -> JSONValue { x.isFinite ? .double(x) : .null }
        func fractions(_ dead: Bool) -> JSONValue {
            .object(summary(threshold: th, excludingDead: dead).map { ($0.0.rawValue, num($0.1)) })
        }
        func stats(_ s: CertifiedAssignment.Stats?) -> JSONValue {
            guard let s else { return .null }
            return .object([("passes", .int(Int64(s.passes))), ("solves", .int(Int64(s.solves))),
                            ("initial_edges", .int(Int64(s.initialEdges))), ("added_edges", .int(Int64(s.addedEdges))),
                            ("initial_fallback_rows", .int(Int64(s.initialFallbackRows)))])
        }
        var kv: [(String, JSONValue)] = [
            ("format", .string("seedscope-pair-match")),
            ("a", .object([("name", .string(nameA)), ("path", .string(provenance.pathA)), ("hash", .string(provenance.hashA)), ("latents", .int(Int64(mA)))])),
            ("b", .object([("name", .string(nameB)), ("path", .string(provenance.pathB)), ("hash", .string(provenance.hashB)), ("latents", .int(Int64(mB)))])),
            ("d_in", .int(Int64(dIn))),
            ("method", .string(provenance.method)),
            ("solver", .string(method)),
            ("threshold", .double(Double("\(th)") ?? Double(th))),
            ("version", .string(provenance.version)),
            ("encoder_total", num(encoder.total)), ("decoder_total", num(decoder.total)),
            ("encoder_alignment", num(encoder.alignment)), ("decoder_alignment", num(decoder.alignment)),
            ("encoder_mean_max_cos", num(encoder.meanMaxCos)), ("decoder_mean_max_cos", num(decoder.meanMaxCos)),
            ("shared", fractions(false)),
        ]
        if deadA != nil || deadB != nil {
            kv.append(("dead_a", .int(Int64(deadCountA))))
            kv.append(("shared_excluding_dead", fractions(true)))
        }
        kv.append(("encoder_solver_stats", stats(encoderStats)))
        kv.append(("decoder_solver_stats", stats(decoderStats)))
        return .object(kv)
    }

    /// Loads a folder written by `save(to:)`. Throws a one-line error naming the file.
    public static func load(from dir: URL) throws -> PairMatch {
        let jsonURL = dir.appendingPathComponent("match.json")
        let j: JSONValue
        do { j = try JSONValue.parse(contentsOf: jsonURL) } catch {
            throw SeedScopeError.invalid(file: jsonURL.path, message: "cannot read pair summary: \(error)")
        }
        guard j["format"]?.stringValue == "seedscope-pair-match",
              let a = j["a"], let b = j["b"], let mA = a["latents"]?.intValue, let mB = b["latents"]?.intValue,
              let d = j["d_in"]?.intValue else {
            throw SeedScopeError.invalid(file: jsonURL.path, message: "not a seedscope pair-match summary")
        }
        let st = try SafetensorsFile(path: dir.appendingPathComponent("match.safetensors").path)
        func ints(_ n: String, _ c: Int64) throws -> [Int] {
            let v = try st.int64s(n)
            guard v.count == Int(c) else { throw SeedScopeError.invalid(file: st.path, message: "tensor \(n) has \(v.count) values, expected \(c)") }
            return v.map(Int.init)
        }
        func floats(_ n: String, _ c: Int64) throws -> [Float] { try st.vector(n, count: Int(c)) }
        func dir_(_ p: String) throws -> DirectionMatch {
            DirectionMatch(assignment: try ints("\(p)_assignment", mA), matched: try floats("\(p)_matched", mA),
                           total: j["\(p == "enc" ? "encoder" : "decoder")_total"]?.doubleValue ?? .nan,
                           maxA: MaxCosine(value: try floats("\(p)_max_a", mA), argmax: try ints("\(p)_argmax_a", mA)),
                           maxB: MaxCosine(value: try floats("\(p)_max_b", mB), argmax: try ints("\(p)_argmax_b", mB)),
                           greedy: try ints("\(p)_greedy", mA), greedyCos: try floats("\(p)_greedy_cos", mA))
        }
        let prov = MatchProvenance(hashA: a["hash"]?.stringValue ?? "", hashB: b["hash"]?.stringValue ?? "",
                                   pathA: a["path"]?.stringValue ?? "", pathB: b["path"]?.stringValue ?? "",
                                   method: j["method"]?.stringValue ?? "", threshold: Float(j["threshold"]?.doubleValue ?? 0.7),
                                   version: j["version"]?.stringValue ?? "")
        var pm = PairMatch(nameA: a["name"]?.stringValue ?? "A", nameB: b["name"]?.stringValue ?? "B", mA: Int(mA), mB: Int(mB),
                           dIn: Int(d), encoder: try dir_("enc"), decoder: try dir_("dec"),
                           method: j["solver"]?.stringValue ?? "", provenance: prov)
        if st.contains("dead_a") { pm.deadA = try ints("dead_a", mA).map { $0 != 0 } }
        if st.contains("dead_b") { pm.deadB = try ints("dead_b", mB).map { $0 != 0 } }
        if st.contains("agree_pearson") {
            pm.agreement = LatentAgreement(pearson: try floats("agree_pearson", mA), coFiring: try ints("agree_co_firing", mA),
                                           topWindowJaccard: try floats("agree_top_jaccard", mA))
        }
        return pm
    }

    /// A stored result in `resultsDir` for inputs with these hashes and method, if one exists and
    /// loads cleanly (the cache lookup).
    public static func cached(in resultsDir: URL, hashA: String, hashB: String, method: String = "exact-lsap") -> PairMatch? {
        let dir = resultsDir.appendingPathComponent(folderName(hashA: hashA, hashB: hashB))
        guard let pm = try? load(from: dir), pm.provenance.hashA == hashA, pm.provenance.hashB == hashB,
              pm.provenance.method == method else { return nil }
        return pm
    }

    /// Per-A-latent rows as CSV (header + mA lines) at threshold `t`.
    public func csv(threshold t: Float = 0.7) -> String {
        let strict = sharedMask(.strict, threshold: t), same = samePartner
        var lines = ["latent,enc_partner,enc_cos,dec_partner,dec_cos,same_partner,enc_max_cos,enc_argmax,dec_max_cos,dec_argmax,greedy_enc_partner,greedy_dec_partner,shared_strict,dead"]
        func f(_ x: Float) -> String { x.isFinite ? String(format: "%.6f", x) : "" }
        for i in 0..<mA {
            lines.append([String(i), String(encoder.assignment[i]), f(encoder.matched[i]), String(decoder.assignment[i]),
                          f(decoder.matched[i]), same[i] ? "1" : "0", f(encoder.maxA.value[i]), String(encoder.maxA.argmax[i]),
                          f(decoder.maxA.value[i]), String(decoder.maxA.argmax[i]), String(encoder.greedy[i]), String(decoder.greedy[i]),
                          strict[i] ? "1" : "0", deadA.map { $0[i] ? "1" : "0" } ?? ""].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Per-A-latent rows as a JSON array at threshold `t`.
    public func latentsJSON(threshold t: Float = 0.7) -> JSONValue {
        let strict = sharedMask(.strict, threshold: t), same = samePartner
        func n(_ x: Float) -> JSONValue { x.isFinite ? .double(Double(x)) : .null }
        return .array((0..<mA).map { i in
            .object([("latent", .int(Int64(i))), ("enc_partner", .int(Int64(encoder.assignment[i]))), ("enc_cos", n(encoder.matched[i])),
                     ("dec_partner", .int(Int64(decoder.assignment[i]))), ("dec_cos", n(decoder.matched[i])),
                     ("same_partner", .bool(same[i])), ("enc_max_cos", n(encoder.maxA.value[i])), ("dec_max_cos", n(decoder.maxA.value[i])),
                     ("shared_strict", .bool(strict[i])), ("dead", deadA.map { .bool($0[i]) } ?? .null)])
        })
    }
}
