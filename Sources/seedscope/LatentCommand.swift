import ArgumentParser
import Foundation
import SAEKit

struct Latent: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one latent's card: statistics, histogram and top windows with the firing tokens marked.",
        discussion: """
        Firing tokens are shown as «token» and the window's max as [[token]]. Reads SAE/profile.safetensors \
        (or --profile); with --data and no stored profile it profiles on the fly.
        """)

    @Argument(help: "SAE checkpoint folder.")
    var sae: String

    @Argument(help: "Latent index.")
    var id: Int

    @Option(help: "Profile file (default: SAE/profile.safetensors).")
    var profile: String?

    @Option(help: "Activation dataset, to profile on the fly when there is no stored profile.")
    var data: String?

    @Option(help: "Top windows to print.")
    var top = 20

    @Flag(help: "Machine-readable JSON card.")
    var json = false

    func run() throws {
        try runReportingErrors {
            let model = try SAELoader.load(URL(fileURLWithPath: sae))
            let defaultPath = URL(fileURLWithPath: sae).appendingPathComponent("profile.safetensors").path
            let store: ProfileStore
            if let p = profile ?? (FileManager.default.fileExists(atPath: defaultPath) ? defaultPath : nil) {
                store = try ProfileStore(url: URL(fileURLWithPath: p))
                let want = Fingerprint.of(model), have = store.header["sae"]?["fingerprint"]?.stringValue ?? "?"
                guard want == have else {
                    throw SeedScopeError.invalid(file: p, message: "profile was made from a different SAE (fingerprint \(have), \(sae) has \(want))")
                }
            } else if let d = data {
                store = try Profiler.profile(model, dataset: try ActivationDataset(path: d))
            } else {
                throw SeedScopeError.usage("no profile at \(defaultPath): run `seedscope profile \(sae) --data DATASET` or pass --profile/--data")
            }
            guard id >= 0 && id < store.numLatents else {
                throw SeedScopeError.usage("latent \(id) out of range 0..<\(store.numLatents)")
            }
            let card = store.card(id)
            let decoder = TokenText.beside(dataset: data ?? store.header["dataset"]?["path"]?.stringValue)
            if json { print(cardJSON(card, decode: decoder.decode).serialized(pretty: true)) }
            else { print(card.text(decode: decoder.decode, maxTop: top)) }
        }
    }

    func cardJSON(_ c: LatentCard, decode: (Int32) -> String) -> JSONValue {
        func ex(_ e: ProfileExample) -> JSONValue {
            .object([("window", .int(Int64(e.window))), ("max_position", .int(Int64(e.maxPosition))),
                     ("max_activation", .double(Double(e.maxActivation))), ("span_start", .int(Int64(e.spanStart))),
                     ("tokens", .array(e.spanTokens.map { .int(Int64($0)) })),
                     ("text", .array(e.spanTokens.map { .string($0 < 0 ? "" : decode($0)) })),
                     ("activations", .array(e.activations.map { .double(Double($0)) })),
                     ("marked", .string(e.markedText(decode: decode)))])
        }
        func group(_ g: ExampleGroup) -> JSONValue {
            .object([("lower", .double(Double(g.lower))), ("upper", .double(Double(g.upper))), ("fraction", .double(g.fraction)),
                     ("examples", .array(g.examples.map(ex)))])
        }
        let s = c.stats
        return .object([
            ("latent", .int(Int64(s.latent))), ("count", .int(Int64(s.count))), ("windows", .int(Int64(s.windowCount))),
            ("tokens", .int(Int64(s.tokens))), ("frequency", .double(s.frequency)), ("max", .double(Double(s.max))),
            ("mean_when_firing", .double(s.meanWhenFiring)), ("mean", .double(s.mean)), ("std", .double(s.std)),
            ("flags", .array(c.flags.names.map { .string($0) })),
            ("histogram", .object([("edges", .array(c.histogramEdges.map { $0.isFinite ? .double($0) : .string("inf") })),
                                   ("counts", .array(c.histogram.map { .int(Int64($0)) }))])),
            ("top", .array(c.top.prefix(top).map(ex))),
            ("intervals", .array(c.intervals.map(group))), ("quantiles", .array(c.quantiles.map(group))),
        ])
    }
}

/// Token text for cards: the dataset's `tokenizer.json` (SAEKit `Tokenizer`, exact HF decoding of each
/// id); without one, ids print as `#id`.
struct TokenText {
    var tokenizer: Tokenizer? = nil

    func decode(_ id: Int32) -> String {
        guard let t = tokenizer, id >= 0, Int(id) < t.vocabSize else { return "#\(id)" }
        return t.decode([Int(id)])
    }

    static func beside(dataset: String?) -> TokenText {
        guard let d = dataset else { return TokenText() }
        return TokenText(tokenizer: try? Tokenizer(path: ActivationDataset.tokenizerPath(forDataset: d)))
    }
}
