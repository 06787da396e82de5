import Foundation

extension App {
    /// Draws the whole screen: breadcrumbs, the top view, the status line and the key-hint bar (or the
    /// prompt and palette suggestions), or the "terminal too small" screen.
    public func render(into g: inout CellGrid) {
        g.glyphs = Glyphs(ascii: ascii)
        g.reset(width: width, height: height)
        frames += 1
        if tooSmall { renderTooSmall(&g); return }
        renderCrumbs(&g)
        let body = Rect(x: 0, y: 1, width: width, height: height - 3)
        top.render(&g, body, self)
        renderStatus(&g, y: height - 2)
        if let p = prompt { renderPrompt(&g, p) } else { renderHints(&g, y: height - 1) }
    }

    private func renderTooSmall(_ g: inout CellGrid) {
        let need = "need \(App.minWidth)\(g.glyphs.times)\(App.minHeight)"
        let have = "have \(width)\(g.glyphs.times)\(height)"
        // Word-wrap into the space available; never crash, whatever the size.
        var lines: [String] = []
        for phrase in ["terminal too small:", need, have, "resize, or Q to quit"] {
            var cur = ""
            for w in phrase.split(separator: " ") {
                if cur.isEmpty { cur = String(w) } else if cur.count + 1 + w.count <= width { cur += " " + w } else { lines.append(cur); cur = String(w) }
            }
            lines.append(cur)
        }
        let y0 = max(0, (height - lines.count) / 2)
        for (i, l) in lines.enumerated() where y0 + i < height {
            let role: ColorRole = i == 0 ? .statusError : (l.hasPrefix("need") ? .warn : .normal)
            g.put(max(0, (width - CharWidth.of(l)) / 2), y0 + i, l, role)
        }
    }

    private func renderCrumbs(_ g: inout CellGrid) {
        g.fill(0, 0, width, 1, .crumb)
        var x = 0
        for (i, c) in stack.enumerated() {
            let last = i == stack.count - 1
            x += g.put(x, 0, " " + c.crumb + " ", last ? .crumbActive : .crumb, maxWidth: width - x)
            if !last { x += g.put(x, 0, g.glyphs.sep, .crumb, maxWidth: width - x) }
        }
        // Right side: the live matching settings when a run is open, plus a job indicator.
        var right = ""
        let active = jobs.filter { $0.state == .running || $0.state == .queued }
        if !active.isEmpty {
            let p = active.map(\.progress).reduce(0, +) / Double(active.count)
            right += "\(active.count) job\(active.count == 1 ? "" : "s") \(Int(p * 100))%  "
        }
        if currentContext != nil { right += String(format: "τ=%.2f %@ ", threshold, criterion.label) }
        let rw = CharWidth.of(right)
        if x + rw + 1 < width { g.put(width - rw, 0, right, .crumb, .bold) }
    }

    private func renderStatus(_ g: inout CellGrid, y: Int) {
        g.fill(0, y, width, 1, .status)
        if !pending.isEmpty {
            g.put(1, y, "pending: " + pending.map { ascii ? $0.asciiLabel : $0.label }.joined() + " …", .status)
        } else if !message.isEmpty {
            g.putPadded(0, y, " " + message, width: width, messageIsError ? .statusError : .statusOK)
        } else {
            g.put(1, y, status(), .status, maxWidth: width - 2)
        }
    }

    /// The default status text: what the current view shows.
    private func status() -> String {
        if let t = top as? TableView { return t.statusLine() }
        if let l = top as? LatentView { return l.statusLine(self) }
        if let o = top as? OverviewView, !o.paneStatus().isEmpty { return o.paneStatus() }
        if top.capturesText { return "editing: printable keys type into the field \u{B7} F1 help \u{B7} Esc cancels" }
        return "\(runs.count) runs \u{B7} \(jobs.filter { $0.state == .running }.count) running jobs \u{B7} ? help \u{B7} : commands"
    }

    private func renderHints(_ g: inout CellGrid, y: Int) {
        g.fill(0, y, width, 1, .keyHint)
        hintHits = []
        var x = 0
        for (i, c) in commands.enumerated() where c.hint != nil && c.applies(to: top.kind) {
            let typed = top.capturesText
            guard let first = c.keys.first(where: { seq in
                !typed || !seq.contains { if case .char = $0 { return true } else { return false } }
            }) else { continue }
            let key = first.map { ascii ? $0.asciiLabel : $0.label }.joined()
            let w = CharWidth.of(key) + CharWidth.of(c.hint!) + 2
            if x + w > width { break }
            let x0 = x
            x += g.put(x, y, key, .keyHintKey)
            x += g.put(x, y, " " + c.hint! + " ", .keyHint)
            hintHits.append((x0, x, i))
        }
    }

    private func renderPrompt(_ g: inout CellGrid, _ p: Prompt) {
        let y = height - 1
        let lead: String
        switch p.kind {
        case .search: lead = "/"
        case .command: lead = ":"
        case .filter: lead = "filter tokens: "
        }
        g.fill(0, y, width, 1, .input)
        let used = g.put(0, y, lead, .input, .bold)
        // Keep the end of long input visible.
        var shown = p.text
        while CharWidth.of(shown) > width - used - 2, !shown.isEmpty { shown.removeFirst() }
        let tw = g.put(used, y, shown, .input)
        g.put(used + tw, y, g.glyphs.ascii ? "_" : "▏", .input)
        guard p.kind == .command else { return }
        // Palette suggestions above the prompt (most relevant nearest).
        let matches = paletteMatches(p.text)
        let maxRows = min(matches.count, max(0, height - 4), 8)
        let nameW = min(22, max(8, matches.prefix(maxRows).map { CharWidth.of(commands[$0].name) }.max() ?? 8))
        for (r, i) in matches.prefix(maxRows).enumerated() {
            let yy = y - 1 - r
            let c = commands[i]
            g.fill(0, yy, width, 1, .dialog)
            g.putPadded(1, yy, c.name + (c.argument.map { " <\($0)>" } ?? ""), width: nameW + 12, r == 0 ? .selection : .dialog)
            g.putPadded(nameW + 14, yy, c.keyLabel(ascii: ascii), width: 10, .accent)
            g.put(nameW + 25, yy, c.help, .dialog, maxWidth: width - nameW - 26)
        }
    }
}
