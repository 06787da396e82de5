import ArgumentParser
import Foundation
import SAEKit
import Synchronization

struct Match: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Match the latents of two or more SAEs (exact assignment on encoder and decoder directions).",
        discussion: """
        Every pair is matched twice, independently (encoder and decoder directions), with an exact
        maximum-total-cosine assignment; results are stored under --out with provenance and reused when
        the inputs are unchanged. With three or more SAEs the per-latent "in k of N" counts and the pair
        heatmap are printed too.
        """)

    @Argument(help: "SAE checkpoint folders (sparsify/seedscope layout).")
    var saes: [String]

    @Option(help: "Folder for results (pairs/<hashes>/match.{json,safetensors}, latents.csv, consensus.json).")
    var out: String

    @Option(help: "Cosine threshold for the shared criteria (strict: > t).")
    var threshold: Float = 0.7

    @Option(help: "Candidates kept per latent in the streamed pass (exactness does not depend on it).")
    var candidates: Int = 32

    @Option(help: "Solver: auto, dense or sparse (certified). All are exact.")
    var method: String = "auto"

    @Flag(help: "Recompute even when a stored result matches the inputs.")
    var force = false

    @Flag(help: "Machine-readable JSON output.")
    var json = false

    func run() throws {
        try runReportingErrors {
            guard saes.count >= 2 else { throw SeedScopeError.usage("match needs at least two SAE folders") }
            guard threshold.isFinite, candidates >= 1 else { throw SeedScopeError.usage("--threshold must be finite and --candidates ≥ 1") }
            guard let m = PairMatcher.Method(rawValue: method) else { throw SeedScopeError.usage("--method must be auto, dense or sparse") }
            let models = try saes.map { try SAELoader.load(URL(fileURLWithPath: $0)) }
            for i in 1..<models.count { try PairMatcher.validate(models[0], models[i]) }
            var opts = PairMatcher.Options()
            opts.method = m; opts.candidates = candidates; opts.threshold = threshold
            let outDir = URL(fileURLWithPath: out)
            let pairsDir = outDir.appendingPathComponent("pairs")
            let hashes = models.map(SAEFingerprint.of)
            let progress = ProgressLine()
            var pairs: [PairKey: PairMatch] = [:]
            var reused: Set<PairKey> = []
            for i in 0..<models.count {
                for j in (i + 1)..<models.count {
                    let key = PairKey(i, j)
                    if !force, let c = PairMatch.cached(in: pairsDir, hashA: hashes[i], hashB: hashes[j]) {
                        pairs[key] = c; reused.insert(key); continue
                    }
                    let pm = try PairMatcher.match(models[i], models[j], options: opts) { progress.update($0) }
                    progress.finish()
                    let dir = pairsDir.appendingPathComponent(PairMatch.folderName(hashA: hashes[i], hashB: hashes[j]))
                    try pm.save(to: dir)
                    try AtomicFile.write(pm.csv(threshold: threshold), to: dir.appendingPathComponent("latents.csv"))
                    pairs[key] = pm
                }
            }
            let cons = models.count >= 3
                ? Consensus(names: models.map { $0.info.name }, latents: models.map(\.numLatents), pairs: pairs) : nil
            if let cons { try AtomicFile.write(consensusJSON(cons).serialized(pretty: true) + "\n", to: outDir.appendingPathComponent("consensus.json")) }
            if json {
                var kv: [(String, JSONValue)] = [("threshold", .double(Double("\(threshold)") ?? Double(threshold))), ("out", .string(outDir.path))]
                kv.append(("pairs", .array(pairs.keys.sorted { ($0.i, $0.j) < ($1.i, $1.j) }.map { k in
                    var s = pairs[k]!.summaryJSON(threshold: threshold)
                    if case var .object(o) = s { o.append(("reused", .bool(reused.contains(k)))); o.append(("folder", .string(PairMatch.folderName(hashA: hashes[k.i], hashB: hashes[k.j])))); s = .object(o) }
                    return s
                })))
                if let cons { kv.append(("consensus", consensusJSON(cons))) }
                print(JSONValue.object(kv).serialized(pretty: true))
            } else {
                for k in pairs.keys.sorted(by: { ($0.i, $0.j) < ($1.i, $1.j) }) {
                    print(describe(pairs[k]!, reused: reused.contains(k)))
                }
                if let cons { print(describe(cons)) }
                print("results: \(outDir.path)")
            }
        }
    }

    func describe(_ p: PairMatch, reused: Bool) -> String {
        var l = ["\(p.nameA) vs \(p.nameB): \(p.mA)×\(p.mB) latents, d=\(p.dIn), \(p.method)\(reused ? " (stored result reused)" : "")"]
        l.append(String(format: "  alignment (mean matched cos): decoder %.4f  encoder %.4f   mean max cos: decoder %.4f  encoder %.4f",
                        p.decoder.alignment, p.encoder.alignment, p.decoder.meanMaxCos, p.encoder.meanMaxCos))
        l.append(String(format: "  shared at t=%.2f:", threshold))
        for (c, f) in p.summary(threshold: threshold) {
            l.append("    " + c.label.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "%6.2f%%", 100 * f))
        }
        return l.joined(separator: "\n")
    }

    func describe(_ c: Consensus) -> String {
        var l = ["consensus over \(c.count) SAEs (strict criterion, t=\(threshold)), averaged over base SAEs:"]
        for (k, f) in c.inExactlyAveraged(threshold: threshold).enumerated() {
            l.append(String(format: "  in exactly %d of %d: %6.2f%%", k + 1, c.count, 100 * f))
        }
        l.append("  pair heatmap (row's latents shared with column):")
        for (i, row) in c.heatmap(threshold: threshold).enumerated() {
            l.append("    " + c.names[i].padding(toLength: 20, withPad: " ", startingAt: 0) + row.map { String(format: " %5.1f", 100 * $0) }.joined())
        }
        l.append(String(format: "  PW-MCC (mean decoder alignment over pairs): %.4f", c.pwmcc))
        return l.joined(separator: "\n")
    }

    func consensusJSON(_ c: Consensus) -> JSONValue {
        .object([
            ("names", .array(c.names.map { .string($0) })),
            ("threshold", .double(Double("\(threshold)") ?? Double(threshold))),
            ("in_exactly_k_averaged", .array(c.inExactlyAveraged(threshold: threshold).map { .double($0) })),
            ("in_exactly_k_by_base", .array((0..<c.count).map { b in .array(c.inExactly(base: b, threshold: threshold).map { .double($0) }) })),
            ("heatmap", .array(c.heatmap(threshold: threshold).map { .array($0.map { .double($0) }) })),
            ("only_in_one_curve", .array(c.onlyInOneCurve(threshold: threshold).map {
                .object([("n", .int(Int64($0.n))), ("mean", .double($0.mean)), ("std", .double($0.std))]) })),
            ("pwmcc", .double(c.pwmcc)),
        ])
    }
}

/// One progress line on a terminal (rewritten in place), plain lines at each stage otherwise.
final class ProgressLine: Sendable {
    private let state = Mutex<(stage: String, last: Double)>(("", 0))
    private let tty = isatty(STDERR_FILENO) != 0

    func update(_ p: MatchProgress) {
        state.withLock { s in
            let now = Date().timeIntervalSince1970
            let label = "\(p.pair): \(p.stage)"
            if tty {
                guard now - s.last > 0.1 || p.fraction >= 1 else { return }
                s.last = now
                FileHandle.standardError.write(Data(String(format: "\r\u{1B}[K%@ %5.1f%%", label, 100 * p.fraction).utf8))
            } else if label != s.stage {
                s.stage = label
                FileHandle.standardError.write(Data("\(label)\n".utf8))
            }
        }
    }

    func finish() { if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
}
