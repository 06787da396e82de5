import Foundation

extension RunReport {
    /// The JSON report (schema `seedscope.report/1`).
    public func json() throws -> String {
        String(decoding: try WorkspaceJSON.encoder().encode(self), as: UTF8.self)
    }

    /// One row per pair: seeds, threshold, each criterion's fraction (all latents, then alive-only when
    /// profiled), alignment scores, dead counts.
    public func csv() -> String {
        var header = ["seed_a", "seed_b", "threshold"] + PairSummary.criterionNames
        header += PairSummary.criterionNames.map { "\($0)_alive" }
        header += ["align_decoder", "align_encoder", "dead_a", "dead_b", "latents_a", "latents_b", "method"]
        var lines = [header.joined(separator: ",")]
        func f(_ x: Double?) -> String { x.map { String(format: "%.6f", $0) } ?? "" }
        for p in pairs {
            var row = [String(p.seeds.first ?? -1), String(p.seeds.last ?? -1), f(p.threshold)]
            row += PairSummary.criterionNames.map { f(p.criteria[$0]?.fraction) }
            row += PairSummary.criterionNames.map { f(p.criteriaAlive?[$0]?.fraction) }
            row += [f(p.alignment.decoder), f(p.alignment.encoder), p.dead.map { String($0[0]) } ?? "",
                    p.dead.map { String($0[1]) } ?? "", String(p.latents.first ?? 0), String(p.latents.last ?? 0),
                    "\"" + p.method.replacingOccurrences(of: "\"", with: "\"\"") + "\""]
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The Markdown report.
    public func markdown() -> String {
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "–" }
        func num(_ x: Double?, _ fmt: String = "%.4g") -> String { x.map { String(format: fmt, $0) } ?? "–" }
        func int(_ x: Int?) -> String { x.map(String.init) ?? "–" }
        var o: [String] = []
        o.append("# Run \(run)")
        o.append("")
        o.append("- kind: \(kind.rawValue); architecture: \(architecture)\(k.map { ", k=\($0)" } ?? "")\(latents.map { ", \($0) latents" } ?? "")")
        o.append("- seeds: \(seeds.map { String($0.seed) }.joined(separator: ", ")); shared threshold t = \(threshold)")
        if let d = dataset { o.append("- dataset: \(d)") }
        o.append("")
        o.append("## Training")
        o.append("")
        o.append("| seed | status | latents | d | source | steps | final loss | FVU | dead frac | seconds |")
        o.append("|---:|---|---:|---:|---|---:|---:|---:|---:|---:|")
        for s in seeds {
            let t = s.training
            o.append("| \(s.seed) | \(s.status) | \(int(s.latents)) | \(int(s.dIn)) | \(t?.source ?? "–") | \(int(t?.steps)) | \(num(t?.finalLoss)) | \(num(t?.fvu)) | \(pct(t?.deadFraction)) | \(num(t?.seconds, "%.1f")) |")
        }
        if seeds.contains(where: { $0.training?.groundTruthRecovered != nil }) {
            o.append("")
            o.append("Ground truth (synthetic data): true features recovered (a decoder row with cosine > 0.9): " +
                     seeds.map { "seed \($0.seed) \(pct($0.training?.groundTruthRecovered))" }.joined(separator: ", "))
        }
        if seeds.contains(where: { $0.profile != nil }) {
            o.append("")
            o.append("## Dead latents (never fired on the profiling tokens)")
            o.append("")
            o.append("| seed | tokens | dead | dead % | mean L0 |")
            o.append("|---:|---:|---:|---:|---:|")
            for s in seeds { if let p = s.profile {
                o.append("| \(s.seed) | \(p.tokens) | \(p.dead) | \(pct(Double(p.dead) / Double(max(p.latents, 1)))) | \(num(p.meanL0)) |")
            } }
        }
        o.append("")
        o.append("## Pairwise matching")
        o.append("")
        if pairs.isEmpty {
            o.append("No pair has been matched yet.")
        } else {
            o.append("Fractions of seed A's latents at t = \(threshold). shared = matched decoder cos > t and matched encoder cos > t;")
            o.append("equal+t = same partner in both assignments, both > t; agree = same partner, no threshold; dec-only = matched decoder cos > t;")
            o.append("max-cos = max decoder and max encoder cos > t (no one-to-one matching). Alignment = mean matched cosine.")
            o.append("")
            o.append("| pair | shared | equal+t | agree | dec-only | max-cos | align dec | align enc | method |")
            o.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
            for p in pairs {
                let c = PairSummary.criterionNames.map { pct(p.criteria[$0]?.fraction) }.joined(separator: " | ")
                o.append("| \(p.seeds.map(String.init).joined(separator: "–")) | \(c) | \(num(p.alignment.decoder, "%.3f")) | \(num(p.alignment.encoder, "%.3f")) | \(p.method) |")
            }
            if let a = averages {
                let c = PairSummary.criterionNames.map { pct(a.criteria[$0]) }.joined(separator: " | ")
                o.append("| **mean** | \(c) | \(num(a.pwMcc, "%.3f")) | \(num(a.encoderAlignment, "%.3f")) | |")
                o.append("")
                o.append("PW-MCC (decoder alignment averaged over \(pairs.count) pairs): \(num(a.pwMcc, "%.4f"))")
            }
            if pairs.contains(where: { $0.criteriaAlive != nil }) {
                o.append("")
                o.append("Excluding dead latents:")
                o.append("")
                o.append("| pair | shared | equal+t | agree | dec-only | max-cos | dead A | dead B |")
                o.append("|---|---:|---:|---:|---:|---:|---:|---:|")
                for p in pairs { if let ca = p.criteriaAlive {
                    let c = PairSummary.criterionNames.map { pct(ca[$0]?.fraction) }.joined(separator: " | ")
                    o.append("| \(p.seeds.map(String.init).joined(separator: "–")) | \(c) | \(int(p.dead?.first)) | \(int(p.dead?.last)) |")
                } }
            }
        }
        o.append("")
        o.append("## Consensus across \(seeds.count) seeds")
        o.append("")
        if let c = consensus {
            let n = c.seeds.count
            o.append("Per base SAE: number of latents \(c.criterion) (pairwise) with exactly j others, as \"in j+1 of \(n)\".")
            o.append("")
            o.append("| base seed | " + (0..<n).map { $0 == 0 ? "only in 1" : ($0 == n - 1 ? "in all \(n)" : "in \($0 + 1)") }.joined(separator: " | ") + " |")
            o.append("|---:|" + String(repeating: "---:|", count: n))
            for b in c.bases {
                let cells = (0..<n).map { j -> String in
                    let v = j < b.sharedIn.count ? b.sharedIn[j] : 0
                    return "\(v) (\(pct(Double(v) / Double(max(b.latents, 1)))))"
                }
                o.append("| \(b.seed) | " + cells.joined(separator: " | ") + " |")
            }
        } else {
            o.append("No consensus yet.")
        }
        let missing = unfinished
        if !missing.isEmpty {
            o.append("")
            o.append("## Unfinished jobs")
            o.append("")
            for j in missing { o.append("- \(j.job): \(j.status)\(j.error.map { " — \($0)" } ?? "")") }
        }
        o.append("")
        o.append("_seedscope \(seedscopeVersion)_")
        return o.joined(separator: "\n") + "\n"
    }
}
