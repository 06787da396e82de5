import Foundation
import Testing
@testable import SeedScopeUI

/// Key scripts against the app, asserting on state and on rendered text.
@Suite struct NavigationTests {
    @Test func viewStackDiveAndBack() {
        let a = UITest.app()
        #expect(a.topKind == .runs)
        a.send("<Enter>"); #expect(a.topKind == .overview)
        a.send("t"); #expect(a.topKind == .table)
        a.send("<Enter>"); #expect(a.topKind == .latent)
        #expect(a.breadcrumbs == ["Runs", "kjv-L10 topk", "table s0", "s0/0"])
        a.send("q"); #expect(a.topKind == .table)
        a.send("<Esc> <Esc>"); #expect(a.topKind == .runs)
        a.send("q"); #expect(a.topKind == .runs, "q at the root must not leave the stack")
        // A job is running: the first Q asks, a second one quits; any other key in between disarms.
        #expect(!a.send("Q").contains(.quit))
        #expect(UITest.render(a).text.contains("1 job running in this session: press Q again"))
        #expect(!a.send("j Q").contains(.quit))
        #expect(a.send("Q").contains(.quit))
        let idle = UITest.app(provider: SyntheticExplorerData.single(seeds: 2, width: 10, clock: { 0 }))
        #expect(idle.send("Q").contains(.quit))
    }

    @Test func notReadyRunSaysWhy() {
        let a = UITest.app()
        a.send("j j j <Enter>")
        #expect(a.topKind == .runs)
        #expect(UITest.render(a).text.contains("kjv-L10 relu is running (42%): no results yet"))
    }

    @Test func thresholdAndCriterionUpdateEveryView() throws {
        let a = UITest.app()
        a.send("<Enter> t")
        let ctx = try #require(a.currentContext)
        let before = ctx.kCounts
        let sharedBefore = ctx.sharedCount
        a.send("+")
        #expect(a.threshold == 0.75)
        #expect(ctx.kCounts != before)
        // Raising τ can only remove partners: every latent's count is ≤ before, some strictly.
        #expect(zip(ctx.sharedCount, sharedBefore).allSatisfy { $0 <= $1 })
        #expect(zip(ctx.sharedCount, sharedBefore).contains { $0 < $1 })
        // Naive recount of one latent.
        for l in [0, 17, 999] {
            var k = 1
            for b in 1..<ctx.seedCount where ctx.pair(0, b)!.decoderCos[l] >= 0.75 { k += 1 }
            #expect(Int(ctx.sharedCount[l]) == k)
        }
        #expect(UITest.render(a).text.contains("τ=0.75 dec"))
        a.send("c")
        #expect(a.criterion == .encoder)
        for l in [0, 17, 999] {
            var k = 1
            for b in 1..<ctx.seedCount where ctx.pair(0, b)!.encoderCos[l] >= 0.75 { k += 1 }
            #expect(Int(ctx.sharedCount[l]) == k)
        }
        a.send("q")
        #expect(UITest.render(a).text.contains("shared = encoder cosine ≥ τ 0.75"))
        a.send("- - - - - - - - - - - - - - - - - - - - - -")
        #expect(a.threshold == 0)
        a.send(": 'threshold <space> '0.42 <Enter>")
        #expect(a.threshold == 0.42)
        a.send(": 'threshold <space> '7 <Enter>")
        #expect(a.threshold == 0.42)
        #expect(UITest.render(a).text.contains("threshold: expected a number in 0...1"))
    }

    @Test func sortMatchesNaiveOrder() throws {
        let a = UITest.app()
        a.send("<Enter> t l l ]")   // column 2 = s1 dec, descending
        let t = try #require(a.top as? TableView)
        t.table.refresh()
        let p = try #require(t.ctx.pair(0, 1))
        let rows = t.table.rows.map(Int.init)
        #expect(rows.count == t.ctx.width)
        let naive = (0..<t.ctx.width).sorted { (p.decoderCos[$0], $0) > (p.decoderCos[$1], $1) }
        #expect(rows == naive)
        a.send("[")
        t.table.refresh()
        #expect(t.table.rows.map(Int.init) == naive.reversed())
    }

    @Test func quickFilters() throws {
        let a = UITest.app()
        a.send("<Enter> t")
        let t = try #require(a.top as? TableView)
        let ctx = t.ctx, n = ctx.seedCount
        var seen: [LatentTable.QuickFilter: Int] = [:]
        for _ in 0..<5 {
            a.send("f")
            t.table.refresh()
            let dead = ctx.data.latents[0].dead
            for l in t.table.rows.map(Int.init) {
                switch t.table.quick {
                case .all: break
                case .shared: #expect(Int(ctx.sharedCount[l]) == n && !dead[l])
                case .partial: #expect(ctx.sharedCount[l] > 1 && Int(ctx.sharedCount[l]) < n)
                case .unique: #expect(ctx.sharedCount[l] == 1 && !dead[l])
                case .dead: #expect(dead[l])
                }
            }
            seen[t.table.quick] = t.table.rows.count
        }
        #expect(seen.count == 5)
        #expect(seen[.all] == ctx.width)
        #expect(seen[.shared]! + seen[.partial]! + seen[.unique]! + seen[.dead]! == ctx.width)
        #expect(seen[.dead]! > 0)
    }

    @Test func textFilterAndSearch() throws {
        let a = UITest.app()
        a.send("<Enter> t \\ 'LORD <Enter>")
        let t = try #require(a.top as? TableView)
        t.table.refresh()
        #expect(!t.table.rows.isEmpty)
        #expect(t.table.rows.allSatisfy { t.ctx.data.latents[0].topTokens[Int($0)].lowercased().contains("lord") })
        a.send("F")
        t.table.refresh()
        #expect(t.table.rows.count == t.ctx.width)
        a.send("/ 'Moses <Enter>")
        let first = try #require(t.selectedLatent)
        #expect(t.ctx.data.latents[0].topTokens[first].contains("Moses"))
        a.send("n")
        let second = try #require(t.selectedLatent)
        #expect(second != first && t.ctx.data.latents[0].topTokens[second].contains("Moses"))
        a.send("N")
        #expect(t.selectedLatent == first)
        a.send("/ 'zzzqqq <Enter>")
        #expect(UITest.render(a).text.contains("not found: zzzqqq"))
    }

    @Test func jumpToIdAndSeed() throws {
        let a = UITest.app()
        a.send("<Enter> t : '1234 <Enter>")
        let t = try #require(a.top as? TableView)
        #expect(t.selectedLatent == 1234)
        a.send("f : '7 <Enter>")   // a filter hiding 7 is cleared by the jump
        #expect(t.selectedLatent == 7)
        a.send(": 's2/99 <Enter>")
        #expect(t.ctx.base == 2 && t.selectedLatent == 99)
        #expect(UITest.render(a).text.contains("table s2"))
        a.send(": '99999 <Enter>")
        #expect(UITest.render(a).text.contains("jump: latent id must be in 0..<4608"))
        a.send(": 's9/1 <Enter>")
        #expect(UITest.render(a).text.contains("jump: no seed s9"))
    }

    @Test func histogramBinFiltersTable() throws {
        let a = UITest.app()
        a.send("<Enter>")
        let o = try #require(a.top as? OverviewView)
        // Pane 1 (dec matched) is focused; move to a bin and dive.
        _ = UITest.render(a)   // the bin count depends on the drawn width
        a.send("gg l l l l l l l l l l l l l l l")
        let (lo, hi) = o.binRange(1)
        a.send("<Enter>")
        let t = try #require(a.top as? TableView)
        t.table.refresh()
        let p = try #require(t.ctx.pair(0, 1))
        let want = (0..<t.ctx.width).filter { p.decoderCos[$0] >= lo && p.decoderCos[$0] < hi }
        #expect(!want.isEmpty && lo > 0 && hi < 1)
        // The bin's count in the status line is the table's row count.
        a.send("q")
        #expect(UITest.render(a).text.contains(String(format: "[%.3f, %.3f): %d latents", lo, hi, want.count)))
        a.send("<Enter>")
        #expect(Set(t.table.rows.map(Int.init)) == Set(want))
        #expect(UITest.render(a).text.contains("dec matched cos vs s1 in ["))
    }

    @Test func clickingABinTwiceOpensIt() throws {
        let a = UITest.app()
        a.send("<Enter>")
        let g = UITest.render(a)
        // Find the x axis of the top-left histogram and click above its middle, twice.
        let y = try #require((0..<g.height).first { g.line($0).contains("─0.5─") })
        let x = try #require(g.line(y).range(of: "─0.5─").map { g.line(y).distance(from: g.line(y).startIndex, to: $0.lowerBound) })
        a.handle(.mouse(MouseEvent(x: x, y: y - 2, kind: .click)))
        #expect(a.topKind == .overview)
        a.handle(.mouse(MouseEvent(x: x, y: y - 2, kind: .click)))
        #expect(a.topKind == .table)
        #expect(UITest.render(a).text.contains("dec max cos vs s1 in [0.4"))
    }

    @Test func kOfNRowFiltersTable() throws {
        let a = UITest.app()
        a.send("<Enter> <Tab> <Tab> <Tab> <Tab> j <Enter>")   // pane 5, k = 2
        let t = try #require(a.top as? TableView)
        t.table.refresh()
        #expect(t.table.rows.count == t.ctx.kCounts[2])
    }

    @Test func latentHopToPartnerAndBack() throws {
        let a = UITest.app()
        a.send("<Enter> t : '5 <Enter> <Enter>")
        let l = try #require(a.top as? LatentView)
        #expect(l.seed == 0 && l.latent == 5)
        let partner = try #require(l.partner(in: 1))
        a.send("p")
        let hop = try #require(a.top as? LatentView)
        #expect(hop.seed == 1 && hop.latent == partner)
        // The partner's partner back in s0 is the original latent (one-to-one matching).
        #expect(hop.partner(in: 0) == 5)
        a.send("q")
        #expect((a.top as? LatentView)?.latent == 5)
        // Selected token's exact value is in the status line; h/l move it.
        let text = UITest.render(a).text
        #expect(text.contains("token '") && text.contains("act "))
        a.send("{")
        #expect(l.context == 16)
        a.send("{ {")
        #expect(l.context == 5)
        // ±5 around the peak: at most 11 tokens on the selected window's line.
        let line = try #require(UITest.render(a).text.split(separator: "\n").first { $0.hasPrefix("▶") })
        #expect(line.prefix(59).split(separator: " ").count <= 2 + 11 + 2)
        a.send("} }")
        #expect(l.context == nil)
        a.send("o")
        #expect(l.side == 2)
        #expect(UITest.render(a).text.contains("partner s2/"))
    }

    @Test func mouseClickAndWheel() throws {
        let a = UITest.app()
        a.send("<Enter> t")
        let t = try #require(a.top as? TableView)
        _ = UITest.render(a)
        a.handle(.mouse(MouseEvent(x: 3, y: 6, kind: .click)))   // body y=1; title, header → rows from y=3
        #expect(t.selectedLatent == 3)
        a.handle(.mouse(MouseEvent(x: 3, y: 10, kind: .wheelDown)))
        #expect(t.selectedLatent == 6)
        a.handle(.mouse(MouseEvent(x: 3, y: 6, kind: .click)))
        _ = UITest.render(a)
        // Click on the key-hint bar runs that command: find "help".
        let g = UITest.render(a)
        let bar = g.line(a.height - 1)
        let idx = try #require(bar.range(of: "? help"))
        let x = bar.distance(from: bar.startIndex, to: idx.lowerBound)
        a.handle(.mouse(MouseEvent(x: x, y: a.height - 1, kind: .click)))
        #expect(a.topKind == .help)
        // Clicking the first breadcrumb returns to Runs.
        a.handle(.mouse(MouseEvent(x: 2, y: 0, kind: .click)))
        #expect(a.topKind == .runs)
    }

    @Test func pagingAndEnds() throws {
        let a = UITest.app()
        a.send("<Enter> t G")
        let t = try #require(a.top as? TableView)
        #expect(t.selectedLatent == t.ctx.width - 1)
        a.send("gg")
        #expect(t.selectedLatent == 0)
        a.send("<PgDn>")
        #expect(t.selectedLatent == t.pageSize)
        a.send("<PgUp> k")
        #expect(t.selectedLatent == 0)
        a.send("g x")   // an incomplete sequence followed by another key must not stick
        #expect(a.pending.isEmpty)
    }

    @Test func unknownKeyIsExplained() {
        let a = UITest.app()
        a.send("Z")
        #expect(UITest.render(a).text.contains("Z: no command here — press ? for help"))
    }

    @Test func paletteRunsCommandsByName() {
        let a = UITest.app()
        a.send(": 'jobs <Enter>")
        #expect(a.topKind == .jobs)
        a.send(": 'lau <Tab> <Enter>")
        #expect(a.topKind == .launch)
        a.send("<Esc> : 'nosuchthing <Enter>")
        #expect(UITest.render(a).text.contains("unknown command: nosuchthing"))
    }
}
