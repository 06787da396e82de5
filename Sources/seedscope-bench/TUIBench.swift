import Foundation
import SeedScopeUI

/// TUI responsiveness, measured by rendering into the in-memory `CellGrid` (120×35) — the same frames
/// the curses layer copies to the terminal; terminal I/O itself is excluded.
/// - time to first frame for a run of 8 seeds × 32K latents with cached results (Runs view, then the
///   overview with every histogram/heatmap, then the table);
/// - key-to-frame latency (handle key + render) while scrolling, sorting and filtering 131K rows.
func tuiBench(_ ctx: BenchContext) throws {
    func ms(_ t0: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 }
    var grid = CellGrid(width: 120, height: 35)

    // 8 × 32K: generate and cache the provider's results first (a workspace with cached results).
    let big = SyntheticExplorerData.single(seeds: 8, width: 32768, stable: 0.5)
    var t0 = DispatchTime.now().uptimeNanoseconds
    _ = big.run("synthetic")
    for a in 0..<8 { for b in 0..<8 where a != b { _ = big.pair("synthetic", from: a, to: b) } }
    ctx.report(String(format: "tui: synthetic provider 8×32768 generated in %.0f ms (not UI time)", ms(t0)))
    t0 = DispatchTime.now().uptimeNanoseconds
    let app = App(provider: big)
    app.handle(.resize(width: 120, height: 35))
    app.render(into: &grid)
    let first = ms(t0)
    app.handle(.key(.enter))
    app.render(into: &grid)
    let overview = ms(t0)
    app.send("t")
    app.render(into: &grid)
    let table = ms(t0)
    ctx.report(String(format: "tui first frame, 8 seeds × 32768 latents: runs view %.1f ms, + overview (4 histograms, 8×8 heatmap, k-of-N) %.1f ms, + table %.1f ms (target < 300 ms)", first, overview, table))

    // 131K rows.
    let wide = SyntheticExplorerData.single(seeds: 4, width: 131_072)
    _ = wide.run("synthetic")
    for b in 1..<4 { _ = wide.pair("synthetic", from: 0, to: b) }
    let app2 = App(provider: wide)
    app2.handle(.resize(width: 120, height: 35))
    app2.send("<Enter> t")
    app2.render(into: &grid)
    func latency(_ script: String, repeats: Int) -> [Double] {
        var out: [Double] = []
        for _ in 0..<repeats {
            for k in Key.script(script) {
                let s = DispatchTime.now().uptimeNanoseconds
                app2.handle(.key(k))
                app2.render(into: &grid)
                out.append(ms(s))
            }
        }
        return out.sorted()
    }
    func summary(_ name: String, _ v: [Double]) {
        let p = { (q: Double) in v[min(v.count - 1, Int(Double(v.count) * q))] }
        ctx.report(String(format: "tui key→frame, 131072 rows, %@: median %.3f ms, p99 %.3f ms, max %.3f ms (n=%d, target < 16 ms)", name, p(0.5), p(0.99), v.last ?? 0, v.count))
    }
    summary("scroll j/k", latency("j j j j j k k k k k", repeats: 50))
    summary("page PgDn/PgUp", latency("<PgDn> <PgDn> <PgUp> <PgUp>", repeats: 50))
    summary("ends G/gg", latency("G g g", repeats: 20))
    // First sort of a column is O(N log N) (then cached); later sorts and reversals reuse the index.
    let firstSorts = latency("l ] l ] l [ l ]", repeats: 1)
    ctx.report("tui first sorts (ms, each key): " + firstSorts.map { String(format: "%.2f", $0) }.joined(separator: " "))
    summary("first sort of a new column (l ])", firstSorts)
    app2.send("h h h h")
    summary("re-sort cached column ([ / ])", latency("l ] h [", repeats: 10))
    summary("quick filter f", latency("f", repeats: 10))
    // Idle ticks pre-sort the remaining columns; afterwards a first sort is a cache hit.
    var ticks = 0
    let t1 = DispatchTime.now().uptimeNanoseconds
    var worstTick = 0.0
    for _ in 0..<64 {
        let s = DispatchTime.now().uptimeNanoseconds
        app2.handle(.tick); ticks += 1
        worstTick = max(worstTick, ms(s))
    }
    ctx.report(String(format: "tui idle pre-sort: %d ticks, %.0f ms total, worst tick %.2f ms", ticks, ms(t1), worstTick))
    summary("sort any column after idle pre-sort", latency("l ] l [", repeats: 4))
    summary("threshold +/- (recount 131072×3)", latency("+ -", repeats: 10))
}
