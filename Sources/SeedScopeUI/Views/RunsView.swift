import Foundation

/// The root view: every run of the workspace with status, seeds, width, shared fraction and progress.
/// Shared fractions appear as runs finish loading: one run is loaded per tick after the first frame,
/// so start-up never waits for the biggest run.
final class RunsView: ExplorerView {
    let kind = ViewKind.runs
    var crumb: String { "Runs" }
    private var cursor = ListCursor()
    private(set) var pageSize = 10
    private var listTop = 0
    /// Runs whose data failed to load (not retried every tick).
    private var unloadable: Set<String> = []

    func render(_ g: inout CellGrid, _ r: Rect, _ app: App) {
        let runs = app.runs
        g.put(r.x + 1, r.y, "Runs", .title, .bold)
        g.put(r.x + 7, r.y, "\(runs.count) in workspace \u{B7} shared = matched partner with \(app.criterion.rawValue) cosine ≥ τ=\(String(format: "%.2f", app.threshold))", .dim, maxWidth: r.width - 8)
        let cols: [(String, Int)] = [("name", 22), ("status", 11), ("seeds", 6), ("width", 7), ("arch", 15), ("dataset", 17),
                                     ("shared all", 10), ("any", 6), ("progress", 18)]
        var x = r.x + 1
        let hy = r.y + 2
        for (t, w) in cols { g.putPadded(x, hy, t, width: w, .header); x += w + 1 }
        listTop = hy + 1
        let visible = max(1, r.height - 3)
        pageSize = max(1, visible - 1)
        cursor.clamp(count: runs.count, visible: visible)
        if runs.isEmpty {
            g.put(r.x + 2, listTop + 1, "No runs yet. Press a to launch a comparison run.", .dim)
            return
        }
        for i in cursor.top..<min(runs.count, cursor.top + visible) {
            let run = runs[i], y = listTop + i - cursor.top
            let sel = i == cursor.index
            let base: ColorRole = sel ? .selection : .normal
            if sel { g.fill(r.x, y, r.width, 1, .selection) }
            var x = r.x + 1
            func col(_ s: String, _ w: Int, _ role: ColorRole? = nil, right: Bool = false) {
                g.putPadded(x, y, s, width: w, sel ? .selection : (role ?? base), alignRight: right); x += w + 1
            }
            col(run.name, 22)
            let stRole: ColorRole = run.status == .ready ? .good : run.status == .failed ? .bad : .warn
            col(run.status.rawValue, 11, stRole)
            col(String(run.seeds.count), 6, right: true)
            col(String(run.width), 7, right: true)
            col(run.architecture, 15)
            col(run.dataset, 17)
            if run.status == .ready, let c = loadedContext(app, run.id) {
                col(String(format: "%.1f%%", c.sharedAllFraction * 100), 10, right: true)
                col(String(format: "%.0f%%", c.sharedAnyFraction * 100), 6, right: true)
            } else { col(run.status == .ready ? "…" : "–", 10, .dim, right: true); col("", 6) }
            if let p = run.progress {
                let bw = 10
                let filled = Int((p * Double(bw)).rounded(.down))
                let bar = String(repeating: g.glyphs.full, count: filled) + String(repeating: g.glyphs.ascii ? "." : "░", count: bw - filled)
                g.put(x, y, bar, sel ? .selection : .bar)
                g.put(x + bw + 1, y, String(format: "%3.0f%%", p * 100), base)
            }
        }
        let more = runs.count - (cursor.top + visible)
        if more > 0 { g.put(r.x + 1, r.y + r.height - 1, "\(more) more \(g.glyphs.arrowDown)", .dim) }
    }

    private func loadedContext(_ app: App, _ id: String) -> RunContext? {
        app.loadedContexts[id]
    }

    /// Loads one not-yet-loaded ready run per tick (so the Runs view fills in its shared fractions).
    func tick(_ app: App) -> Reaction {
        for run in app.runs where run.status == .ready && app.loadedContexts[run.id] == nil && !unloadable.contains(run.id) {
            if app.context(run.id) == nil { unloadable.insert(run.id) }
            return .redraw
        }
        return .none
    }

    func move(_ app: App, rows: Int) -> Reaction { cursor.index += rows; cursor.clamp(count: app.runs.count, visible: pageSize + 1); return .redraw }
    func jump(_ app: App, toEnd: Bool) -> Reaction { cursor.index = toEnd ? app.runs.count - 1 : 0; cursor.clamp(count: app.runs.count, visible: pageSize + 1); return .redraw }

    var selected: Int { cursor.index }

    private func selectedContext(_ app: App) -> RunContext? {
        guard cursor.index < app.runs.count else { return nil }
        let run = app.runs[cursor.index]
        guard run.status == .ready else {
            let p = run.progress.map { String(format: " (%.0f%%)", $0 * 100) } ?? ""
            app.flash("\(run.name) is \(run.status.rawValue)\(p): no results yet — J shows its job", error: true)
            return nil
        }
        guard let c = app.context(run.id) else {
            app.flash("\(run.name): results could not be loaded", error: true); return nil
        }
        return c
    }

    func activate(_ app: App) -> Reaction {
        guard let c = selectedContext(app) else { return .redraw }
        app.push(OverviewView(ctx: c)); return .redraw
    }

    func openTable(_ app: App) -> Reaction {
        guard let c = selectedContext(app) else { return .redraw }
        app.push(TableView(ctx: c)); return .redraw
    }

    func search(_ app: App, _ term: String, forward: Bool) -> Bool {
        let runs = app.runs
        guard !runs.isEmpty else { return false }
        for step in 1...runs.count {
            let i = ((cursor.index + (forward ? step : -step)) % runs.count + runs.count) % runs.count
            if runs[i].name.localizedCaseInsensitiveContains(term) || runs[i].dataset.localizedCaseInsensitiveContains(term) {
                cursor.index = i; return true
            }
        }
        return false
    }

    func click(_ app: App, x: Int, y: Int) -> Reaction {
        let i = cursor.top + y - listTop
        guard y >= listTop, i >= 0, i < app.runs.count else { return .none }
        if i == cursor.index { return activate(app) }
        cursor.index = i; return .redraw
    }

    func export(_ app: App, dir: String) throws -> String {
        var rows = [["id", "name", "status", "seeds", "width", "architecture", "dataset", "shared_all", "shared_any", "progress"]]
        for r in app.runs {
            let c = app.loadedContexts[r.id]
            rows.append([r.id, r.name, r.status.rawValue, r.seeds.map(String.init).joined(separator: " "), String(r.width),
                         r.architecture, r.dataset, c.map { String($0.sharedAllFraction) } ?? "", c.map { String($0.sharedAnyFraction) } ?? "",
                         r.progress.map { String($0) } ?? ""])
        }
        return try Export.writeCSV(rows, dir: dir, name: "seedscope-runs.csv")
    }
}
