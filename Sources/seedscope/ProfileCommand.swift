import ArgumentParser
import Foundation
import SAEKit

struct Profile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile every latent of an SAE over an activation dataset: firing statistics, histograms, top windows, samples.",
        discussion: """
        One streaming pass: the encoder runs in blocks of whole windows and only firing entries touch per-latent \
        state. Writes a memory-mappable profile (default: profile.safetensors inside the SAE folder) that \
        `seedscope latent` and the explorer read.
        """)

    @Argument(help: "SAE checkpoint folder (sparsify/seedscope layout).")
    var sae: String

    @Option(help: "Activation dataset (.safetensors file or folder with activations.safetensors).")
    var data: String

    @Option(help: "Output profile file (default: SAE/profile.safetensors).")
    var out: String?

    @Option(help: "Top-activating windows kept per latent.")
    var top = 20

    @Option(help: "Context tokens stored on each side of an example's max.")
    var context = 10

    @Option(help: "Firing frequency below which a latent is flagged ultra-rare.")
    var rare = 1e-5

    @Option(help: "Firing frequency above which a latent is flagged ultra-dense.")
    var dense = 0.1

    @Flag(help: "Machine-readable JSON summary.")
    var json = false

    func run() throws {
        try runReportingErrors {
            let model = try SAELoader.load(URL(fileURLWithPath: sae))
            let ds = try ActivationDataset(path: data)
            var cfg = ProfileConfig()
            cfg.topK = top; cfg.context = context; cfg.ultraRareFrequency = rare; cfg.ultraDenseFrequency = dense
            let outURL = URL(fileURLWithPath: out ?? URL(fileURLWithPath: sae).appendingPathComponent("profile.safetensors").path)
            let dir = outURL.deletingLastPathComponent().path
            guard FileManager.default.isWritableFile(atPath: dir) || !FileManager.default.fileExists(atPath: dir) else {
                throw SeedScopeError.io(file: outURL.path, message: "folder is not writable; choose another place with --out")
            }
            let showProgress = isatty(2) != 0 && !json
            var lastShown = -1
            let store = try Profiler.profile(model, dataset: ds, config: cfg) { p in
                let pct = Int(p.fraction * 100)
                if showProgress && pct != lastShown {
                    lastShown = pct
                    FileHandle.standardError.write(Data("\rprofiling \(pct)% (\(p.rowsDone)/\(p.rowsTotal) rows)".utf8))
                }
                return true
            }
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            try store.write(to: outURL)
            print(profileSummary(store, path: outURL.path, json: json))
        }
    }
}

/// A few lines (or a JSON object) describing a profile.
func profileSummary(_ s: ProfileStore, path: String, json: Bool) -> String {
    let m = s.numLatents
    var dead = 0, rare = 0, dense = 0
    for j in 0..<m {
        let f = s.flags(j)
        if f.contains(.dead) { dead += 1 }
        if f.contains(.ultraRare) { rare += 1 }
        if f.contains(.ultraDense) { dense += 1 }
    }
    let secs = s.header["seconds"]?.doubleValue ?? 0
    if json {
        return JSONValue.object([("profile", .string(path)), ("latents", .int(Int64(m))), ("tokens", .int(Int64(s.tokenCount))),
                                 ("dead", .int(Int64(dead))), ("ultra_rare", .int(Int64(rare))), ("ultra_dense", .int(Int64(dense))),
                                 ("header", s.header)]).serialized(pretty: true)
    }
    let name = s.header["sae"]?["name"]?.stringValue ?? ""
    return [
        "profile of \(name.isEmpty ? (s.header["sae"]?["path"]?.stringValue ?? "?") : name) → \(path)",
        String(format: "  %d latents over %d tokens (%d windows of %d) in %.2f s (%.0f tokens/s)", m, s.tokenCount,
               Int(s.header["dataset"]?["windows"]?.intValue ?? 0), s.windowLength, secs, secs > 0 ? Double(s.tokenCount) / secs : 0),
        String(format: "  dead %d (%.1f%%), ultra-rare %d, ultra-dense %d", dead, 100 * Double(dead) / Double(max(1, m)), rare, dense),
    ].joined(separator: "\n")
}
