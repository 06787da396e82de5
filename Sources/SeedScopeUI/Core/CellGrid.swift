/// One terminal cell: a scalar, its colour role and extra attributes. A wide (2-column) scalar occupies
/// its cell and the next one, which is marked `continuation` and never drawn.
public struct Cell: Equatable, Sendable {
    public var scalar: Unicode.Scalar
    public var role: ColorRole
    public var attributes: CellAttributes
    /// True for the right half of a wide character.
    public var continuation: Bool
    public static let blank = Cell(scalar: " ", role: .normal, attributes: [], continuation: false)
    public init(scalar: Unicode.Scalar, role: ColorRole, attributes: CellAttributes = [], continuation: Bool = false) {
        self.scalar = scalar; self.role = role; self.attributes = attributes; self.continuation = continuation
    }
}

/// Glyphs that have an ASCII fallback: views ask the grid, so `--ascii` or a non-UTF-8 locale changes
/// every chart and border at once.
public struct Glyphs: Sendable {
    public var ascii: Bool
    public var vbar: String { ascii ? "|" : "│" }
    public var hbar: String { ascii ? "-" : "─" }
    public var ellipsis: String { ascii ? "~" : "…" }
    public var full: String { ascii ? "#" : "█" }
    public var arrowUp: String { ascii ? "^" : "▲" }
    public var arrowDown: String { ascii ? "v" : "▼" }
    public var dot: String { ascii ? "*" : "●" }
    public var hollow: String { ascii ? "o" : "○" }
    public var check: String { ascii ? "y" : "✓" }
    public var cross: String { ascii ? "x" : "✗" }
    public var baselineMark: String { ascii ? "-" : "╌" }
    public var times: String { ascii ? "x" : "×" }
    public var sep: String { ascii ? ">" : "›" }
    /// Eighths of a block, bottom-up (vertical bars); index 0 is empty.
    public var vEighths: [String] { ascii ? [" ", ".", ".", "_", "_", "=", "=", "#", "#"] : [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] }
    /// Eighths of a block, left to right (horizontal bars).
    public var hEighths: [String] { ascii ? ["", "", "", "", "", "", "", "", "#"] : ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"] }
    public init(ascii: Bool) { self.ascii = ascii }

    /// One-column ASCII stand-ins for the punctuation the UI and typical token text use; anything
    /// else becomes `?` (the column count never changes, so layouts stay aligned).
    public static func asciiFallback(_ s: Unicode.Scalar) -> Unicode.Scalar {
        switch s {
        case "·", "•", "●": return "."
        case "τ": return "t"
        case "—", "–", "─", "╌", "‐": return "-"
        case "’", "‘", "ʼ": return "'"
        case "“", "”": return "\""
        case "…": return "~"
        case "×": return "x"
        case "≥", "›", "▶", "→": return ">"
        case "≤", "←": return "<"
        case "│", "┃": return "|"
        case "∋": return "~"
        case "é", "è", "ê": return "e"
        default: return "?"
        }
    }
}

/// An in-memory screen: what the views draw into and what the terminal layer (or a test) reads.
/// Row-major, `width × height` cells. Drawing clips silently: views never crash on small sizes.
public struct CellGrid: Sendable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]
    public var glyphs: Glyphs

    public init(width: Int, height: Int, ascii: Bool = false) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
        glyphs = Glyphs(ascii: ascii)
    }

    /// Clears to blanks of `role`, resizing when needed (reuses the storage: no per-frame allocation).
    public mutating func reset(width w: Int, height h: Int, role: ColorRole = .normal) {
        let w = max(0, w), h = max(0, h)
        if w * h != cells.count { cells = Array(repeating: .blank, count: w * h) }
        width = w; height = h
        let c = Cell(scalar: " ", role: role)
        for i in cells.indices { cells[i] = c }
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Draws `text` at (x, y), clipped to `maxWidth` columns (and the grid); ASCII mode replaces
    /// non-ASCII scalars with `?`. Control characters must already be escaped (see `TokenText`).
    /// - Returns: columns used.
    @discardableResult
    public mutating func put(_ x: Int, _ y: Int, _ text: String, _ role: ColorRole = .normal,
                             _ attrs: CellAttributes = [], maxWidth: Int = .max) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width, x &+ min(maxWidth, width))
        var cx = x
        for s in text.unicodeScalars {
            var sc = s
            if glyphs.ascii && s.value > 0x7E { sc = Glyphs.asciiFallback(s) }
            let w = CharWidth.of(sc)
            if w == 0 { continue }
            if cx + w > limit { break }
            if cx >= 0 {
                // Overwriting half of a wide character: blank its other half.
                if cells[y * width + cx].continuation, cx > 0 { cells[y * width + cx - 1].scalar = " " }
                cells[y * width + cx] = Cell(scalar: sc, role: role, attributes: attrs)
                if w == 2 { cells[y * width + cx + 1] = Cell(scalar: " ", role: role, attributes: attrs, continuation: true) }
                else if cx + 1 < width, cells[y * width + cx + 1].continuation { cells[y * width + cx + 1] = Cell(scalar: " ", role: role) }
            }
            cx += w
        }
        return max(0, cx - x)
    }

    /// Draws `text` left-aligned in exactly `width` columns (truncated with an ellipsis, padded with blanks).
    public mutating func putPadded(_ x: Int, _ y: Int, _ text: String, width w: Int, _ role: ColorRole = .normal,
                                   _ attrs: CellAttributes = [], alignRight: Bool = false) {
        guard w > 0 else { return }
        fill(x, y, w, 1, role, attrs)
        let tw = CharWidth.of(text)
        if tw <= w {
            put(alignRight ? x + w - tw : x, y, text, role, attrs, maxWidth: w)
        } else {
            let used = put(x, y, text, role, attrs, maxWidth: w - 1)
            put(x + used, y, glyphs.ellipsis, role, attrs, maxWidth: 1)
        }
    }

    /// Fills a rectangle with blanks of `role`.
    public mutating func fill(_ x: Int, _ y: Int, _ w: Int, _ h: Int, _ role: ColorRole, _ attrs: CellAttributes = []) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        let c = Cell(scalar: " ", role: role, attributes: attrs)
        for yy in y0..<y1 { for xx in x0..<x1 { cells[yy * width + xx] = c } }
    }

    /// Recolours a rectangle keeping its characters.
    public mutating func paint(_ x: Int, _ y: Int, _ w: Int, _ h: Int, _ role: ColorRole, _ attrs: CellAttributes = []) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 { for xx in x0..<x1 { cells[yy * width + xx].role = role; cells[yy * width + xx].attributes = attrs } }
    }

    /// A horizontal rule.
    public mutating func hline(_ x: Int, _ y: Int, _ w: Int, _ role: ColorRole = .border) {
        guard w > 0 else { return }
        put(x, y, String(repeating: glyphs.hbar, count: w), role, maxWidth: w)
    }

    /// The grid as text lines (continuation cells omitted), trailing blanks trimmed: what snapshot tests compare.
    public var text: String {
        var lines: [String] = []
        for y in 0..<height {
            var s = ""
            for x in 0..<width where !cells[y * width + x].continuation { s.unicodeScalars.append(cells[y * width + x].scalar) }
            while s.hasSuffix(" ") { s.removeLast() }
            lines.append(s)
        }
        return lines.joined(separator: "\n")
    }

    /// Row `y` as text (untrimmed).
    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where !cells[y * width + x].continuation { s.unicodeScalars.append(cells[y * width + x].scalar) }
        return s
    }
}
