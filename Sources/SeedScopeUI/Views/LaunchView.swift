import Foundation

/// The launch form: dataset, architecture, k or L1, width, seeds, steps, or an external trainer
/// command. Typing edits the focused field; Tab/↑/↓ move; Enter on the last field (or ^S anywhere)
/// submits to the provider's `launch`; Esc cancels. Errors stay on screen next to the form.
final class LaunchView: ExplorerView, PaneCycling {
    let kind = ViewKind.launch
    var crumb: String { "Launch" }
    struct Field { var label: String; var value: String; var help: String }
    private(set) var fields: [Field] = [
        Field(label: "dataset", value: "smollm2-L10-kjv", help: "activation dataset (path or name in the workspace)"),
        Field(label: "architecture", value: "topk", help: "topk, batchtopk, relu, jumprelu, gated"),
        Field(label: "k or L1", value: "32", help: "k for topk/batchtopk, L1 coefficient otherwise"),
        Field(label: "width", value: "4608", help: "latents per SAE"),
        Field(label: "seeds", value: "0,1,2,3", help: "comma-separated, or a range like 0-7"),
        Field(label: "steps", value: "4000", help: "training steps per seed"),
        Field(label: "external cmd", value: "", help: "optional: trainer command per seed ({seed}, {out} substituted)"),
    ]
    private(set) var focus = 0
    private var error: String?
    var pageSize: Int { 1 }
    var capturesText: Bool { true }

    func cyclePane(by d: Int) { focus = ((focus + d) % (fields.count + 1) + fields.count + 1) % (fields.count + 1) }

    func render(_ g: inout CellGrid, _ r: Rect, _ app: App) {
        g.put(r.x + 1, r.y, "Launch a comparison run: train N seeds, then match every pair", .title, maxWidth: r.width - 2)
        g.put(r.x + 1, r.y + 1, "type to edit \u{B7} Tab/↑/↓ move \u{B7} Enter on [ Launch ] or ^S submits \u{B7} Esc cancels", .dim, maxWidth: r.width - 2)
        let lw = 14, fw = min(44, max(10, r.width - lw - 6))
        for (i, f) in fields.enumerated() {
            let y = r.y + 3 + i * 2
            guard y < r.y + r.height else { break }
            g.put(r.x + 2, y, f.label, i == focus ? .accent : .normal, i == focus ? .bold : [])
            g.fill(r.x + 2 + lw, y, fw, 1, .input)
            var shown = f.value
            while CharWidth.of(shown) > fw - 1, !shown.isEmpty { shown.removeFirst() }
            let used = g.put(r.x + 2 + lw, y, shown, .input)
            if i == focus { g.put(r.x + 2 + lw + used, y, g.glyphs.ascii ? "_" : "▏", .input) }
            if y + 1 < r.y + r.height { g.put(r.x + 2 + lw, y + 1, f.help, .dim, maxWidth: r.width - lw - 4) }
        }
        let by = r.y + 3 + fields.count * 2
        if by < r.y + r.height { g.put(r.x + 2 + lw, by, "[ Launch ]", focus == fields.count ? .selection : .accent, .bold) }
        if let e = error, by + 2 < r.y + r.height { g.put(r.x + 2, by + 2, e, .bad, maxWidth: r.width - 4) }
    }

    func textInput(_ app: App, _ key: Key) -> Reaction? {
        switch key {
        case .escape: return app.pop()
        case .tab, .down: cyclePane(by: 1); return .redraw
        case .backTab, .up: cyclePane(by: -1); return .redraw
        case .ctrl("s"): return submit(app)
        case .enter: if focus == fields.count { return submit(app) }; cyclePane(by: 1); return .redraw
        case .backspace, .delete: if focus < fields.count, !fields[focus].value.isEmpty { fields[focus].value.removeLast() }; return .redraw
        case .ctrl("u"): if focus < fields.count { fields[focus].value = "" }; return .redraw
        case .char(let c): if focus < fields.count { fields[focus].value.append(c) }; return .redraw
        case .ctrl("c"): return .quit
        default: return nil
        }
    }

    /// Parses the form into a request; throws a one-line message naming the field.
    func request() throws -> LaunchRequest {
        func v(_ i: Int) -> String { fields[i].value.trimmingCharacters(in: .whitespaces) }
        let archs = ["topk", "batchtopk", "relu", "jumprelu", "gated"]
        guard archs.contains(v(1)) else { throw ExportError(message: "architecture: expected one of \(archs.joined(separator: ", "))") }
        guard let sp = Double(v(2)), sp > 0 else { throw ExportError(message: "k or L1: expected a positive number, got '\(v(2))'") }
        guard let width = Int(v(3)), width > 0 else { throw ExportError(message: "width: expected a positive integer, got '\(v(3))'") }
        guard let seeds = Self.parseSeeds(v(4)), !seeds.isEmpty else { throw ExportError(message: "seeds: expected e.g. 0,1,2 or 0-7, got '\(v(4))'") }
        guard let steps = Int(v(5)), steps > 0 else { throw ExportError(message: "steps: expected a positive integer, got '\(v(5))'") }
        guard !v(0).isEmpty else { throw ExportError(message: "dataset: required") }
        return LaunchRequest(dataset: v(0), architecture: v(1), sparsity: sp, width: width, seeds: seeds, steps: steps, externalCommand: v(6))
    }

    static func parseSeeds(_ s: String) -> [Int]? {
        var out: [Int] = []
        for part in s.split(separator: ",") {
            let p = part.trimmingCharacters(in: .whitespaces)
            let ends = p.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if ends.count == 1, let a = ends[0] { out.append(a) }
            else if ends.count == 2, let a = ends[0], let b = ends[1], a <= b, b - a < 1024 { out += Array(a...b) }
            else { return nil }
        }
        return Set(out).count == out.count ? out : nil
    }

    private func submit(_ app: App) -> Reaction {
        do {
            let req = try request()
            let id = try app.provider.launch(req)
            error = nil
            _ = app.pop()
            if !(app.top is JobsView) { app.push(JobsView()) }
            app.flash("launched \(id): \(req.seeds.count) seeds × \(req.width) latents")
            return [.reload, .redraw]
        } catch {
            self.error = "cannot launch: \(error)"
            return .redraw
        }
    }
}
