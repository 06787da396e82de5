import Foundation

/// Latent detail: statistics, activation histogram, partners in every other seed with cosines, the
/// top-activating windows (each token's background coloured by activation, the selected token's exact
/// value in the status line), interval samples, and the partner latent's windows side by side.
final class LatentView: ExplorerView, PaneCycling {
    let kind = ViewKind.latent
    let ctx: RunContext
    let seed: Int
    let latent: Int
    let card: LatentCard?
    var crumb: String { "\(ctx.seedLabel(seed))/\(latent)" }
    /// Seed index whose partner is shown side by side (and `p` hops to).
    private(set) var side: Int
    private var partnerCards: [Int: LatentCard?] = [:]
    /// 0 = windows, 1 = partners.
    private var pane = 0
    private var partnerRow = 0
    private var windowIndex = 0
    private var tokenIndex = 0
    private var scrollTop = 0
    private(set) var pageSize = 5
    private var windowRows: [Int: Int] = [:]   // screen y → window index (for clicks)
    /// Tokens shown either side of the focus token (nil = the whole window), cycled with `{` `}`.
    private(set) var context: Int? = nil
    static let contexts: [Int?] = [5, 16, nil]
    private var partnerRows: [Int: Int] = [:]  // screen y → partner row

    init(ctx: RunContext, seed: Int, latent: Int) {
        self.ctx = ctx; self.seed = seed; self.latent = latent
        card = ctx.provider.latentCard(ctx.id, seed: seed, latent: latent)
        side = seed == 0 ? min(1, ctx.seedCount - 1) : 0
        if let c = card { tokenIndex = Self.peak(c.topWindows.first) }
    }

    private var others: [Int] { (0..<ctx.seedCount).filter { $0 != seed } }

    /// All windows in display order: top windows then interval samples.
    private var windows: [(window: ActivatingWindow, group: String)] {
        guard let c = card else { return [] }
        var out = c.topWindows.map { ($0, "top") }
        for iv in c.intervals { out += iv.windows.map { ($0, String(format: "interval %.2f–%.2f", iv.low, iv.high)) } }
        return out
    }

    static func peak(_ w: ActivatingWindow?) -> Int {
        guard let w, !w.activations.isEmpty else { return 0 }
        return w.activations.indices.max { w.activations[$0] < w.activations[$1] }!
    }

    func partner(in s: Int) -> Int? {
        guard let p = ctx.pair(seed, s), latent < p.partner.count, p.partner[latent] >= 0 else { return nil }
        return Int(p.partner[latent])
    }

    func partnerCard(_ s: Int) -> LatentCard? {
        if let c = partnerCards[s] { return c }
        let c = partner(in: s).flatMap { ctx.provider.latentCard(ctx.id, seed: s, latent: $0) }
        partnerCards[s] = c
        return c
    }

    func cyclePane(by d: Int) { pane = 1 - pane }

    func cycleOther(_ app: App) {
        guard let i = others.firstIndex(of: side) else { side = others.first ?? seed; return }
        side = others[(i + 1) % others.count]
        partnerRow = others.firstIndex(of: side) ?? 0
        app.flash("side by side: partner in \(ctx.seedLabel(side))")
    }

    // MARK: - Rendering

    func render(_ g: inout CellGrid, _ r: Rect, _ app: App) {
        let s = ctx.data.latents[seed]
        let dead = s.dead[latent]
        var shared = 1
        for o in others { if let p = ctx.pair(seed, o), ctx.criterion.value(p, latent) >= ctx.threshold { shared += 1 } }
        let title = "latent \(ctx.seedLabel(seed))/\(latent) \u{B7} " + (dead ? "DEAD \u{B7} " : "") +
            String(format: "freq %.2e \u{B7} max act %.2f \u{B7} shared in %d of %d seeds", s.firingFrequency[latent], s.maxActivation[latent], shared, ctx.seedCount)
        g.put(r.x + 1, r.y, title, dead ? .bad : .title, maxWidth: r.width - 2)
        g.put(r.x + 1, r.y + 1, "top tokens: " + TokenText.display(s.topTokens[latent], ascii: g.glyphs.ascii), .dim, maxWidth: r.width - 2)
        // Left: activation histogram; right: partners.
        let topH = max(4, min(ctx.seedCount + 2, 10))
        let leftW = min(44, r.width / 3)
        drawActivationHistogram(&g, Rect(x: r.x + 1, y: r.y + 2, width: leftW - 1, height: topH))
        drawPartners(&g, Rect(x: r.x + leftW + 1, y: r.y + 2, width: r.width - leftW - 2, height: topH))
        let wy = r.y + 2 + topH
        let wr = Rect(x: r.x, y: wy, width: r.width, height: r.height - 2 - topH)
        if r.width >= 100 {
            let half = r.width / 2
            drawWindows(&g, Rect(x: wr.x, y: wr.y, width: half - 1, height: wr.height), card: card, title: "\(ctx.seedLabel(seed))/\(latent)", interactive: true)
            let pc = partnerCard(side)
            let pt = partner(in: side).map { "partner \(ctx.seedLabel(side))/\($0)" } ?? "no partner in \(ctx.seedLabel(side))"
            drawWindows(&g, Rect(x: wr.x + half, y: wr.y, width: r.width - half, height: wr.height), card: pc, title: pt, interactive: false)
        } else {
            drawWindows(&g, wr, card: card, title: "\(ctx.seedLabel(seed))/\(latent) (widen to ≥100 columns for the partner side by side)", interactive: true)
        }
    }

    private func drawActivationHistogram(_ g: inout CellGrid, _ r: Rect) {
        g.putPadded(r.x, r.y, "activation histogram", width: r.width, .header)
        guard let c = card, !c.histogramCounts.isEmpty, r.height >= 4 else {
            g.put(r.x, r.y + 1, card == nil ? "no profile for this latent" : "never fired", .dim); return
        }
        let plotH = r.height - 3, bins = c.histogramCounts.count
        let bw = max(1, (r.width - 1) / bins)
        let maxC = max(1, c.histogramCounts.max() ?? 1)
        let e = g.glyphs.vEighths
        for (b, n) in c.histogramCounts.enumerated() where b * bw < r.width {
            let h8 = Int((Double(n) / Double(maxC) * Double(plotH * 8)).rounded())
            for yy in 0..<plotH {
                let level = h8 - (plotH - 1 - yy) * 8
                if level > 0 { for k in 0..<bw { g.put(r.x + b * bw + k, r.y + 1 + yy, e[min(8, level)], .bar) } }
            }
        }
        g.hline(r.x, r.y + 1 + plotH, min(r.width, bins * bw), .axis)
        g.put(r.x, r.y + 1 + plotH, "0", .axis)
        let mx = String(format: "%.1f", c.histogramMax)
        g.put(r.x + min(r.width, bins * bw) - CharWidth.of(mx), r.y + 1 + plotH, mx, .axis)
        g.put(r.x, r.y + 2 + plotH, "activation (non-zero) \u{B7} peak bin \(Charts.compact(maxC))", .dim, maxWidth: r.width)
    }

    private func drawPartners(_ g: inout CellGrid, _ r: Rect) {
        partnerRows = [:]
        g.putPadded(r.x, r.y, "partners (matched, one-to-one)", width: r.width, pane == 1 ? .crumbActive : .header)
        let hdr = ["seed", "latent", "dec", "enc", "max dec", "agree", "shared"]
        let ws = [5, 7, 6, 6, 8, 6, 7]
        var x = r.x
        for (h, w) in zip(hdr, ws) { g.putPadded(x, r.y + 1, h, width: w, .axis, alignRight: h != "seed" && h != "shared"); x += w + 1 }
        for (row, o) in others.enumerated() where r.y + 2 + row < r.y + r.height {
            let y = r.y + 2 + row
            partnerRows[y] = row
            let sel = pane == 1 && row == partnerRow
            let isSide = o == side
            if sel { g.fill(r.x, y, r.width, 1, .selection) }
            var x = r.x
            func col(_ s: String, _ w: Int, _ role: ColorRole, right: Bool = true) {
                g.putPadded(x, y, s, width: w, sel ? .selection : role, alignRight: right); x += w + 1
            }
            col((isSide ? g.glyphs.sep : " ") + ctx.seedLabel(o), ws[0], isSide ? .accent : .normal, right: false)
            guard let p = ctx.pair(seed, o) else { col("no matching", 20, .dim, right: false); continue }
            let pass = ctx.criterion.value(p, latent) >= ctx.threshold
            col(p.partner[latent] < 0 ? "–" : String(p.partner[latent]), ws[1], .normal)
            col(String(format: "%.3f", p.decoderCos[latent]), ws[2], ColorRole.heat(p.decoderCos[latent]))
            col(String(format: "%.3f", p.encoderCos[latent]), ws[3], ColorRole.heat(p.encoderCos[latent]))
            col(String(format: "%.3f", p.decoderMaxCos[latent]), ws[4], .normal)
            col(p.agreement[latent].isNaN ? "–" : String(format: "%.2f", p.agreement[latent]), ws[5], .normal)
            col(pass ? g.glyphs.check + " yes" : g.glyphs.cross + " no", ws[6], pass ? .good : .bad, right: false)
        }
    }

    /// Draws the windows of `card`: one line per window, centred on its peak, tokens heat-coloured.
    private func drawWindows(_ g: inout CellGrid, _ r: Rect, card: LatentCard?, title: String, interactive: Bool) {
        g.putPadded(r.x + 1, r.y, title, width: r.width - 2, interactive && pane == 0 ? .crumbActive : .header)
        guard let card else { g.put(r.x + 2, r.y + 1, "no profile", .dim); return }
        let scale = max(card.histogramMax, card.topWindows.first.map { $0.activations.max() ?? 0 } ?? 0, 1e-6)
        var items: [(ActivatingWindow, String)] = card.topWindows.map { ($0, "top") }
        for iv in card.intervals {
            items += iv.windows.map { ($0, String(format: "interval %.2f–%.2f \u{B7} contains %.1f%% (%@)", iv.low, iv.high, iv.fraction * 100, card.intervalMode)) }
        }
        if items.isEmpty { g.put(r.x + 2, r.y + 1, "never fired: no windows", .dim); return }
        let rowsAvail = r.height - 1
        if interactive {
            pageSize = max(1, rowsAvail - 2)
            windowRows = [:]
            windowIndex = max(0, min(windowIndex, items.count - 1))
            if windowIndex < scrollTop { scrollTop = windowIndex }
            // Group headers take lines too: scroll until the cursor's line fits.
            while scrollTop < windowIndex, lines(items, from: scrollTop, upTo: windowIndex) > rowsAvail { scrollTop += 1 }
        }
        var y = r.y + 1
        var lastGroup = ""
        var i = interactive ? scrollTop : min(scrollTop, items.count - 1)
        while i < items.count, y < r.y + r.height {
            let (w, group) = items[i]
            if group != lastGroup {
                g.put(r.x + 1, y, group == "top" ? "top activations" : group, .accent, maxWidth: r.width - 2)
                lastGroup = group; y += 1
                if y >= r.y + r.height { break }
            }
            let sel = interactive && i == windowIndex
            if interactive { windowRows[y] = i }
            g.put(r.x, y, sel ? (g.glyphs.ascii ? ">" : "▶") : " ", .accent)
            let lab = String(format: "%5.2f ", w.activations.max() ?? 0)
            g.put(r.x + 1, y, lab, .dim)
            drawTokens(&g, x: r.x + 7, y: y, width: r.width - 8, window: w, scale: scale,
                       selected: sel ? tokenIndex : nil)
            y += 1; i += 1
        }
    }

    private func lines(_ items: [(ActivatingWindow, String)], from a: Int, upTo b: Int) -> Int {
        var n = 0, last = a > 0 ? items[a - 1].1 : ""
        if a > 0 { last = "" }
        for i in a...b { if items[i].1 != last { n += 1; last = items[i].1 }; n += 1 }
        return n
    }

    /// One window's tokens, each with its activation as background, scrolled so the focus token (the
    /// selected one, else the peak) is visible.
    private func drawTokens(_ g: inout CellGrid, x: Int, y: Int, width: Int, window w: ActivatingWindow, scale: Float, selected: Int?) {
        guard width > 4, !w.tokens.isEmpty else { return }
        let focus = min(w.tokens.count - 1, selected ?? Self.peak(w))
        let shown = w.tokens.map { TokenText.display($0, ascii: g.glyphs.ascii) }
        let widths = shown.map { CharWidth.of($0) }
        // Start so that the focus token sits around the first third.
        let lo = context.map { max(0, focus - $0) } ?? 0
        let hi = context.map { min(w.tokens.count, focus + $0 + 1) } ?? w.tokens.count
        var start = focus, used = widths[focus]
        while start > lo, used + widths[start - 1] <= width / 3 { start -= 1; used += widths[start] }
        var cx = x
        if start > 0 { cx += g.put(cx, y, g.glyphs.ellipsis, .dim) }
        for t in start..<hi {
            if cx + widths[t] > x + width { g.put(x + width - 1, y, g.glyphs.ellipsis, .dim); break }
            let a = t < w.activations.count ? w.activations[t] : 0
            let role: ColorRole = t == selected ? .tokenSelected : ColorRole.heat(a / scale)
            cx += g.put(cx, y, shown[t], role)
        }
    }

    func statusLine(_ app: App) -> String {
        let ws = windows
        guard windowIndex < ws.count else { return card == nil ? "no profile for this latent" : "no windows" }
        let w = ws[windowIndex].window
        guard tokenIndex < w.tokens.count else { return "" }
        let tok = TokenText.display(w.tokens[tokenIndex], ascii: app.ascii)
        let a = tokenIndex < w.activations.count ? w.activations[tokenIndex] : 0
        return String(format: "token '%@' act %.4f \u{B7} window %d pos %d \u{B7} h/l token, j/k window, p partner, o seed", tok, a, w.window, w.start + tokenIndex)
    }

    // MARK: - Navigation

    func move(_ app: App, rows d: Int) -> Reaction {
        if pane == 1 {
            partnerRow = max(0, min(others.count - 1, partnerRow + d))
            if partnerRow < others.count { side = others[partnerRow] }
            return .redraw
        }
        let n = windows.count
        guard n > 0 else { return .none }
        windowIndex = max(0, min(n - 1, windowIndex + d))
        tokenIndex = Self.peak(windows[windowIndex].window)
        return .redraw
    }

    func moveColumn(_ app: App, by d: Int) -> Reaction {
        let ws = windows
        guard windowIndex < ws.count else { return .none }
        tokenIndex = max(0, min(ws[windowIndex].window.tokens.count - 1, tokenIndex + d))
        return .redraw
    }

    func jump(_ app: App, toEnd: Bool) -> Reaction {
        let n = windows.count
        guard n > 0 else { return .none }
        windowIndex = toEnd ? n - 1 : 0
        if !toEnd { scrollTop = 0 }
        tokenIndex = Self.peak(windows[windowIndex].window)
        return .redraw
    }

    func activate(_ app: App) -> Reaction { hop(app) }

    /// `{` / `}`: less / more context around the focus token (±5, ±16, whole window).
    func changeContext(_ app: App, by d: Int) -> Reaction {
        let i = Self.contexts.firstIndex(of: context) ?? 2
        context = Self.contexts[max(0, min(Self.contexts.count - 1, i + d))]
        app.flash("context: " + (context.map { "±\($0) tokens" } ?? "whole window"))
        return .redraw
    }

    /// Opens the partner latent in the side seed (q comes back here).
    func hop(_ app: App) -> Reaction {
        if pane == 1, partnerRow < others.count { side = others[partnerRow] }
        guard let p = partner(in: side) else { app.flash("no partner in \(ctx.seedLabel(side))", error: true); return .redraw }
        app.push(LatentView(ctx: ctx, seed: side, latent: p))
        return .redraw
    }

    func search(_ app: App, _ term: String, forward: Bool) -> Bool {
        let ws = windows, n = ws.count
        guard n > 0 else { return false }
        let needle = term.lowercased()
        for step in 1...n {
            let i = ((windowIndex + (forward ? step : -step)) % n + n) % n
            if let t = ws[i].window.tokens.firstIndex(where: { $0.lowercased().contains(needle) }) {
                windowIndex = i; tokenIndex = t; return true
            }
        }
        return false
    }

    func click(_ app: App, x: Int, y: Int) -> Reaction {
        if let w = windowRows[y] { pane = 0; windowIndex = w; tokenIndex = Self.peak(windows[w].window); return .redraw }
        if let p = partnerRows[y] { pane = 1; partnerRow = p; side = others[p]; return .redraw }
        return .none
    }

    func export(_ app: App, dir: String) throws -> String {
        var rows = [["seed", "latent", "group", "window", "position", "token", "activation"]]
        func add(_ c: LatentCard?, _ s: Int) {
            guard let c else { return }
            let groups = [("top", c.topWindows)] + c.intervals.map { (String(format: "interval %.4g-%.4g", $0.low, $0.high), $0.windows) }
            for (gname, ws) in groups {
                for w in ws {
                    for (t, tok) in w.tokens.enumerated() {
                        rows.append([ctx.seedLabel(s), String(c.latent), gname, String(w.window), String(w.start + t), tok,
                                     String(t < w.activations.count ? w.activations[t] : 0)])
                    }
                }
            }
        }
        add(card, seed)
        add(partnerCard(side), side)
        return try Export.writeCSV(rows, dir: dir, name: "seedscope-latent-\(ctx.id)-\(ctx.seedLabel(seed))-\(latent).csv")
    }
}
