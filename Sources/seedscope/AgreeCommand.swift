import ArgumentParser
import Foundation
import SAEKit

struct Agree: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Activation agreement of latent pairs from two SAEs: Pearson correlation over the profiled tokens, co-firing count, top-window overlap.",
        discussion: """
        Complements the weight cosines of `seedscope match`: two latents whose directions match should \
        also fire on the same tokens. Pairs come from --pair A:B (repeatable) or, by default, from the \
        exact assignment on decoder (or --directions encoder) cosines of the two SAEs. One pass over \
        --data encodes with both SAEs; --csv writes every pair.
        """)

    @Argument(help: "First SAE checkpoint folder.")
    var a: String

    @Argument(help: "Second SAE checkpoint folder.")
    var b: String

    @Option(help: "Activation dataset to compare on.")
    var data: String

    @Option(name: .customLong("pair"), help: "A latent pair A:B (repeatable); default: all matched pairs.")
    var pairs: [String] = []

    @Option(help: "Directions whose assignment gives the pairs: decoder or encoder.")
    var directions = "decoder"

    @Option(help: "Pairs to print, highest correlation first (all go to --csv).")
    var limit = 20

    @Option(help: "CSV file for every pair (written atomically).")
    var csv: String?

    @Flag(help: "Machine-readable JSON output.")
    var json = false

    func run() throws {
        try runReportingErrors {
            guard directions == "decoder" || directions == "encoder" else { throw SeedScopeError.usage("--directions must be decoder or encoder") }
            let sa = try SAELoader.load(URL(fileURLWithPath: a)), sb = try SAELoader.load(URL(fileURLWithPath: b))
            try PairMatcher.validate(sa, sb)
            let ds = try ActivationDataset(path: data)
            var list: [LatentPair] = []
            for p in pairs {
                let f = p.split(separator: ":").map { Int($0) }
                guard f.count == 2, let i = f[0], let j = f[1] else { throw SeedScopeError.usage("--pair must look like 12:40 (got \(p))") }
                list.append(LatentPair(a: i, b: j))
            }
            if list.isEmpty {
                let pm = try PairMatcher.match(sa, sb)
                let asg = directions == "decoder" ? pm.decoder.assignment : pm.encoder.assignment
                list = AgreementRequest(a: 0, b: 1, assignment: asg).pairs
            }
            let input = ProfileInput(dataset: ds)
            let r = try ActivationAgreement.compute(sa, sb, pairs: list, input: input)
            let rows = r.agreements
            let order = rows.indices.sorted { (rows[$0].pearson ?? -2) > (rows[$1].pearson ?? -2) }
            let defined = rows.compactMap(\.pearson)
            let mean = defined.isEmpty ? Double.nan : defined.reduce(0, +) / Double(defined.count)
            if let csv {
                var s = "latent_a,latent_b,pearson,co_firing,top_window_jaccard\n"
                for x in rows { s += "\(x.a),\(x.b),\(x.pearson.map { "\($0)" } ?? ""),\(x.coFiring),\(x.topWindowJaccard.map { "\($0)" } ?? "")\n" }
                try AtomicFile.write(s, to: URL(fileURLWithPath: csv))
            }
            if json {
                func num(_ v: Double?) -> JSONValue { v.map { .double($0) } ?? .null }
                print(JSONValue.object([
                    ("pairs", .int(Int64(rows.count))), ("tokens", .int(Int64(input.profiledTokenCount))),
                    ("mean_pearson", num(mean.isNaN ? nil : mean)),
                    ("agreements", .array(order.map { i in
                        .object([("a", .int(Int64(rows[i].a))), ("b", .int(Int64(rows[i].b))), ("pearson", num(rows[i].pearson)),
                                 ("co_firing", .int(Int64(rows[i].coFiring))), ("top_window_jaccard", num(rows[i].topWindowJaccard))])
                    })),
                ]).serialized(pretty: true))
                return
            }
            print("\(rows.count) pairs over \(input.profiledTokenCount) tokens; mean Pearson \(String(format: "%.3f", mean)) (\(defined.count) with both latents alive)")
            print("  latent A  latent B   Pearson  co-firing  top-window Jaccard")
            for i in order.prefix(max(0, limit)) {
                let x = rows[i]
                func pad(_ t: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - t.count)) + t }
                let pr = x.pearson.map { String(format: "%.3f", $0) } ?? "—"
                let jc = x.topWindowJaccard.map { String(format: "%.2f", $0) } ?? "—"
                print("  " + pad("\(x.a)", 8) + "  " + pad("\(x.b)", 8) + "  " + pad(pr, 8) + "  " + pad("\(x.coFiring)", 9) + "  " + pad(jc, 18))
            }
        }
    }
}
