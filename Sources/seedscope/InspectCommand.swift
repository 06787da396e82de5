import ArgumentParser
import Foundation
import SAEKit

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe a safetensors file: tensors, dtypes, shapes, metadata (and --stats).")

    @Argument(help: "A .safetensors file.")
    var path: String

    @Flag(help: "Also print min/max/mean/NaN count per tensor.")
    var stats = false

    @Flag(help: "Machine-readable JSON output.")
    var json = false

    @Option(name: .customLong("text"), help: "Dataset: print the decoded text of tokens A:B (B exclusive), exactly as the tokenizer decodes.")
    var textRange: String?

    @Flag(name: .customLong("tokens"), help: "Dataset: one token per line (row, id, display form) for --text A:B or the first window.")
    var tokenLines = false

    func run() throws {
        try runReportingErrors {
            if looksLikeSAE(path) { print(try describeSAE(path: path, json: json)); return }
            if InspectDataset.handles(path) { return try InspectDataset.run(path: path, text: textRange, tokens: tokenLines, json: json) }
            let f = try SafetensorsFile(path: path)
            print(try describeSafetensors(f, stats: stats, json: json))
        }
    }
}

func describeSafetensors(_ f: SafetensorsFile, stats: Bool, json: Bool) throws -> String {
    if json {
        var ts: [JSONValue] = []
        for t in f.tensors {
            var kv: [(String, JSONValue)] = [("name", .string(t.name)), ("dtype", .string(t.dtype.rawValue)),
                                             ("shape", .array(t.shape.map { .int(Int64($0)) })), ("bytes", .int(Int64(t.byteCount)))]
            if stats {
                let s = try f.stats(t.name)
                kv += [("min", .double(s.min)), ("max", .double(s.max)), ("mean", .double(s.mean)), ("nan", .int(Int64(s.nanCount)))]
            }
            ts.append(.object(kv))
        }
        let meta = JSONValue.object((f.metadata ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
        return JSONValue.object([("file", .string(f.path)), ("tensors", .array(ts)), ("metadata", meta)]).serialized(pretty: true)
    }
    var lines = ["\(f.path): safetensors, \(f.tensors.count) tensors, header \(f.dataStart - 8) bytes"]
    let w = max(4, f.tensors.map(\.name.count).max() ?? 4)
    lines.append("  " + "name".padding(toLength: w, withPad: " ", startingAt: 0) + "  dtype  shape                 bytes" + (stats ? "          min          max         mean    NaN" : ""))
    for t in f.tensors {
        var l = "  " + t.name.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + t.dtype.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)
        let shape = "[" + t.shape.map(String.init).joined(separator: ", ") + "]"
        l += "  " + shape.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: "%9d", t.byteCount)
        if stats {
            if t.dtype.isSupported {
                let s = try f.stats(t.name)
                l += String(format: "  %11.4g  %11.4g  %11.4g  %5d", s.min, s.max, s.mean, s.nanCount)
            } else { l += "  (unsupported dtype)" }
        }
        lines.append(l)
    }
    if let m = f.metadata, !m.isEmpty {
        lines.append("metadata:")
        for (k, v) in m.sorted(by: { $0.key < $1.key }) {
            let short = v.count > 200 ? String(v.prefix(200)) + "…" : v
            lines.append("  \(k): \(short)")
        }
    }
    return lines.joined(separator: "\n")
}
