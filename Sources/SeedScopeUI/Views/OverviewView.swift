import Foundation

/// Run overview: the four cosine histograms of the base seed against the comparison seed (max and
/// matched, decoder and encoder; threshold and random-init baseline drawn), the pairwise shared-fraction
/// heatmap, the shared-in-k-of-N chart and the only-in-one curve. Enter on a histogram bin opens the
/// table filtered to that bin; on a heatmap cell it selects that pair; on a k row it filters to that k.
final class OverviewView: ExplorerView, PaneCycling {
    let kind = ViewKind.overview
    let ctx: RunContext
    var crumb: String { ctx.data.summary.name }
    /// 0-3 histograms (HistogramSeries order), 4 heatmap, 5 k-of-N, 6 only-in-one curve.
    private(set) var pane = 1
    /// Selected bin per histogram; -1 until first drawn, then the bin holding τ.
    private var binCursor = [Int](repeating: -1, count: 4)
    private var heatCursor = (row: 0, col: 1)
    private var kCursor = 0
    private var histCache: [Int: [HistogramData]] = [:]
    private var hitBoxes: [(rect: Rect, pane: Int, x0: Int, bw: Int, bins: Int)] = []
    private var bins = [Int](repeating: HistogramData.fineBins, count: 4)

    init(ctx: RunContext) {
        self.ctx = ctx
        heatCursor = (0, min(1, ctx.seedCount - 1))
    }

    func cyclePane(by d: Int) { pane = ((pane + d) % 7 + 7) % 7 }

    /// Histograms of the current pair (cached per pair).
    func histograms() -> [HistogramData]? {
        let key = ctx.base * 4096 + ctx.other
        if let h = histCache[key] { return h }
        guard let p = ctx.pair(ctx.base, ctx.other) else { return nil }
        let m = ctx.width
        var out: [HistogramData] = []
        for s in HistogramSeries.allCases {
            var c = [Int](repeating: 0, count: HistogramData.fineBins)
            for l in 0..<m { let v = s.value(p, l); if !v.isNaN { c[HistogramData.bin(v)] += 1 } }
            let samples = s.isDecoder ? ctx.data.baselineDecoderMaxCos : ctx.data.baselineEncoderMaxCos
            var base: [Double]? = nil
            if !samples.isEmpty {
                var b = [Double](repeating: 0, count: HistogramData.fineBins)
                for v in samples where !v.isNaN { b[HistogramData.bin(v)] += 1 }
                let scale = Double(m) / Double(samples.count)
                base = b.map { $0 * scale }
            }
            out.append(HistogramData(counts: c, baseline: base, total: m))
        }
        histCache[key] = out
        return out
    }

    func render(_ g: inout CellGrid, _ r: Rect, _ app: App) {
        hitBoxes = []
        let s = ctx.data.summary
        let head = "\(s.name) \u{B7} \(s.seeds.count) seeds \u{B7} \(s.width) latents \u{B7} \(s.architecture) \u{B7} \(ctx.data.method) \u{B7} \(ctx.data.profiledTokens) tokens profiled"
        g.put(r.x + 1, r.y, head, .title, maxWidth: r.width - 2)
        let pairLine = "histograms: \(ctx.seedLabel(ctx.base)) vs \(ctx.seedLabel(ctx.other)) (b base, o other) \u{B7} shared = \(ctx.criterion.rawValue) cosine ≥ τ \(String(format: "%.2f", ctx.threshold))"
        g.put(r.x + 1, r.y + 1, pairLine, .dim, maxWidth: r.width - 2)
        let body = Rect(x: r.x, y: r.y + 2, width: r.width, height: r.height - 2)
        let wide = body.width >= 100
        let histArea = wide ? Rect(x: body.x, y: body.y, width: body.width * 3 / 5, height: body.height)
                            : Rect(x: body.x, y: body.y, width: body.width, height: body.height * 3 / 5)
        let side = wide ? Rect(x: histArea.x + histArea.width + 1, y: body.y, width: body.width - histArea.width - 1, height: body.height)
                        : Rect(x: body.x, y: histArea.y + histArea.height, width: body.width, height: body.height - histArea.height)
        if let hs = histograms() {
            let hw = histArea.width / 2, hh = histArea.height / 2
            for (i, sr) in HistogramSeries.allCases.enumerated() {
                let rr = Rect(x: histArea.x + (i % 2) * hw, y: histArea.y + (i / 2) * hh, width: hw - 1, height: hh)
                let title = " \(sr.label) \(ctx.seedLabel(ctx.base))→\(ctx.seedLabel(ctx.other))"
                let f = Charts.factor(forWidth: rr.width - 7)
                bins[i] = HistogramData.fineBins / f
                if binCursor[i] < 0 { binCursor[i] = min(bins[i] - 1, Int(ctx.threshold * Float(bins[i]))) }
                binCursor[i] = min(binCursor[i], bins[i] - 1)
                let hit = Charts.histogram(&g, rr, title: title, data: hs[i], threshold: ctx.threshold,
                                           cursor: binCursor[i], focused: pane == i)
                hitBoxes.append((rr, i, hit.x0, hit.binWidth, hit.bins))
            }
        } else {
            g.put(histArea.x + 2, histArea.y + 1, "matching \(ctx.seedLabel(ctx.base))→\(ctx.seedLabel(ctx.other)) not available", .warn)
        }
        // Side panels: heatmap, k-of-N, only-in-one curve.
        let n = ctx.seedCount
        let heatH = min(side.height / 2, n + 3)
        let parts: [Rect]
        if wide {
            let kH = min(n + 2, (side.height - heatH) / 2)
            parts = [Rect(x: side.x, y: side.y, width: side.width, height: heatH),
                     Rect(x: side.x, y: side.y + heatH, width: side.width, height: kH),
                     Rect(x: side.x, y: side.y + heatH + kH, width: side.width, height: side.height - heatH - kH)]
        } else {
            let w3 = side.width / 3
            parts = [Rect(x: side.x, y: side.y, width: w3, height: side.height),
                     Rect(x: side.x + w3, y: side.y, width: w3, height: side.height),
                     Rect(x: side.x + 2 * w3, y: side.y, width: side.width - 2 * w3, height: side.height)]
        }
        drawHeatmap(&g, parts[0])
        drawKofN(&g, parts[1])
        drawOnlyInOne(&g, parts[2])
        for (i, p) in parts.enumerated() { hitBoxes.append((p, 4 + i, 0, 1, 0)) }
    }

    private func drawHeatmap(_ g: inout CellGrid, _ r: Rect) {
        guard r.height >= 3, r.width >= 12 else { return }
        let n = ctx.seedCount
        g.putPadded(r.x, r.y, " shared fraction, row seed → column seed", width: r.width, pane == 4 ? .crumbActive : .header)
        let h = ctx.heatmap()
        let cw = (r.width - 4) / max(1, n) >= 5 ? 5 : 3
        for j in 0..<n { g.putPadded(r.x + 4 + j * cw, r.y + 1, ctx.seedLabel(j), width: cw - 1, .axis, alignRight: true) }
        for i in 0..<n where r.y + 2 + i < r.y + r.height {
            let y = r.y + 2 + i
            g.put(r.x, y, ctx.seedLabel(i), .axis, maxWidth: 3)
            for j in 0..<n {
                let v = h[i * n + j]
                let text = v.isNaN ? "–" : cw == 5 ? String(format: "%.2f", v) : String(Int((v * 100).rounded()))
                let sel = pane == 4 && heatCursor.row == i && heatCursor.col == j
                g.putPadded(r.x + 4 + j * cw, y, text, width: cw - 1, sel ? .selection : i == j ? .dim : ColorRole.heat(v), alignRight: true)
            }
        }
    }

    private func drawKofN(_ g: inout CellGrid, _ r: Rect) {
        guard r.height >= 2, r.width >= 16 else { return }
        let n = ctx.seedCount
        g.putPadded(r.x, r.y, " \(ctx.seedLabel(ctx.base)) latents shared in k of \(n) seeds", width: r.width, pane == 5 ? .crumbActive : .header)
        let total = max(1, ctx.width)
        let maxC = max(1, ctx.kCounts.dropFirst().max() ?? 1)
        for k in 1...max(1, n) where r.y + k < r.y + r.height {
            let y = r.y + k
            let c = k < ctx.kCounts.count ? ctx.kCounts[k] : 0
            let sel = pane == 5 && kCursor == k - 1
            let narrow = r.width < 40
            let label = k == 1 && !narrow ? "k=1 unique" : k == n && !narrow ? "k=\(k) all" : "k=\(k)"
            let lw = narrow ? 5 : 11
            g.putPadded(r.x + 1, y, label, width: lw - 1, sel ? .selection : .axis)
            let tail = narrow ? String(format: " %.0f%%", Double(c) / Double(total) * 100)
                              : String(format: " %d %4.1f%%", c, Double(c) / Double(total) * 100)
            let bw = max(1, r.width - lw - 2 - CharWidth.of(tail))
            Charts.hbar(&g, r.x + lw + 1, y, fraction: Double(c) / Double(maxC), width: bw, k == 1 ? .barAlt : .bar)
            g.put(r.x + lw + 1 + bw, y, tail, .normal, maxWidth: max(0, r.x + r.width - (r.x + lw + 1 + bw) - 1))
        }
    }

    private func drawOnlyInOne(_ g: inout CellGrid, _ r: Rect) {
        guard r.height >= 5, r.width >= 16 else { return }
        g.putPadded(r.x, r.y, " only in \(ctx.seedLabel(ctx.base)) (no partner ≥ t) vs threshold t", width: r.width, pane == 6 ? .crumbActive : .header)
        let plotH = r.height - 3, yAxisW = 5
        let plotW = r.width - yAxisW - 1
        let x0 = r.x + yAxisW + 1
        g.put(r.x, r.y + 1, "100%", .axis)
        g.put(r.x + 2, r.y + plotH, "0%", .axis)
        for yy in 0..<plotH { g.put(r.x + yAxisW, r.y + 1 + yy, g.glyphs.vbar, .axis) }
        let tCol = min(plotW - 1, Int(ctx.threshold * Float(plotW)))
        for c in 0..<plotW {
            let t = (Float(c) + 0.5) / Float(plotW)
            let f = ctx.onlyInOneFraction(at: t)
            let row = plotH - 1 - min(plotH - 1, Int(f * Float(plotH)))
            if c == tCol { for yy in 0..<plotH { g.put(x0 + c, r.y + 1 + yy, g.glyphs.vbar, .threshold) } }
            g.put(x0 + c, r.y + 1 + row, g.glyphs.dot, c == tCol ? .threshold : .accent)
        }
        let ay = r.y + plotH + 1
        g.hline(x0, ay, plotW, .axis)
        g.put(x0, ay, "0", .axis); g.put(x0 + plotW - 1, ay, "1", .axis)
        let f = ctx.onlyInOneFraction(at: ctx.threshold)
        g.put(x0 + 2, ay + 1, String(format: "t (%@ cos) \u{B7} at τ: %.1f%% only in one", ctx.criterion.label, f * 100), .dim, maxWidth: plotW - 2)
    }

    // MARK: - Navigation

    func moveColumn(_ app: App, by d: Int) -> Reaction {
        switch pane {
        case 0..<4: binCursor[pane] = max(0, min(bins[pane] - 1, binCursor[pane] + d))
        case 4: heatCursor.col = max(0, min(ctx.seedCount - 1, heatCursor.col + d))
        default: break
        }
        return .redraw
    }

    func move(_ app: App, rows d: Int) -> Reaction {
        switch pane {
        case 4: heatCursor.row = max(0, min(ctx.seedCount - 1, heatCursor.row + d))
        case 5: kCursor = max(0, min(ctx.seedCount - 1, kCursor + d))
        case 0..<4:
            // Up/down moves between the histogram rows (dec ↔ enc).
            if d > 0 && pane < 2 { pane += 2 } else if d < 0 && pane >= 2 { pane -= 2 }
        default: break
        }
        return .redraw
    }

    func jump(_ app: App, toEnd: Bool) -> Reaction {
        if pane < 4 { binCursor[pane] = toEnd ? bins[pane] - 1 : 0 }
        return .redraw
    }

    /// The selected bin of pane `p` as a cosine interval.
    func binRange(_ p: Int) -> (Float, Float) {
        let b = bins[p]
        let c = binCursor[p] < 0 ? min(b - 1, Int(ctx.threshold * Float(b))) : binCursor[p]
        return (Float(c) / Float(b), Float(c + 1) / Float(b))
    }

    func activate(_ app: App) -> Reaction {
        switch pane {
        case 0..<4:
            let t = TableView(ctx: ctx)
            let (lo, hi) = binRange(pane)
            t.table.bin = LatentTable.BinFilter(series: HistogramSeries(rawValue: pane)!, other: ctx.other, low: lo, high: hi)
            app.push(t)
        case 4:
            guard heatCursor.row != heatCursor.col else { app.flash("pick an off-diagonal cell (a seed pair)"); return .redraw }
            ctx.setBase(heatCursor.row)
            ctx.other = heatCursor.col
            app.flash("histograms: \(ctx.seedLabel(ctx.base)) vs \(ctx.seedLabel(ctx.other))")
        case 5:
            let t = TableView(ctx: ctx)
            t.table.exactK = kCursor + 1
            app.push(t)
        default:
            app.push(TableView(ctx: ctx))
        }
        return .redraw
    }

    func click(_ app: App, x: Int, y: Int) -> Reaction {
        for h in hitBoxes where h.rect.contains(x, y) {
            let samePane = pane == h.pane
            pane = h.pane
            if h.pane < 4, h.bins > 0, x >= h.x0 {
                let b = (x - h.x0) / max(1, h.bw)
                // A second click on the selected bin dives into it (like Enter).
                if b < h.bins { if samePane && binCursor[h.pane] == b { return activate(app) }; binCursor[h.pane] = b }
            }
            return .redraw
        }
        return .none
    }

    func search(_ app: App, _ term: String, forward: Bool) -> Bool {
        let t = TableView(ctx: ctx)
        app.push(t)
        return t.search(app, term, forward: forward)
    }

    /// Status line help for the focused pane.
    func paneStatus() -> String {
        guard pane < 4, let hs = histograms() else { return "" }
        let (c, b) = hs[pane].merged(HistogramData.fineBins / bins[pane])
        let i = max(0, min(binCursor[pane], c.count - 1))
        let (lo, hi) = binRange(pane)
        let base = b.map { String(format: ", random-init %.0f", $0[i]) } ?? ""
        return String(format: "%@ bin [%.3f, %.3f): %d latents (%.1f%%)%@ — Enter filters the table", HistogramSeries(rawValue: pane)!.label,
                      lo, hi, c[i], Double(c[i]) / Double(max(1, hs[pane].total)) * 100, base)
    }

    func export(_ app: App, dir: String) throws -> String {
        guard let hs = histograms() else { throw ExportError(message: "no matching for this pair") }
        let n = ctx.seedCount
        var svg = SVGDocument(width: 900, height: 640 + Double(n) * 22)
        svg.text(450, 20, "\(ctx.data.summary.name): \(ctx.seedLabel(ctx.base)) vs \(ctx.seedLabel(ctx.other)), \(ctx.width) latents, τ=\(String(format: "%.2f", ctx.threshold)) (\(ctx.criterion.rawValue))", size: 14, anchor: "middle", bold: true)
        for (i, s) in HistogramSeries.allCases.enumerated() {
            svg.histogram(x: Double(i % 2) * 450, y: 30 + Double(i / 2) * 260, w: 440, h: 250, title: s.label,
                          counts: hs[i].counts, baseline: hs[i].baseline, threshold: ctx.threshold, xLabel: "cosine similarity")
        }
        let hy = 560.0, h = ctx.heatmap()
        svg.text(20, hy, "shared fraction (row seed → column seed)", size: 12, bold: true)
        for i in 0..<n {
            svg.text(20, hy + 34 + Double(i) * 22, ctx.seedLabel(i), size: 10)
            svg.text(64 + Double(i) * 50, hy + 16, ctx.seedLabel(i), size: 10, anchor: "middle")
            for j in 0..<n {
                let v = Double(h[i * n + j].isNaN ? 0 : h[i * n + j])
                let shade = Int(255 - v * 200)
                svg.rect(40 + Double(j) * 50, hy + 20 + Double(i) * 22, 48, 20, fill: "rgb(\(shade),\(shade),255)")
                svg.text(64 + Double(j) * 50, hy + 34 + Double(i) * 22, String(format: "%.2f", v), size: 10, anchor: "middle")
            }
        }
        svg.text(500, hy, "latents of \(ctx.seedLabel(ctx.base)) shared in k of \(n) seeds", size: 12, bold: true)
        let maxK = Double(max(1, ctx.kCounts.dropFirst().max() ?? 1))
        for k in 1...n {
            let c = Double(k < ctx.kCounts.count ? ctx.kCounts[k] : 0)
            svg.text(500, hy + 34 + Double(k - 1) * 22, "k=\(k)", size: 10)
            svg.rect(540, hy + 22 + Double(k - 1) * 22, c / maxK * 280, 16, fill: k == 1 ? "#cc79a7" : "#4682b4")
            svg.text(545 + c / maxK * 280, hy + 34 + Double(k - 1) * 22, String(Int(c)), size: 10)
        }
        return try Export.write(svg.rendered, dir: dir, name: "seedscope-overview-\(ctx.id)-\(ctx.seedLabel(ctx.base))-\(ctx.seedLabel(ctx.other)).svg")
    }
}
