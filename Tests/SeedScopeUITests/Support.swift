import Foundation
import Testing
@testable import SeedScopeUI

/// Shared helpers: a frozen-clock demo provider, an app driven by key scripts, and text snapshots.
enum UITest {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    static var recording: Bool { ProcessInfo.processInfo.environment["SEEDSCOPE_RECORD_SNAPSHOTS"] == "1" }

    static func provider() -> SyntheticExplorerData { SyntheticExplorerData.demo(clock: { 1000 }) }

    static func theme(_ name: String = "default") throws -> Theme {
        try Theme.load(name, searchPaths: [root.appendingPathComponent("Themes").path])
    }

    /// An app of the given size with `ticks` poll ticks already delivered (the Runs view loads runs on ticks).
    static func app(_ w: Int = 120, _ h: Int = 35, provider p: ExplorerData? = nil, ascii: Bool = false,
                    theme: Theme = .builtinMonochrome, exportDir: String? = nil, ticks: Int = 0) -> App {
        var o = AppOptions()
        o.ascii = ascii
        if let d = exportDir { o.exportDirectory = d }
        let a = App(provider: p ?? provider(), theme: theme, options: o)
        a.handle(.resize(width: w, height: h))
        for _ in 0..<ticks { a.handle(.tick) }
        return a
    }

    static func render(_ a: App) -> CellGrid {
        var g = CellGrid(width: a.width, height: a.height)
        a.render(into: &g)
        return g
    }

    /// Attribute map of a grid under a theme's monochrome attributes: R reverse, B bold, U underline,
    /// D dim, '.' plain (first letter wins) — what a no-colour terminal shows besides the text.
    static func attributeMap(_ g: CellGrid, theme: Theme) -> String {
        var lines: [String] = []
        for y in 0..<g.height {
            var s = ""
            for x in 0..<g.width where !g[x, y].continuation {
                let a = theme[g[x, y].role].mono.union(g[x, y].attributes)
                s += a.contains(.reverse) ? "R" : a.contains(.bold) ? "B" : a.contains(.underline) ? "U" : a.contains(.dim) ? "D" : "."
            }
            lines.append(s)
        }
        return lines.joined(separator: "\n")
    }

    /// Compares `text` with Snapshots/NAME.txt; SEEDSCOPE_RECORD_SNAPSHOTS=1 (re)writes it instead.
    static func expectSnapshot(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = snapshots.appendingPathComponent(name + ".txt")
        if recording {
            try FileManager.default.createDirectory(at: snapshots, withIntermediateDirectories: true)
            try (text + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let want = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing snapshot \(url.path): run with SEEDSCOPE_RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
            return
        }
        if want != text + "\n" {
            let a = want.split(separator: "\n", omittingEmptySubsequences: false), b = (text + "\n").split(separator: "\n", omittingEmptySubsequences: false)
            let firstDiff = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            Issue.record("snapshot \(name) differs at line \(firstDiff + 1):\n want: \(firstDiff < a.count ? String(a[firstDiff]) : "<eof>")\n  got: \(firstDiff < b.count ? String(b[firstDiff]) : "<eof>")\n(re-record with SEEDSCOPE_RECORD_SNAPSHOTS=1)", sourceLocation: sourceLocation)
        }
    }
}
