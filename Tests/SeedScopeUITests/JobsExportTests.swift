import Foundation
import Testing
@testable import SeedScopeUI

@Suite struct JobsExportTests {
    @Test func launchFormSubmitsAndJobCompletes() throws {
        let clock = Clock()
        let p = SyntheticExplorerData.demo(clock: { clock.now })
        let a = UITest.app(provider: p)
        let before = p.jobs().count
        a.send("a")
        #expect(a.topKind == .launch)
        // Edit width and seeds, then submit with Enter on [ Launch ].
        a.send("<Down> <Down> <Down> <C-u> '2048 <Down> <C-u> '0-2 <Down> <Down> <Down> <Enter>")
        #expect(a.topKind == .jobs)
        let jobs = p.jobs()
        #expect(jobs.count == before + 1)
        let run = try #require(p.runs().last)
        #expect(run.width == 2048 && run.seeds == [0, 1, 2] && run.status != .ready)
        // Time passes: progress shows, then the run becomes ready and openable.
        clock.now += 2
        a.handle(.tick)
        #expect(UITest.render(a).text.contains("training: step"))
        clock.now += 120
        a.handle(.tick)
        #expect(p.runs().last?.status == .ready)
        a.send("q")
        a.send("G <Enter>")
        #expect(a.topKind == .overview)
    }

    @Test func launchFormRejectsBadInput() {
        let a = UITest.app()
        a.send("a <Down> <C-u> 'nope <Down> <Down> <Down> <Down> <Down> <Down> <Enter>")
        #expect(a.topKind == .launch)
        #expect(UITest.render(a).text.contains("cannot launch: architecture: expected one of topk"))
        a.send("<Up> <Up> <Up> <Up> <Up> <Up> <C-u> 'relu <Down> <Down> <Down> <C-u> '5 <C-s>")
        #expect(UITest.render(a).text.contains("cannot launch: need at least 2 seeds"))
    }

    @Test func cancelJob() {
        let p = UITest.provider()
        let a = UITest.app(provider: p)
        a.send("J x")
        #expect(p.jobs()[0].state == .cancelled)
        #expect(p.runs()[3].status == .incomplete)
        a.send("x")
        #expect(UITest.render(a).text.contains("is cancelled: nothing to cancel"))
    }

    @Test func exportsCSVAndSVG() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seedscope-ui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = UITest.app(exportDir: dir.path, ticks: 6)
        a.send("s")
        let runs = try String(contentsOf: dir.appendingPathComponent("seedscope-runs.csv"), encoding: .utf8)
        #expect(runs.split(separator: "\n").count == 6)
        a.send("<Enter> s")
        let svgs = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".svg") }
        #expect(svgs.count == 1)
        let svg = try String(contentsOf: dir.appendingPathComponent(svgs[0]), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("τ=0.70") && svg.contains("random-init baseline") && svg.hasSuffix("</svg>\n"))
        a.send("t f s")
        let t = try #require(a.top as? TableView)
        let csv = try String(contentsOf: dir.appendingPathComponent("seedscope-table-kjv-l10-topk-s0.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(csvRecords(csv) == t.table.rows.count + 1)
        #expect(lines[0].hasPrefix("s0_id,s1_id,s1_dec,s1_enc"))
        a.send("<Enter> s")
        let card = try String(contentsOf: dir.appendingPathComponent("seedscope-latent-kjv-l10-topk-s0-\(t.selectedLatent!).csv"), encoding: .utf8)
        #expect(card.hasPrefix("seed,latent,group,window,position,token,activation"))
        // Tokens with newlines/commas are quoted, so the CSV still parses to 7 fields per record.
        #expect(Export.csv([["a,b", "c\"d", "e\nf"]]) == "\"a,b\",\"c\"\"d\",\"e\nf\"\n")
    }

    @Test func exportToMissingDirectoryFailsWithOneLine() {
        let a = UITest.app(exportDir: "/nonexistent/dir")
        a.send("s")
        #expect(UITest.render(a).text.contains("export failed: /nonexistent/dir: export directory does not exist"))
    }
}

/// A settable clock for provider jobs.
final class Clock: @unchecked Sendable {
    var now: Double = 1000
}

/// Records in a CSV text (newlines inside quoted fields do not end a record).
func csvRecords(_ s: String) -> Int {
    var n = 0, quoted = false
    for c in s.unicodeScalars { if c == "\"" { quoted.toggle() } else if c == "\n" && !quoted { n += 1 } }
    return n
}

@Suite struct ThemeSwitchTests {
    @Test func paletteSwitchesTheme() throws {
        setenv("SEEDSCOPE_THEMES", UITest.root.appendingPathComponent("Themes").path, 1)
        let a = UITest.app()
        let r = a.send(": 'theme <Space> 'light <Enter>")
        #expect(r.contains(.retheme))
        #expect(a.theme.name == "light")
        a.send(": 'theme <Space> 'nope <Enter>")
        #expect(a.theme.name == "light")
        #expect(UITest.render(a).text.contains("theme 'nope' not found"))
    }
}
