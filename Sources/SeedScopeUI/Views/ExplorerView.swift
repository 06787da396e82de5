/// A rectangle of the screen, in cells.
public struct Rect: Equatable, Sendable {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height) }
    func contains(_ px: Int, _ py: Int) -> Bool { px >= x && px < x + width && py >= y && py < y + height }
}

/// One screen of the view stack. Views draw into a `CellGrid` and react to generic navigation; the
/// command table calls these methods, so every view gets the same keys. All methods have defaults.
protocol ExplorerView: AnyObject {
    var kind: ViewKind { get }
    /// Breadcrumb text.
    var crumb: String { get }
    func render(_ g: inout CellGrid, _ r: Rect, _ app: App)
    /// Cursor moves (rows, columns), ends and pages; `rows` may be ±page size.
    func move(_ app: App, rows: Int) -> Reaction
    func moveColumn(_ app: App, by: Int) -> Reaction
    func jump(_ app: App, toEnd: Bool) -> Reaction
    /// Enter.
    func activate(_ app: App) -> Reaction
    /// Finds the next (or previous) match of `term`; false when none.
    func search(_ app: App, _ term: String, forward: Bool) -> Bool
    func click(_ app: App, x: Int, y: Int) -> Reaction
    /// Writes the view's data (CSV for tables, SVG for charts) into `dir`; returns the path.
    func export(_ app: App, dir: String) throws -> String
    /// Views with text fields (the launch form) see keys before the command table; return nil to pass.
    func textInput(_ app: App, _ key: Key) -> Reaction?
    /// Called on every tick; return .redraw when something visible changed.
    func tick(_ app: App) -> Reaction
    /// Rows moved by PgUp/PgDn (set while rendering).
    var pageSize: Int { get }
    /// True when printable keys are text input (the hint bar then shows only non-character keys).
    var capturesText: Bool { get }
}

extension ExplorerView {
    func move(_ app: App, rows: Int) -> Reaction { .none }
    func moveColumn(_ app: App, by: Int) -> Reaction { .none }
    func jump(_ app: App, toEnd: Bool) -> Reaction { .none }
    func activate(_ app: App) -> Reaction { .none }
    func search(_ app: App, _ term: String, forward: Bool) -> Bool { false }
    func click(_ app: App, x: Int, y: Int) -> Reaction { .none }
    func export(_ app: App, dir: String) throws -> String { throw ExportError(message: "nothing to export in this view") }
    func textInput(_ app: App, _ key: Key) -> Reaction? { nil }
    func tick(_ app: App) -> Reaction { .none }
    var pageSize: Int { 10 }
    var capturesText: Bool { false }
}

/// A list cursor with scrolling: shared by every list-like view.
struct ListCursor {
    var index = 0
    var top = 0
    mutating func clamp(count: Int, visible: Int) {
        index = max(0, min(index, count - 1))
        if index < top { top = index }
        if visible > 0, index >= top + visible { top = index - visible + 1 }
        top = max(0, min(top, max(0, count - visible)))
    }
}

public struct ExportError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
