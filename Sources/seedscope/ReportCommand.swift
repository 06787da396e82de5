import ArgumentParser
import Foundation
import SAEKit

/// `seedscope report RUN`: the run's summary from whatever its phases wrote.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise a run: shared fractions under every criterion, alignment, N-seed distribution, dead latents, training metrics.")

    @Argument(help: "The run.") var runName: String
    @OptionGroup var ws: WorkspaceOption
    @Option(help: "md, json or csv (csv: one row per pair).") var format: String = "md"
    @Flag(help: "Same as --format json.") var json = false
    @Option(help: "Write to this file (atomically) instead of standard output.") var out: String?

    func run() throws {
        try runReportingErrors {
            let fmt = json ? "json" : format.lowercased()
            guard ["md", "markdown", "json", "csv"].contains(fmt) else { throw SeedScopeError.usage("--format must be md, json or csv") }
            let w = try Workspace.open(ws.url, mode: .readOnly)
            let r = try RunReport.build(workspace: w, run: runName)
            let text: String
            switch fmt {
            case "json": text = try r.json() + "\n"
            case "csv": text = r.csv()
            default: text = r.markdown()
            }
            if let out { try AtomicFile.write(text, to: URL(fileURLWithPath: out)) } else { print(text, terminator: "") }
        }
    }
}
