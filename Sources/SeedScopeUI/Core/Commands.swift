import Foundation

/// The command table. Order matters: it is the order of the help screen and the hint bar.
enum Commands {
    static func k(_ s: String) -> [[Key]] { s.split(separator: " ").map { Key.script(String($0)) } }

    static let runViews: Set<ViewKind> = [.overview, .table, .latent]
    static let lists: Set<ViewKind> = [.runs, .overview, .table, .latent, .jobs, .help]

    static func all() -> [Command] {
        [
            // Navigation (every list-like view).
            Command("down", keys: [[.char("j")], [.down]], help: "move down", views: lists) { a, _ in a.top.move(a, rows: 1) },
            Command("up", keys: [[.char("k")], [.up]], help: "move up", views: lists) { a, _ in a.top.move(a, rows: -1) },
            Command("left", keys: [[.char("h")], [.left]], help: "previous column / bin / token", views: lists) { a, _ in a.top.moveColumn(a, by: -1) },
            Command("right", keys: [[.char("l")], [.right]], help: "next column / bin / token", views: lists) { a, _ in a.top.moveColumn(a, by: 1) },
            Command("page-down", keys: [[.pageDown], [.ctrl("f")], [.char(" ")]], help: "page down", views: lists) { a, _ in a.top.move(a, rows: a.top.pageSize) },
            Command("page-up", keys: [[.pageUp], [.ctrl("b")]], help: "page up", views: lists) { a, _ in a.top.move(a, rows: -a.top.pageSize) },
            Command("top", keys: [[.char("g"), .char("g")], [.home]], help: "go to the first row", views: lists) { a, _ in a.top.jump(a, toEnd: false) },
            Command("bottom", keys: [[.char("G")], [.end]], help: "go to the last row", views: lists) { a, _ in a.top.jump(a, toEnd: true) },
            Command("open", keys: [[.enter]], help: "open / dive into the selection (a histogram bin filters the table)",
                    views: [.runs, .overview, .table, .latent, .jobs], hint: "open") { a, _ in a.top.activate(a) },
            Command("back", keys: [[.char("q")], [.escape]], help: "back to the previous view", hint: "back") { a, _ in a.pop() },
            Command("quit", keys: [[.char("Q")]], help: "quit seedscope (asks again while jobs run)") { a, _ in
                let running = a.jobs.filter { $0.state == .running || $0.state == .queued }.count
                if running > 0 && !a.quitArmed {
                    a.quitArmed = true
                    a.flash("\(running) job\(running == 1 ? "" : "s") running in this session: press Q again to quit anyway", error: true)
                    return .redraw
                }
                return .quit
            },
            Command("help", keys: [[.char("?")], [.function(1)]], help: "this help: every key and command", views: Set(ViewKind.allCases).subtracting([.help]), hint: "help") { a, _ in
                a.push(HelpView(for: a.top.kind)); return .redraw
            },
            Command("palette", keys: [[.char(":")]], help: "command palette: a command name, or a latent id (1234, s3/1234)", hint: "cmd") { a, _ in a.openPrompt(.command) },
            Command("search", keys: [[.char("/")]], help: "search (ids and top tokens, run names, window text)", views: lists, hint: "search") { a, _ in a.openPrompt(.search) },
            Command("search-next", keys: [[.char("n")]], help: "next search match", views: lists) { a, _ in
                guard let s = a.lastSearch else { a.flash("no search yet: press /"); return .redraw }
                if !a.top.search(a, s, forward: true) { a.flash("not found: \(s)", error: true) }
                return .redraw
            },
            Command("search-prev", keys: [[.char("N")]], help: "previous search match", views: lists) { a, _ in
                guard let s = a.lastSearch else { a.flash("no search yet: press /"); return .redraw }
                if !a.top.search(a, s, forward: false) { a.flash("not found: \(s)", error: true) }
                return .redraw
            },
            // Matching settings, live in every run view.
            Command("threshold-up", keys: [[.char("+")], [.char("=")]], help: "raise the shared threshold τ by 0.05", views: runViews, hint: "τ+") { a, _ in
                a.setThreshold(a.threshold + 0.05); a.flash(String(format: "τ = %.2f", a.threshold)); return .redraw
            },
            Command("threshold-down", keys: [[.char("-")], [.char("_")]], help: "lower the shared threshold τ by 0.05", views: runViews, hint: "τ-") { a, _ in
                a.setThreshold(a.threshold - 0.05); a.flash(String(format: "τ = %.2f", a.threshold)); return .redraw
            },
            Command("threshold", keys: [], help: "set τ exactly", argument: "0.0-1.0") { a, arg in
                guard let t = Float(arg.trimmingCharacters(in: .whitespaces)), t >= 0, t <= 1 else {
                    a.flash("threshold: expected a number in 0...1, got '\(arg)'", error: true); return .redraw
                }
                a.setThreshold(t); a.flash(String(format: "τ = %.2f", a.threshold)); return .redraw
            },
            Command("criterion", keys: [[.char("c")]], help: "switch criterion: decoder → encoder → both cosines", views: runViews, hint: "criterion") { a, arg in
                let all = Criterion.allCases
                if let c = all.first(where: { $0.rawValue == arg || $0.label == arg }) { a.setCriterion(c) }
                else { a.setCriterion(all[(all.firstIndex(of: a.criterion)! + 1) % all.count]) }
                a.flash("criterion: \(a.criterion.rawValue) cosine ≥ τ"); return .redraw
            },
            Command("base-seed", keys: [[.char("b")]], help: "next base seed (the table's rows)", views: [.overview, .table], argument: "seed index") { a, arg in
                guard let c = a.currentContext else { return .none }
                c.setBase(Int(arg) ?? (c.base + 1) % c.seedCount)
                a.flash("base seed \(c.seedLabel(c.base))"); return .redraw
            },
            Command("other-seed", keys: [[.char("o")]], help: "next comparison seed (overview histograms, side-by-side partner)", views: [.overview, .latent]) { a, _ in
                guard let c = a.currentContext, c.seedCount > 1 else { return .none }
                if let l = a.top as? LatentView { l.cycleOther(a); return .redraw }
                repeat { c.other = (c.other + 1) % c.seedCount } while c.other == c.base
                a.flash("histograms: \(c.seedLabel(c.base)) vs \(c.seedLabel(c.other))"); return .redraw
            },
            // Overview.
            Command("next-pane", keys: [[.tab]], help: "next pane", views: [.overview, .latent, .launch], hint: "pane") { a, _ in
                (a.top as? PaneCycling)?.cyclePane(by: 1); return .redraw
            },
            Command("prev-pane", keys: [[.backTab]], help: "previous pane", views: [.overview, .latent, .launch]) { a, _ in
                (a.top as? PaneCycling)?.cyclePane(by: -1); return .redraw
            },
            Command("table", keys: [[.char("t")]], help: "open the matched-latent table (all rows)", views: [.runs, .overview], hint: "table") { a, _ in
                if let o = a.top as? OverviewView { a.push(TableView(ctx: o.ctx)); return .redraw }
                return (a.top as? RunsView)?.openTable(a) ?? .none
            },
            // Table.
            Command("sort-asc", keys: [[.char("[")]], help: "sort ascending by the current column", views: [.table], hint: "sort") { a, _ in
                (a.top as? TableView)?.sort(a, descending: false) ?? .none
            },
            Command("sort-desc", keys: [[.char("]")]], help: "sort descending by the current column", views: [.table]) { a, _ in
                (a.top as? TableView)?.sort(a, descending: true) ?? .none
            },
            Command("filter", keys: [[.char("f")]], help: "cycle filter: all → shared → partial → seed-unique → dead", views: [.table], hint: "filter", argument: "all|shared|partial|unique|dead") { a, arg in
                (a.top as? TableView)?.cycleFilter(a, to: arg) ?? .none
            },
            Command("filter-text", keys: [[.char("\\")]], help: "filter rows by text in their top tokens (empty clears)", views: [.table], argument: "text") { a, arg in
                guard let t = a.top as? TableView else { return .none }
                if arg.isEmpty, a.prompt == nil, t.table.text.isEmpty { return a.openPrompt(.filter) }
                return t.setText(a, arg)
            },
            Command("clear-filters", keys: [[.char("F")]], help: "clear every filter (quick, text, histogram bin)", views: [.table]) { a, _ in
                (a.top as? TableView)?.clearFilters(a) ?? .none
            },
            Command("jump", keys: [], help: "jump to a latent id of the base seed (or sN/id)", views: [.overview, .table, .latent], argument: "id") { a, arg in
                guard let c = a.currentContext else { return .none }
                return TableView.jump(a, ctx: c, text: arg)
            },
            // Latent detail.
            Command("partner", keys: [[.char("p")]], help: "hop to the partner latent in the comparison seed (q returns)", views: [.latent], hint: "partner") { a, _ in
                (a.top as? LatentView)?.hop(a) ?? .none
            },
            Command("less-context", keys: [[.char("{")]], help: "fewer context tokens around the focus (±16 → ±5)", views: [.latent]) { a, _ in
                (a.top as? LatentView)?.changeContext(a, by: -1) ?? .none
            },
            Command("more-context", keys: [[.char("}")]], help: "more context tokens (±5 → ±16 → whole window)", views: [.latent]) { a, _ in
                (a.top as? LatentView)?.changeContext(a, by: 1) ?? .none
            },
            // Jobs and launching.
            Command("jobs", keys: [[.char("J")]], help: "jobs panel: progress, ETA, cancel", views: [.runs, .overview, .table, .latent], hint: "jobs") { a, _ in
                if a.top.kind != .jobs { a.push(JobsView()) }; return .redraw
            },
            Command("launch", keys: [[.char("a")]], help: "launch a comparison run (form)", views: [.runs, .jobs], hint: "launch") { a, _ in
                a.push(LaunchView()); return .redraw
            },
            Command("cancel-job", keys: [[.char("x")]], help: "cancel the selected job", views: [.jobs], hint: "cancel") { a, _ in
                (a.top as? JobsView)?.cancelSelected(a) ?? .none
            },
            Command("export", keys: [[.char("s")]], help: "export this view (CSV for tables, SVG for charts)", views: [.runs, .overview, .table, .latent, .jobs], hint: "export") { a, _ in
                do {
                    let path = try a.top.export(a, dir: a.exportDirectory)
                    a.flash("exported \(path)")
                } catch { a.flash("export failed: \(error)", error: true) }
                return .redraw
            },
            Command("theme", keys: [], help: "switch colour theme (default, light, high-contrast, monochrome, or a path)", argument: "name") { a, arg in
                do {
                    a.theme = try Theme.load(arg.isEmpty ? "default" : arg)
                    a.flash("theme \(a.theme.name)")
                    return [.retheme, .redraw]
                } catch { a.flash("\(error)", error: true); return .redraw }
            },
            Command("redraw", keys: [[.ctrl("l")]], help: "redraw the screen and reload runs") { _, _ in [.reload, .redraw] },
        ]
    }
}

/// Views with several focusable panes (Tab cycles).
protocol PaneCycling: AnyObject {
    func cyclePane(by: Int)
}
