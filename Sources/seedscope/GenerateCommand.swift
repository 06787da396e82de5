import ArgumentParser
import Foundation
import SAEKit

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a synthetic activation dataset with known (ground-truth) features.",
        discussion: """
        Each token is x = Σ a_i m_i f_i + σ ε with unit directions f_i, power-law firing frequencies and \
        magnitudes m_i ~ U(0.5, 1.5). Token text names the dominant active feature ("f12"), so \
        top-activating windows read meaningfully. OUT gets activations.safetensors (with true_directions, \
        frequencies) and tokenizer.json.
        """)

    @Option(name: .customLong("out"), help: "Output folder.") var out: String
    @Option(name: .customLong("d"), help: "Activation width d.") var dim = 64
    @Option(help: "Number of true features F.") var features = 512
    @Option(help: "Mean number of active features per token.") var l0 = 8.0
    @Option(help: "Number of tokens N (whole windows).") var tokens = 65_536
    @Option(name: .customLong("ctx"), help: "Tokens per window T.") var ctx = 64
    @Option(help: "Random seed (directions and data).") var seed: UInt64 = 0
    @Flag(help: "Feature families (parent + 3 children) and co-occurring pairs.") var families = false
    @Option(help: "Noise standard deviation σ per dimension.") var noise: Float = 0.05
    @Option(help: "Power-law exponent of feature frequencies.") var alpha = 0.5
    @Option(name: .customLong("max-cosine"), help: "Maximum |cosine| between independent directions (0 = orthogonal, needs F ≤ d).")
    var maxCosine: Float?
    @Option(help: "Activation dtype: f32 or f16.") var dtype = "f32"
    @Flag(help: "Machine-readable JSON output.") var json = false

    func run() throws {
        try runReportingErrors {
            var c = SyntheticConfig()
            c.dim = dim; c.features = features; c.meanL0 = l0; c.tokens = tokens; c.windowLength = ctx
            c.seed = seed; c.families = families; c.noise = noise; c.alpha = alpha; c.maxCosine = maxCosine
            guard let dt: DType = ["f32": .F32, "f16": .F16, "bf16": .BF16][dtype.lowercased()] else {
                throw SeedScopeError.usage("--dtype must be f32, f16 or bf16")
            }
            let ds = try SyntheticGenerator.generate(c)
            let dir = URL(fileURLWithPath: out)
            try ds.write(to: dir, dtype: dt)
            let n = ds.activations.rows
            let l0 = Double(ds.activeFeatures.count) / Double(n)
            let path = dir.appendingPathComponent("activations.safetensors").path
            if json {
                print(JSONValue.object([("path", .string(path)), ("rows", .int(Int64(n))), ("dim", .int(Int64(dim))),
                                        ("features", .int(Int64(features))), ("mean_l0", .double(l0))]).serialized())
            } else {
                print("wrote \(path): \(n / ctx) windows × \(ctx) tokens, d = \(dim), \(features) true features, "
                      + String(format: "mean L0 %.2f, noise σ %g", l0, noise) + (families ? ", families" : ""))
            }
        }
    }
}
