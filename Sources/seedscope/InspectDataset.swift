import Foundation
import SAEKit

/// `seedscope inspect DATASET [--text A:B] [--tokens] [--json]`: an activation dataset's summary, the
/// exact decoded text of a token range, or one token per line with its id and display form.
enum InspectDataset {
    /// Whether `path` is an activation dataset (folder with activations.*, an .npy, or a safetensors
    /// file holding an `activations` tensor) rather than an SAE or a plain tensor file.
    static func handles(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return false }
        if isDir.boolValue {
            return ["activations.safetensors", "activations.npy"].contains {
                FileManager.default.fileExists(atPath: URL(fileURLWithPath: path).appendingPathComponent($0).path)
            }
        }
        if path.hasSuffix(".npy") { return true }
        return (try? SafetensorsFile(path: path))?.contains("activations") ?? false
    }

    /// Parses "A:B" (half-open flat token positions, Python-style; either side may be omitted).
    static func range(_ spec: String, count: Int) throws -> Range<Int> {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let lo = parts[0].isEmpty ? 0 : Int(parts[0]), let hi = parts[1].isEmpty ? count : Int(parts[1]),
              lo >= 0, lo <= hi, hi <= count else {
            throw SeedScopeError.usage("--text takes A:B with 0 ≤ A ≤ B ≤ \(count) (token positions, B exclusive), got \"\(spec)\"")
        }
        return lo..<hi
    }

    static func run(path: String, text: String?, tokens: Bool, json: Bool) throws {
        let ds = try ActivationDataset(path: path)
        if text != nil || tokens {
            guard let ids = ds.tokens else { throw SeedScopeError.invalid(file: ds.path, message: "dataset has no tokens") }
            let tok = try ds.tokenizer
            let r = try range(text ?? "0:\(min(ids.count, ds.windowLength ?? 64))", count: ids.count)
            let slice = Array(ids[r])
            if tokens {
                let forms = tok.displayForms(slice)
                if json {
                    let rows = zip(r, zip(slice, forms)).map { row, p in
                        JSONValue.object([("row", .int(Int64(row))), ("id", .int(Int64(p.0))),
                                          ("text", .string(tok.decode([p.0]))), ("display", .string(p.1))])
                    }
                    print(JSONValue.array(rows).serialized(pretty: true))
                } else {
                    for (row, p) in zip(r, zip(slice, forms)) {
                        print(String(format: "%8d  %6d  ", row, Int(p.0)) + p.1)
                    }
                }
                return
            }
            let s = tok.decode(slice)
            if json {
                print(JSONValue.object([("range", .array([.int(Int64(r.lowerBound)), .int(Int64(r.upperBound))])), ("text", .string(s))]).serialized())
            } else {
                // Exactly the decoded text; a newline is added only for a terminal, so pipes get the bytes.
                FileHandle.standardOutput.write(Data(s.utf8))
                if isatty(1) != 0 && !s.hasSuffix("\n") { print("") }
            }
            return
        }
        print(try describe(ds, json: json))
    }

    static func describe(_ ds: ActivationDataset, json: Bool) throws -> String {
        let s = try ds.summary()
        var tokInfo = "none beside the dataset"
        var tokJSON: JSONValue = .null
        if FileManager.default.fileExists(atPath: ds.tokenizerPath) {
            let t = try ds.tokenizer
            tokInfo = "\(t.modelType.rawValue), \(t.vocabSize) ids (\(ds.tokenizerPath))"
            tokJSON = .object([("path", .string(ds.tokenizerPath)), ("model", .string(t.modelType.rawValue)), ("vocab_size", .int(Int64(t.vocabSize)))])
        }
        if json {
            func d(_ x: Double) -> JSONValue { x.isFinite ? .double(x) : .null }
            return JSONValue.object([
                ("path", .string(ds.path)), ("rows", .int(Int64(s.rows))), ("dim", .int(Int64(s.dim))),
                ("windows", s.windows.map { .int(Int64($0)) } ?? .null), ("window_length", s.windowLength.map { .int(Int64($0)) } ?? .null),
                ("dtype", .string(s.dtype.rawValue)), ("usable_rows", .int(Int64(s.usableRows))),
                ("excluded_positions", .array(s.excludedPositions.map { .int(Int64($0)) })),
                ("token_range", s.tokenRange.map { .array([.int(Int64($0.lowerBound)), .int(Int64($0.upperBound))]) } ?? .null),
                ("norms", .object([("min", d(s.normMin)), ("median", d(s.normMedian)), ("mean", d(s.normMean)),
                                   ("p99", d(s.normP99)), ("max", d(s.normMax)), ("excluded_mean", s.excludedNormMean.map(d) ?? .null)])),
                ("top_dim", .int(Int64(s.topDim))), ("top_dim_variance_share", d(s.topDimVarianceShare)),
                ("sampled_rows", .int(Int64(s.sampledRows))), ("tokenizer", tokJSON),
                ("metadata", .object(ds.metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ]).serialized(pretty: true)
        }
        var l = ["\(ds.path): activation dataset"]
        let shape = s.windows.map { "\($0) windows × \(s.windowLength!) tokens = \(s.rows) rows" } ?? "\(s.rows) rows (no windows)"
        l.append("  rows        \(shape), d = \(s.dim), \(s.dtype.rawValue)")
        l.append("  excluded    positions \(s.excludedPositions.isEmpty ? "none" : s.excludedPositions.map(String.init).joined(separator: ", ")); \(s.usableRows) usable rows")
        if let t = s.tokenRange { l.append("  tokens      ids \(t.lowerBound)…\(t.upperBound)") } else { l.append("  tokens      none") }
        l.append("  tokenizer   \(tokInfo)")
        l.append(String(format: "  row norms   min %.4g  median %.4g  mean %.4g  p99 %.4g  max %.4g  (%d usable rows)",
                        s.normMin, s.normMedian, s.normMean, s.normP99, s.normMax, s.sampledRows))
        if let e = s.excludedNormMean { l.append(String(format: "              excluded positions: mean norm %.4g", e)) }
        l.append(String(format: "  variance    top dimension %d holds %.1f%% of the variance", s.topDim, 100 * s.topDimVarianceShare))
        if !ds.metadata.isEmpty {
            l.append("metadata:")
            for (k, v) in ds.metadata.sorted(by: { $0.key < $1.key }) { l.append("  \(k): \(v.count > 200 ? String(v.prefix(200)) + "…" : v)") }
        }
        return l.joined(separator: "\n")
    }
}
