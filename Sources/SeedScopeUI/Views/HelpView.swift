/// `?`: every command that applies to the view underneath, with its keys and help, generated from the
/// command table (so it can never drift from the real bindings), plus the palette-only commands.
final class HelpView: ExplorerView {
    let kind = ViewKind.help
    let target: ViewKind
    var crumb: String { "Help" }
    private var top = 0
    private(set) var pageSize = 10
    private var lineCount = 0
    private var lastMatch = -1

    init(for target: ViewKind) { self.target = target }

    private func lines(_ app: App) -> [(String, String, ColorRole)] {
        var out: [(String, String, ColorRole)] = [("Keys in \(target.title)", "", .title)]
        let cmds = app.commands.filter { $0.applies(to: target) }
        for c in cmds where !c.keys.isEmpty { out.append((c.keyLabel(ascii: app.ascii), c.name + " \u{B7} " + c.help, .normal)) }
        out.append(("", "", .normal))
        out.append(("Palette (:name [argument])", "", .title))
        for c in cmds where c.keys.isEmpty || c.argument != nil {
            out.append((":" + c.name + (c.argument.map { " <\($0)>" } ?? ""), c.help, .normal))
        }
        out.append((":1234  :s3/1234", "jump to a latent id (base seed, or seed 3)", .normal))
        out.append(("", "", .normal))
        out.append(("Everywhere", "", .title))
        out.append(("mouse", "click selects (twice opens), wheel scrolls, click a key hint to run it, a breadcrumb to go back", .normal))
        out.append(("τ, criterion", "a latent is shared with a seed when its matched partner's cosine (criterion) ≥ τ", .normal))
        return out
    }

    func render(_ g: inout CellGrid, _ r: Rect, _ app: App) {
        let ls = lines(app)
        lineCount = ls.count
        pageSize = max(1, r.height - 2)
        top = max(0, min(top, ls.count - r.height))
        let kw = min(24, max(10, ls.map { CharWidth.of($0.0) }.max() ?? 10))
        for (i, l) in ls.dropFirst(top).prefix(r.height).enumerated() {
            let y = r.y + i
            if l.2 == .title { g.put(r.x + 1, y, l.0, .header); continue }
            g.putPadded(r.x + 2, y, l.0, width: kw, i + top == lastMatch ? .selection : .accent)
            g.put(r.x + 3 + kw, y, l.1, .normal, maxWidth: r.width - kw - 4)
        }
    }

    func move(_ app: App, rows: Int) -> Reaction { top = max(0, min(lineCount - 1, top + rows)); return .redraw }
    func jump(_ app: App, toEnd: Bool) -> Reaction { top = toEnd ? lineCount : 0; return .redraw }

    func search(_ app: App, _ term: String, forward: Bool) -> Bool {
        let ls = lines(app), n = ls.count
        for step in 1...max(1, n) {
            let i = ((max(lastMatch, top) + (forward ? step : -step)) % n + n) % n
            if (ls[i].0 + " " + ls[i].1).localizedCaseInsensitiveContains(term) { lastMatch = i; top = max(0, i - 3); return true }
        }
        return false
    }
}
