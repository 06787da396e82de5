import ArgumentParser
import Foundation
import SAEKit
import SeedScopeUI

/// How `seedscope tui WORKSPACE` turns a workspace into the TUI's data provider. The lead's adapter
/// (workspace runs, matching results, profiles, job queue → `ExplorerData`) sets this at merge time.
nonisolated(unsafe) var workspaceExplorerData: ((URL) throws -> ExplorerData)? = { try WorkspaceExplorerData(url: $0) }

struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Interactive explorer: runs, cosine histograms, matched-latent table, latent cards, jobs.",
        discussion: "Keys: ? help, : palette, / search, Enter dive, q back, Q quit. Themes live in Themes/ (or $SEEDSCOPE_THEMES).")

    @Argument(help: "Workspace directory (default: current directory).")
    var workspace: String?

    @Flag(help: "Explore a built-in synthetic workspace (no files needed).")
    var synthetic = false

    @Option(help: "Theme: default, light, high-contrast, monochrome, or a path to a .theme file.")
    var theme = "default"

    @Flag(help: "ASCII glyphs only (also automatic when the locale is not UTF-8).")
    var ascii = false

    @Option(help: "Initial shared threshold τ on the matched cosine.")
    var threshold: Float = 0.7

    @Option(help: "Initial shared criterion: both (matched decoder and encoder cos ≥ τ, the paper's headline), decoder or encoder. Default: both for a workspace, decoder for --synthetic.")
    var criterion: String?

    @Option(help: "Directory that `s` exports into.")
    var exportDir: String?

    func validate() throws {
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be in 0...1, got \(threshold)") }
    }

    func run() throws {
        try runReportingErrors {
            let provider: ExplorerData
            if synthetic {
                provider = SyntheticExplorerData.demo()
            } else {
                let url = URL(fileURLWithPath: workspace ?? FileManager.default.currentDirectoryPath)
                guard let make = workspaceExplorerData else {
                    throw SeedScopeError.usage("tui: workspace support is not built into this binary; run `seedscope tui --synthetic`")
                }
                provider = try make(url)
            }
            var opts = AppOptions()
            opts.ascii = ascii
            opts.threshold = threshold
            let crit = criterion ?? (synthetic ? "decoder" : "both")
            guard let c = Criterion(rawValue: crit) else { throw SeedScopeError.usage("--criterion must be both, decoder or encoder, got \"\(crit)\"") }
            opts.criterion = c
            if let d = exportDir { opts.exportDirectory = d }
            try TUI.run(provider: provider, options: opts, themeName: theme)
        }
    }
}
