import Foundation

/// Background jobs: state, progress bar, ETA, last message; `x` cancels, `a` launches a new run.
final class JobsView: ExplorerView {
    let kind = ViewKind.jobs
    var crumb: String { "Jobs" }
    private var cursor = ListCursor()
    private(set) var pageSize = 10
    private var listTop = 0

    func render(_ g: inout CellGrid, _ r: Rect, _ app: App) {
        let jobs = app.jobs
        let running = jobs.filter { $0.state == .running }.count
        g.put(r.x + 1, r.y, "Jobs \u{B7} \(jobs.count) total, \(running) running \u{B7} a launch, x cancel", .title, maxWidth: r.width - 2)
        let cols: [(String, Int)] = [("id", 8), ("state", 10), ("progress", 17), ("eta", 8), ("title", 30), ("message", 40)]
        var x = r.x + 1
        for (t, w) in cols { g.putPadded(x, r.y + 2, t, width: w, .header); x += w + 1 }
        listTop = r.y + 3
        let visible = max(1, r.height - 3)
        pageSize = max(1, visible - 1)
        cursor.clamp(count: jobs.count, visible: visible)
        if jobs.isEmpty { g.put(r.x + 2, listTop + 1, "No jobs. Press a to launch a comparison run.", .dim); return }
        for i in cursor.top..<min(jobs.count, cursor.top + visible) {
            let j = jobs[i], y = listTop + i - cursor.top
            let sel = i == cursor.index
            if sel { g.fill(r.x, y, r.width, 1, .selection) }
            var x = r.x + 1
            func col(_ s: String, _ w: Int, _ role: ColorRole) { g.putPadded(x, y, s, width: w, sel ? .selection : role); x += w + 1 }
            col(j.id, 8, .normal)
            col(j.state.rawValue, 10, j.state == .done ? .good : j.state == .failed ? .bad : j.state == .cancelled ? .dim : .warn)
            Charts.hbar(&g, x, y, fraction: j.progress, width: 11, sel ? .selection : .bar)
            g.put(x + 12, y, String(format: "%3.0f%%", j.progress * 100), sel ? .selection : .normal)
            x += 18
            col(j.eta.map(Self.duration) ?? "", 8, .normal)
            col(j.title, 30, .normal)
            col(j.message, max(0, r.x + r.width - x - 1), j.state == .failed ? .bad : .dim)
        }
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", (t % 3600) / 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t)s"
    }

    func move(_ app: App, rows: Int) -> Reaction { cursor.index += rows; cursor.clamp(count: app.jobs.count, visible: pageSize + 1); return .redraw }
    func jump(_ app: App, toEnd: Bool) -> Reaction { cursor.index = toEnd ? app.jobs.count - 1 : 0; cursor.clamp(count: app.jobs.count, visible: pageSize + 1); return .redraw }

    func cancelSelected(_ app: App) -> Reaction {
        guard cursor.index < app.jobs.count else { return .none }
        let j = app.jobs[cursor.index]
        guard j.state == .running || j.state == .queued else { app.flash("\(j.id) is \(j.state.rawValue): nothing to cancel", error: true); return .redraw }
        app.provider.cancel(job: j.id)
        app.flash("cancel requested: \(j.id)")
        return .reload
    }

    func activate(_ app: App) -> Reaction {
        guard cursor.index < app.jobs.count else { return .none }
        app.flash(app.jobs[cursor.index].message)
        return .redraw
    }

    func click(_ app: App, x: Int, y: Int) -> Reaction {
        let i = cursor.top + y - listTop
        guard y >= listTop, i >= 0, i < app.jobs.count else { return .none }
        cursor.index = i; return .redraw
    }

    func export(_ app: App, dir: String) throws -> String {
        var rows = [["id", "title", "state", "progress", "eta_seconds", "message"]]
        for j in app.jobs { rows.append([j.id, j.title, j.state.rawValue, String(j.progress), j.eta.map { String($0) } ?? "", j.message]) }
        return try Export.writeCSV(rows, dir: dir, name: "seedscope-jobs.csv")
    }

    /// Polls: the list redraws whenever the app's job snapshot changes (handled by the app), and keeps
    /// ticking while something runs so ETAs count down.
    func tick(_ app: App) -> Reaction {
        app.jobs.contains { $0.state == .running } ? .redraw : .none
    }
}
