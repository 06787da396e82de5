import Foundation
import Testing
@testable import SeedScopeUI

/// Every view rendered without a terminal from a key script, compared with Snapshots/*.txt.
@Suite struct SnapshotTests {
    func snap(_ script: String, _ name: String, w: Int = 120, h: Int = 35, ascii: Bool = false, ticks: Int = 0) throws {
        let a = UITest.app(w, h, ascii: ascii, ticks: ticks)
        a.send(script)
        try UITest.expectSnapshot(UITest.render(a).text, name)
    }

    @Test func runsView() throws { try snap("", "runs", ticks: 6) }
    @Test func overview() throws { try snap("<Enter>", "overview") }
    @Test func overviewNarrow() throws { try snap("<Enter>", "overview-80x30", w: 80, h: 30) }
    @Test func overviewHeatmapPane() throws { try snap("<Enter> <Tab> <Tab> <Tab> <Tab> <Down> <Right>", "overview-heatmap-focus") }
    @Test func tableSortedFiltered() throws { try snap("<Enter> t l l ] f", "table-shared-by-s1dec") }
    @Test func tableScrolledRight() throws { try snap("<Enter> t l l l l l l l l l l l l l l l", "table-scrolled-right", w: 80, h: 24) }
    @Test func latentDetail() throws { try snap("<Enter> t j <Enter>", "latent") }
    @Test func latentDetailNarrow() throws { try snap("<Enter> t j <Enter> j l l", "latent-80x30", w: 80, h: 30) }
    @Test func jobs() throws { try snap("J", "jobs") }
    @Test func launchForm() throws { try snap("a", "launch") }
    @Test func help() throws { try snap("<Enter> t ?", "help-table") }
    @Test func palette() throws { try snap("<Enter> t :th", "palette") }
    @Test func tooSmall() throws { try snap("", "too-small-20x6", w: 20, h: 6) }

    /// The monochrome theme with ASCII glyphs: text plus the attribute map a no-colour terminal shows.
    @Test func monochromeASCII() throws {
        let theme = try UITest.theme("monochrome")
        for (script, name) in [("<Enter>", "mono-overview"), ("<Enter> t j <Enter>", "mono-latent")] {
            let a = UITest.app(100, 30, ascii: true, theme: theme)
            a.send(script)
            let g = UITest.render(a)
            #expect(!g.text.unicodeScalars.contains { $0.value > 0x7E }, "ASCII mode drew a non-ASCII glyph in \(name)")
            try UITest.expectSnapshot(g.text + "\n\n" + UITest.attributeMap(g, theme: theme), name)
        }
    }
}
