import Foundation

/// Histogram data of one cosine series for a seed pair: fixed fine bins over [0, 1] (values below 0
/// go to the first bin), merged on screen to fit the width.
struct HistogramData {
    static let fineBins = 120
    var counts: [Int]
    /// Random-init baseline counts, scaled to the same total as `counts`; nil when unknown.
    var baseline: [Double]?
    var total: Int

    static func bin(_ v: Float) -> Int { min(fineBins - 1, max(0, Int(v * Float(fineBins)))) }

    /// Counts merged by `factor` (a divisor of 120: 120 → 60 → 40 → 30 → 24 → 20 …).
    func merged(_ factor: Int) -> (counts: [Int], baseline: [Double]?) {
        let n = HistogramData.fineBins / factor
        var c = [Int](repeating: 0, count: n)
        var b: [Double]? = baseline.map { _ in [Double](repeating: 0, count: n) }
        for i in 0..<HistogramData.fineBins {
            c[i / factor] += counts[i]
            if let bl = baseline { b![i / factor] += bl[i] }
        }
        return (c, b)
    }
}

/// Text-mode chart drawing into a `CellGrid`.
enum Charts {
    /// The merge factor so that bins fit `plotWidth` columns (at least one column each).
    static func factor(forWidth plotWidth: Int) -> Int {
        for f in [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 24, 30, 40, 60, 120] where HistogramData.fineBins / f <= plotWidth { return f }
        return 120
    }

    /// A vertical-bar histogram over cosine [0, 1] with the threshold column, the baseline as marks and
    /// labelled axes. `cursor` (a merged-bin index) is highlighted when the pane is focused.
    /// - Returns: the plot's x origin and columns per bin (for mouse hit-testing).
    @discardableResult
    static func histogram(_ g: inout CellGrid, _ r: Rect, title: String, data: HistogramData, threshold: Float,
                          cursor: Int?, focused: Bool) -> (x0: Int, binWidth: Int, bins: Int) {
        guard r.width >= 12, r.height >= 5 else { return (r.x, 1, 0) }
        g.putPadded(r.x, r.y, title, width: r.width, focused ? .crumbActive : .header)
        let yAxisW = 6
        let plotW = r.width - yAxisW - 1
        let f = factor(forWidth: plotW)
        let (counts, baseline) = data.merged(f)
        let bins = counts.count
        let bw = max(1, plotW / bins)
        let plotH = r.height - 3
        let x0 = r.x + yAxisW + 1
        // Scale to the data: the random-init baseline is a narrow spike that would flatten the real
        // distribution; where it overflows it is drawn clipped at the top with an arrow.
        let maxV = max(1, Double(counts.max() ?? 1))
        // y axis: max count at the top, 0 at the bottom.
        g.putPadded(r.x, r.y + 1, compact(Int(maxV.rounded(.up))), width: yAxisW - 1, .axis, alignRight: true)
        g.putPadded(r.x, r.y + plotH, "0", width: yAxisW - 1, .axis, alignRight: true)
        for yy in 0..<plotH { g.put(r.x + yAxisW, r.y + 1 + yy, g.glyphs.vbar, .axis) }
        let eighths = g.glyphs.vEighths
        let tCol = x0 + min(bins * bw - 1, Int(threshold * Float(bins * bw)))
        for b in 0..<bins {
            let h8 = Int((Double(counts[b]) / maxV * Double(plotH * 8)).rounded())
            let inCursor = cursor == b && focused
            for yy in 0..<plotH {
                let level = h8 - (plotH - 1 - yy) * 8
                let ch = level >= 8 ? eighths[8] : level > 0 ? eighths[level] : " "
                for c in 0..<bw {
                    let x = x0 + b * bw + c
                    let role: ColorRole = inCursor ? .cursorBin : (Float(b) + 0.5) / Float(bins) >= threshold ? .bar : .barAlt
                    if ch != " " { g.put(x, r.y + 1 + yy, ch, role) }
                    else if inCursor { g.put(x, r.y + 1 + yy, " ", .cursorBin) }
                }
            }
            if let bl = baseline, bl[b] >= 0.5 {
                let clipped = bl[b] > maxV
                let row = plotH - 1 - min(plotH - 1, Int(bl[b] / maxV * Double(plotH)))
                for c in 0..<bw { g.put(x0 + b * bw + c, r.y + 1 + row, clipped ? g.glyphs.arrowUp : g.glyphs.baselineMark, .baseline) }
            }
        }
        // Threshold column: a vertical rule where there is no bar, the bars recoloured where there is.
        for yy in 0..<plotH {
            let cell = g[tCol, r.y + 1 + yy]
            if cell.scalar == " " { g.put(tCol, r.y + 1 + yy, g.glyphs.vbar, .threshold) }
        }
        // x axis.
        let ay = r.y + plotH + 1
        g.hline(x0, ay, bins * bw, .axis)
        g.put(x0, ay, "0", .axis)
        let mid = x0 + bins * bw / 2
        g.put(mid - 1, ay, "0.5", .axis)
        g.put(x0 + bins * bw - 1, ay, "1", .axis)
        g.put(tCol, ay, g.glyphs.ascii ? "t" : "τ", .threshold)
        if focused, let c = cursor, c < bins { g.put(x0 + c * bw, ay, g.glyphs.arrowUp, .cursorBin) }
        // The longest legend that fits: x-axis unit, sample size, baseline key.
        let avail = r.x + r.width - x0
        let mark = g.glyphs.baselineMark
        let options = baseline == nil ? ["cosine \u{B7} n=\(data.total)", "cos n=\(data.total)"]
            : ["cosine \u{B7} n=\(data.total) \u{B7} \(mark) random init", "cos \u{B7} n=\(data.total) \u{B7} \(mark) random init",
               "cos n=\(data.total) \(mark) rand init", "n=\(data.total) \(mark) rand"]
        let legend = options.first { CharWidth.of($0) <= avail } ?? options[options.count - 1]
        g.put(x0, ay + 1, legend, .dim, maxWidth: avail)
        return (x0, bw, bins)
    }

    /// 12345 → "12.3K" for axis labels.
    static func compact(_ n: Int) -> String {
        if n >= 1_000_000 { return String(format: "%.1fM", Double(n) / 1e6) }
        if n >= 10_000 { return String(format: "%.0fK", Double(n) / 1e3) }
        if n >= 1000 { return String(format: "%.1fK", Double(n) / 1e3) }
        return String(n)
    }

    /// A horizontal bar of `fraction` of `width` cells with eighth-block resolution.
    static func hbar(_ g: inout CellGrid, _ x: Int, _ y: Int, fraction: Double, width: Int, _ role: ColorRole) {
        guard width > 0 else { return }
        let e8 = Int((max(0, min(1, fraction)) * Double(width * 8)).rounded())
        let full = e8 / 8, rest = e8 % 8
        if full > 0 { g.put(x, y, String(repeating: g.glyphs.full, count: full), role, maxWidth: width) }
        if rest > 0, full < width, !g.glyphs.hEighths[rest].isEmpty { g.put(x + full, y, g.glyphs.hEighths[rest], role) }
    }
}
