import Foundation

/// The matched-latent table: one row per latent of the base seed, virtualised (only visible rows are
/// formatted), with a frozen id column, horizontal scrolling, sort by any column, quick/text/bin filters.
final class TableView: ExplorerView {
    let kind = ViewKind.table
    let ctx: RunContext
    let table: LatentTable
    var crumb: String { "table \(ctx.seedLabel(ctx.base))" }
    private var cursor = ListCursor()
    private(set) var curCol = 0
    private var leftCol = 1
    private(set) var pageSize = 10
    private var rowsTop = 0

    init(ctx: RunContext) {
        self.ctx = ctx
        table = LatentTable(ctx: ctx)
    }

    /// The latent under the cursor.
    var selectedLatent: Int? {
        table.refresh()
        return cursor.index < table.rows.count ? Int(table.rows[cursor.index]) : nil
    }

    func render(_ g: inout CellGrid, _ r: Rect, _ app: App) {
        table.refresh()
        let rows = table.rows
        let cols = table.columns
        curCol = min(curCol, cols.count - 1)
        let sortName = table.title(cols[table.sortColumn]) + " " + (table.descending ? g.glyphs.arrowDown : g.glyphs.arrowUp)
        let filt = table.filterDescription
        let head = "\(ctx.seedLabel(ctx.base)) latents \u{B7} \(rows.count) of \(ctx.width) shown \u{B7} sort \(sortName)" + (filt.isEmpty ? "" : " \u{B7} filter: \(filt)")
        g.put(r.x + 1, r.y, head, .title, maxWidth: r.width - 2)
        // Columns: the id column is frozen; the rest scroll so the current column stays visible.
        if curCol > 0 && curCol < leftCol { leftCol = curCol }
        func fits(from left: Int) -> Int {
            var x = table.width(cols[0]) + 1, last = left
            for i in left..<cols.count { let w = table.width(cols[i]) + 1; if x + w > r.width - 1 { break }; x += w; last = i }
            return last
        }
        while curCol > 0, fits(from: leftCol) < curCol, leftCol < curCol { leftCol += 1 }
        var layout: [(col: Int, x: Int, w: Int)] = [(0, r.x + 1, table.width(cols[0]))]
        var x = r.x + 2 + table.width(cols[0])
        for i in leftCol..<cols.count {
            let w = table.width(cols[i])
            let avail = r.x + r.width - 1 - x
            if avail < 4 { break }
            layout.append((i, x, min(w, avail))); x += min(w, avail) + 1
        }
        let hy = r.y + 1
        g.fill(r.x, hy, r.width, 1, .header)
        for c in layout {
            let sortMark = c.col == table.sortColumn ? (table.descending ? g.glyphs.arrowDown : g.glyphs.arrowUp) : ""
            let right = c.col != 0 && cols[c.col] != .tokens && cols[c.col] != .dead
            g.putPadded(c.x, hy, table.title(cols[c.col]) + sortMark, width: c.w, c.col == curCol ? .crumbActive : .header, alignRight: right)
        }
        if leftCol > 1 { g.put(r.x + 1 + table.width(cols[0]), hy, "<", .header) }
        rowsTop = hy + 1
        let visible = max(1, r.height - 2)
        pageSize = max(1, visible - 1)
        cursor.clamp(count: rows.count, visible: visible)
        if rows.isEmpty {
            g.put(r.x + 2, rowsTop + 1, "No latents match the filters. F clears them.", .dim)
            return
        }
        for i in cursor.top..<min(rows.count, cursor.top + visible) {
            let l = Int(rows[i]), y = rowsTop + i - cursor.top
            let sel = i == cursor.index
            if sel { g.fill(r.x, y, r.width, 1, .selection) }
            let dead = ctx.data.latents[ctx.base].dead[l]
            for c in layout {
                let col = cols[c.col]
                var role: ColorRole = sel ? .selection : dead ? .dim : .normal
                if !sel, let pass = table.passes(col, l) { role = pass ? .good : .dim }
                if !sel, col == .shared { let k = ctx.sharedCount[l]; role = k == 1 ? .bad : Int(k) == ctx.seedCount ? .good : .warn }
                if !sel, col == .dead, dead { role = .bad }
                let right = c.col != 0 && col != .tokens && col != .dead
                g.putPadded(c.x, y, table.cell(col, l), width: c.w, role, sel && c.col == curCol ? .bold : [], alignRight: right)
            }
        }
    }

    /// Idle ticks pre-sort one column each (see `LatentTable.prewarmNext`); nothing visible changes.
    func tick(_ app: App) -> Reaction {
        table.prewarmNext()
        return .none
    }

    func statusLine() -> String {
        table.refresh()
        let cols = table.columns
        let pos = table.rows.isEmpty ? "no rows" : "row \(cursor.index + 1)/\(table.rows.count)"
        return "\(pos) \u{B7} \(table.title(cols[curCol])): \(table.help(cols[curCol])) \u{B7} [ ] sort, f filter, \\ text, : id"
    }

    // MARK: - Navigation

    func move(_ app: App, rows d: Int) -> Reaction {
        table.refresh()
        cursor.index = max(0, min(table.rows.count - 1, cursor.index + d))
        cursor.clamp(count: table.rows.count, visible: pageSize + 1)
        return .redraw
    }

    func moveColumn(_ app: App, by d: Int) -> Reaction {
        curCol = max(0, min(table.columns.count - 1, curCol + d))
        if curCol == 0 { leftCol = 1 }
        return .redraw
    }

    func jump(_ app: App, toEnd: Bool) -> Reaction {
        table.refresh()
        cursor.index = toEnd ? max(0, table.rows.count - 1) : 0
        cursor.clamp(count: table.rows.count, visible: pageSize + 1)
        return .redraw
    }

    func activate(_ app: App) -> Reaction {
        guard let l = selectedLatent else { return .none }
        app.push(LatentView(ctx: ctx, seed: ctx.base, latent: l)); return .redraw
    }

    func sort(_ app: App, descending: Bool) -> Reaction {
        let keep = selectedLatent
        table.sortColumn = curCol
        table.descending = descending
        table.markDirty()
        table.refresh()
        select(keep)
        app.flash("sorted by \(table.title(table.columns[curCol])) \(descending ? "descending" : "ascending")")
        return .redraw
    }

    func cycleFilter(_ app: App, to name: String) -> Reaction {
        let all = LatentTable.QuickFilter.allCases
        if let f = LatentTable.QuickFilter(rawValue: name) { table.quick = f }
        else if !name.isEmpty { app.flash("filter: expected one of \(all.map(\.rawValue).joined(separator: ", "))", error: true); return .redraw }
        else { table.quick = all[(all.firstIndex(of: table.quick)! + 1) % all.count] }
        cursor.index = 0
        table.refresh()
        app.flash("filter: \(table.quick.help) (\(table.rows.count) rows)")
        return .redraw
    }

    func setText(_ app: App, _ t: String) -> Reaction {
        table.text = t
        cursor.index = 0
        table.refresh()
        app.flash(t.isEmpty ? "text filter cleared" : "top tokens containing \"\(t)\": \(table.rows.count) rows")
        return .redraw
    }

    func clearFilters(_ app: App) -> Reaction {
        let keep = selectedLatent
        table.quick = .all; table.text = ""; table.bin = nil; table.exactK = nil
        table.refresh()
        select(keep)
        app.flash("filters cleared (\(table.rows.count) rows)")
        return .redraw
    }

    /// Puts the cursor on latent `l` if it is visible under the current filters.
    @discardableResult
    func select(_ l: Int?) -> Bool {
        guard let l else { return false }
        table.refresh()
        guard let i = table.rows.firstIndex(of: Int32(l)) else { return false }
        cursor.index = i
        cursor.top = max(0, i - pageSize / 2)
        return true
    }

    /// `:1234` / `:s3/1234`: selects that latent in a table (opening one if needed; clearing filters
    /// that hide it), switching the base seed for `sN/`.
    static func jump(_ app: App, ctx: RunContext, text: String) -> Reaction {
        var idText = text.trimmingCharacters(in: .whitespaces)
        if idText.hasPrefix("s"), let slash = idText.firstIndex(of: "/") {
            guard let seedNo = Int(idText[idText.index(after: idText.startIndex)..<slash]),
                  let si = ctx.data.summary.seeds.firstIndex(of: seedNo) else {
                app.flash("jump: no seed \(idText[..<slash]) in this run (seeds \(ctx.data.summary.seeds.map { "s\($0)" }.joined(separator: " ")))", error: true)
                return .redraw
            }
            ctx.setBase(si)
            idText = String(idText[idText.index(after: slash)...])
        }
        guard let id = Int(idText), id >= 0, id < ctx.width else {
            app.flash("jump: latent id must be in 0..<\(ctx.width), got '\(text)'", error: true); return .redraw
        }
        let t: TableView
        if let cur = app.top as? TableView { t = cur } else { t = TableView(ctx: ctx); app.push(t) }
        if !t.select(id) {
            _ = t.clearFilters(app)
            t.select(id)
        }
        app.flash("latent \(ctx.seedLabel(ctx.base))/\(id)")
        return .redraw
    }

    func search(_ app: App, _ term: String, forward: Bool) -> Bool {
        table.refresh()
        let rows = table.rows, n = rows.count
        guard n > 0 else { return false }
        let needle = term.lowercased()
        for step in 1...n {
            let i = ((cursor.index + (forward ? step : -step)) % n + n) % n
            if table.matches(Int(rows[i]), needle) {
                cursor.index = i; cursor.top = max(0, i - pageSize / 2); return true
            }
        }
        return false
    }

    func click(_ app: App, x: Int, y: Int) -> Reaction {
        if y == rowsTop - 1 { return .none }
        let i = cursor.top + y - rowsTop
        guard y >= rowsTop, i >= 0, i < table.rows.count else { return .none }
        if i == cursor.index { return activate(app) }
        cursor.index = i; return .redraw
    }

    func export(_ app: App, dir: String) throws -> String {
        table.refresh()
        let cols = table.columns
        var out = [cols.map { table.title($0).replacingOccurrences(of: " ", with: "_") }]
        out.reserveCapacity(table.rows.count + 1)
        for r in table.rows {
            out.append(cols.map { c in
                c == .tokens ? ctx.data.latents[ctx.base].topTokens[Int(r)] : table.cell(c, Int(r))
            })
        }
        return try Export.writeCSV(out, dir: dir, name: "seedscope-table-\(ctx.id)-\(ctx.seedLabel(ctx.base)).csv")
    }
}
