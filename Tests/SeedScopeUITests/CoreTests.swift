import Foundation
import Testing
@testable import SeedScopeUI

@Suite struct CoreTests {
    @Test func gridWideCharactersAndClipping() {
        var g = CellGrid(width: 6, height: 2)
        #expect(g.put(0, 0, "a神b") == 4)
        #expect(g[1, 0].scalar == "神" && g[2, 0].continuation && g[3, 0].scalar == "b")
        #expect(g.text.hasPrefix("a神b"))
        // Overwriting the right half of a wide char blanks the left half.
        g.put(2, 0, "x")
        #expect(g[1, 0].scalar == " " && g[2, 0].scalar == "x" && !g[2, 0].continuation)
        // A wide char that does not fit is not drawn half.
        #expect(g.put(5, 1, "神") == 0)
        // Clipping far outside never traps.
        g.put(-3, 1, "hello"); g.put(100, 100, "x"); g.fill(-5, -5, 100, 100, .dim)
        g.putPadded(0, 0, "abcdefghij", width: 5)
        #expect(g.line(0).hasPrefix("abcd…"))
        var a = CellGrid(width: 4, height: 1, ascii: true)
        a.put(0, 0, "é神x")
        #expect(a.line(0) == "e?x ")
    }

    @Test func charWidths() {
        #expect(CharWidth.of("abc") == 3)
        #expect(CharWidth.of("神光") == 4)
        #expect(CharWidth.of("e\u{301}") == 1)       // combining acute
        #expect(CharWidth.of("🙂") == 2)
        #expect(CharWidth.of("\u{200B}") == 0)
    }

    @Test func tokenEscaping() {
        #expect(TokenText.display(" a\nb\tc\u{1}", ascii: false) == " a↵b→c\\x01")
        #expect(TokenText.display("\n\t", ascii: true) == "\\n\\t")
        #expect(TokenText.display("\u{85}", ascii: false) == "\\x85")
    }

    @Test func themesParse() throws {
        for name in ["default", "light", "high-contrast", "monochrome"] {
            let t = try UITest.theme(name)
            #expect(t.styles.count == ColorRole.allCases.count)
            #expect(t.name == name)
        }
        let d = try UITest.theme("default")
        #expect(d[.selection].fg256 == 16 && d[.selection].bg256 == 110 && d[.selection].bg8 == 6)
        #expect(d[.selection].mono == .reverse)
        #expect(try UITest.theme("monochrome").monochrome)
        // Every role is named in the default theme (the theme file is the role reference).
        let text = try String(contentsOf: UITest.root.appendingPathComponent("Themes/default.theme"), encoding: .utf8)
        for r in ColorRole.allCases { #expect(text.contains("\n" + r.name + " "), "default.theme lacks \(r.name)") }
    }

    @Test func themeErrorsNameFileAndLine() {
        #expect(throws: ThemeError.self) { try Theme.parse("normal fg=1\nbogus fg=2\n", file: "x.theme") }
        do { _ = try Theme.parse("normal fg=1\nselection fg=300\n", file: "x.theme") } catch {
            #expect("\(error)" == "x.theme:2: colour index '300' not in 0-255")
        }
        do { _ = try Theme.parse("title attr=blink", file: "y.theme") } catch {
            #expect("\(error)".hasPrefix("y.theme:1: unknown attribute 'blink'"))
        }
        #expect(throws: ThemeError.self) { try Theme.load("no-such-theme", searchPaths: ["/nonexistent"]) }
    }

    @Test func keyScripts() {
        #expect(Key.script("gg <Enter> 'ab <C-u> <PgDn> <Space>") == [.char("g"), .char("g"), .enter, .char("a"), .char("b"), .ctrl("u"), .pageDown, .char(" ")])
    }

    /// No two commands in the same view share a key sequence, and no sequence is a prefix of another
    /// one in the same view (which would make the longer one unreachable).
    @Test func commandTableHasNoConflicts() {
        let cmds = Commands.all()
        for v in ViewKind.allCases {
            let seqs = cmds.filter { $0.applies(to: v) }.flatMap { c in c.keys.map { (c.name, $0) } }
            for (i, a) in seqs.enumerated() {
                for b in seqs[(i + 1)...] {
                    let prefix = a.1.count <= b.1.count ? Array(b.1.prefix(a.1.count)) == a.1 : Array(a.1.prefix(b.1.count)) == b.1
                    #expect(!prefix, "\(v): \(a.0) and \(b.0) conflict")
                }
            }
        }
        #expect(Set(cmds.map(\.name)).count == cmds.count)
    }

    /// The help screen lists every command of the view (it is generated from the same table).
    @Test func helpListsEveryCommand() {
        let a = UITest.app(120, 80)
        a.send("<Enter> t ?")
        let text = UITest.render(a).text
        for c in Commands.all() where c.applies(to: .table) { #expect(text.contains(c.name), "help lacks \(c.name)") }
    }

    @Test func syntheticMatchingIsOneToOneAndSymmetric() throws {
        let p = SyntheticExplorerData.single(seeds: 3, width: 1000, clock: { 0 })
        let ab = try #require(p.pair("synthetic", from: 0, to: 1)), ba = try #require(p.pair("synthetic", from: 1, to: 0))
        #expect(Set(ab.partner).count == 1000)
        for l in 0..<1000 {
            let q = Int(ab.partner[l])
            #expect(ba.partner[q] == Int32(l))
            #expect(ab.decoderCos[l] == ba.decoderCos[q])
            #expect(ab.decoderMaxCos[l] >= ab.decoderCos[l])
        }
        let d = try #require(p.run("synthetic"))
        #expect(d.latents.count == 3 && d.latents[0].dead.contains(true))
        #expect(p.latentCard("synthetic", seed: 0, latent: 1000) == nil)
        #expect(p.pair("synthetic", from: 0, to: 0) == nil)
    }

    /// Random sizes (down to 1×1) and random keys in every view: never a crash, every frame the grid's size.
    @Test func fuzzResizeAndKeys() {
        let seed = UInt64(ProcessInfo.processInfo.environment["SEEDSCOPE_FUZZ_SEED"] ?? "") ?? 20261123
        print("fuzzResizeAndKeys seed \(seed)")
        var rng = SystemRandomNumberGeneratorSeeded(seed)
        let keys = Key.script("j k h l gg G <PgDn> <PgUp> <Enter> <Enter> q <Esc> + - c b o f [ ] <Tab> p / x <Enter> n N ? : 1 2 <Enter> t J a <Down> 9 <C-s> s F \\ y <Enter>")
        let a = UITest.app(80, 24, exportDir: "/nonexistent")
        var g = CellGrid(width: 1, height: 1)
        for step in 0..<1500 {
            if step % 25 == 0 {
                a.handle(.resize(width: 1 + Int(rng.next() % 160), height: 1 + Int(rng.next() % 50)))
            }
            let r = rng.next() % 20
            if r == 0 { a.handle(.mouse(MouseEvent(x: Int(rng.next() % 120), y: Int(rng.next() % 40), kind: [.click, .wheelUp, .wheelDown][Int(rng.next() % 3)]))) }
            else if r == 1 { a.handle(.tick) }
            else {
                let k = keys[Int(rng.next() % UInt64(keys.count))]
                if k == .char("Q") || k == .ctrl("c") { continue }
                a.handle(.key(k))
            }
            a.render(into: &g)
            #expect(g.width == a.width && g.height == a.height)
        }
    }
}

/// splitmix64, so the fuzz test is reproducible from its printed seed.
struct SystemRandomNumberGeneratorSeeded: RandomNumberGenerator {
    var state: UInt64
    init(_ s: UInt64) { state = s }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct RadixSortTests {
    /// Against a comparison sort on (key, index), including negatives, zeros of both signs, NaN, ties.
    @Test func matchesNaiveStableSort() {
        let seed: UInt64 = 7
        print("RadixSortTests seed \(seed)")
        var rng = SystemRandomNumberGeneratorSeeded(seed)
        for n in [0, 1, 2, 17, 1000, 70_000] {
            var keys: [Float] = (0..<n).map { _ in Float(Int(rng.next() % 2001) - 1000) / 100 }
            if n > 10 { keys[3] = .nan; keys[5] = -0.0; keys[6] = 0; keys[7] = .infinity; keys[8] = -.infinity; keys[9] = .nan }
            let got = RadixSort.argsort(keys).map(Int.init)
            func rank(_ v: Float) -> (Int, Float) { v.isNaN ? (1, 0) : (0, v == 0 ? 0 : v) }
            let want = (0..<n).sorted { a, b in
                let ra = rank(keys[a]), rb = rank(keys[b])
                if ra.0 != rb.0 { return ra.0 < rb.0 }
                if ra.1 != rb.1 { return ra.1 < rb.1 }
                if keys[a].sign != keys[b].sign && keys[a] == 0 && keys[b] == 0 { return keys[a].sign == .minus }
                return a < b
            }
            #expect(got == want, "n=\(n)")
        }
    }
}

@Suite struct EdgeCaseTests {
    /// A one-seed run, an empty (0-latent) run, and a provider returning inconsistent arrays: every
    /// view still draws, and the broken run is reported instead of opened.
    @Test func degenerateRunsNeverCrash() {
        let one = SyntheticExplorerData.single(seeds: 1, width: 50, clock: { 0 })
        let empty = SyntheticExplorerData.single(seeds: 2, width: 0, clock: { 0 })
        for p in [one, empty] as [ExplorerData] {
            let a = UITest.app(100, 30, provider: p, exportDir: "/nonexistent", ticks: 2)
            for script in ["<Enter>", "<Tab> <Enter>", "<Tab> <Tab> <Tab> <Tab> <Enter> <Enter>", "q t G <Enter> p o", "q f f [ ] / 'x <Enter>", ": '3 <Enter>", "s"] {
                a.send(script)
                _ = UITest.render(a)
            }
        }
        let broken = BrokenProvider()
        let a = UITest.app(100, 30, provider: broken)
        a.send("<Enter>")
        #expect(a.topKind == .runs)
        #expect(UITest.render(a).text.contains("results could not be loaded"))
    }
}

/// Returns a run whose per-latent arrays do not match its width.
final class BrokenProvider: ExplorerData, @unchecked Sendable {
    let base = SyntheticExplorerData.single(seeds: 2, width: 10, clock: { 0 })
    var revision: Int { 1 }
    func runs() -> [RunSummary] { base.runs() }
    func run(_ id: String) -> RunData? {
        guard var d = base.run(id) else { return nil }
        d.latents[1].maxActivation.removeLast()
        return d
    }
    func pair(_ run: String, from a: Int, to b: Int) -> PairMatch? { base.pair(run, from: a, to: b) }
    func latentCard(_ run: String, seed: Int, latent: Int) -> LatentCard? { nil }
    func jobs() -> [JobStatus] { [] }
    func launch(_ request: LaunchRequest) throws -> String { throw ExportError(message: "read-only") }
    func cancel(job: String) {}
}
