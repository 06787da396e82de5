import ArgumentParser
import Foundation
import SAEKit

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconstruction quality of an SAE on activations: FVU (sparsify's definition), MSE, L0, dead latents.")

    @Argument(help: "SAE folder (sparsify, seedscope, SAELens) or Gemma Scope params.npz.")
    var sae: String

    @Option(help: "Activation dataset (.safetensors with `activations`, or a folder holding activations.safetensors).")
    var data: String

    @Option(help: "Evaluate at most this many tokens (the first usable ones).")
    var maxTokens: Int?

    @Option(help: "Tokens per block.")
    var batch: Int = 1024

    @Flag(help: "Machine-readable JSON output.")
    var json = false

    func run() throws {
        try runReportingErrors {
            guard batch > 0 else { throw SeedScopeError.usage("--batch must be positive") }
            if let n = maxTokens, n <= 0 { throw SeedScopeError.usage("--max-tokens must be positive") }
            let model = try SAELoader.load(URL(fileURLWithPath: sae))
            let ds = try ActivationDataset(path: data)
            var rows = ds.usableRows
            if let n = maxTokens, n < rows.count { rows = Array(rows.prefix(n)) }
            guard !rows.isEmpty else { throw SeedScopeError.invalid(file: ds.path, message: "no usable rows to evaluate") }
            let start = Date()
            let r = try SAEEvaluator.evaluate(model, source: ds, rows: rows, blockRows: batch)
            let secs = Date().timeIntervalSince(start)
            if json {
                let out: JSONValue = .object([
                    ("sae", .string(model.info.path)), ("format", .string(model.info.format)), ("data", .string(ds.path)),
                    ("tokens", .int(Int64(r.tokens))), ("excluded_positions", .array(ds.excludedPositions.sorted().map { .int(Int64($0)) })),
                    ("fvu", .double(r.fvu)), ("fraction_variance_explained", .double(r.fractionVarianceExplained)),
                    ("mse", .double(r.mse)), ("mse_per_token", .double(r.msePerToken)), ("l0", .double(r.l0)),
                    ("dead_latents", .int(Int64(r.deadLatents))), ("dead_fraction", .double(r.deadFraction)),
                    ("m", .int(Int64(r.numLatents))), ("d", .int(Int64(r.dim))), ("seconds", .double(secs)),
                ])
                print(out.serialized(pretty: true))
            } else {
                let excl = ds.excludedPositions.isEmpty ? "" : " (positions \(ds.excludedPositions.sorted().map(String.init).joined(separator: ",")) excluded)"
                print("\(model.info.name) [\(model.info.format), \(model.architecture.rawValue), m=\(model.numLatents), d=\(model.dIn)] on \(ds.path): \(r.tokens) tokens\(excl)")
                print(String(format: "  FVU %.5f   variance explained %.5f", r.fvu, r.fractionVarianceExplained))
                print(String(format: "  MSE %.6g per element, %.6g per token", r.mse, r.msePerToken))
                print(String(format: "  L0 %.2f   dead %d/%d (%.2f%%)   %.2fs", r.l0, r.deadLatents, r.numLatents, 100 * r.deadFraction, secs))
            }
        }
    }
}
