/// A key press, decoded from curses by the terminal layer or written in a test's key script.
public enum Key: Hashable, Sendable {
    case char(Character)
    /// Control + letter, lower-case (`.ctrl("l")` is ^L).
    case ctrl(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, tab, backTab, delete
    case function(Int)

    /// Label used in help, the hint bar and the palette.
    public var label: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "^" + c.uppercased()
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .delete: return "Del"
        case .function(let n): return "F\(n)"
        }
    }

    /// ASCII label (for `--ascii`).
    public var asciiLabel: String {
        switch self {
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        default: return label
        }
    }

    /// Parses a key script: space-separated tokens; a token is a single character, `<Enter>`, `<Esc>`,
    /// `<Up>` … `<PgDn>`, `<Tab>`, `<BS>`, `<C-x>`, `<Space>`, or a literal word typed character by
    /// character when prefixed with `'` (e.g. `'LORD`).
    public static func script(_ s: String) -> [Key] {
        var keys: [Key] = []
        for tok in s.split(separator: " ") {
            let t = String(tok)
            if t.hasPrefix("'") { keys += t.dropFirst().map { Key.char($0) }; continue }
            if t.hasPrefix("<") && t.hasSuffix(">") && t.count > 2 {
                let name = t.dropFirst().dropLast().lowercased()
                switch name {
                case "enter", "cr": keys.append(.enter)
                case "esc": keys.append(.escape)
                case "up": keys.append(.up)
                case "down": keys.append(.down)
                case "left": keys.append(.left)
                case "right": keys.append(.right)
                case "pgup": keys.append(.pageUp)
                case "pgdn": keys.append(.pageDown)
                case "home": keys.append(.home)
                case "end": keys.append(.end)
                case "tab": keys.append(.tab)
                case "s-tab": keys.append(.backTab)
                case "bs": keys.append(.backspace)
                case "space": keys.append(.char(" "))
                default:
                    if name.hasPrefix("c-"), let c = name.last { keys.append(.ctrl(c)) }
                    else if name.hasPrefix("f"), let n = Int(name.dropFirst()) { keys.append(.function(n)) }
                }
                continue
            }
            keys += t.map { Key.char($0) }
        }
        return keys
    }
}

/// A mouse event in screen coordinates.
public struct MouseEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case click, wheelUp, wheelDown }
    public var x: Int
    public var y: Int
    public var kind: Kind
    public init(x: Int, y: Int, kind: Kind) { self.x = x; self.y = y; self.kind = kind }
}

/// Everything the app reacts to.
public enum InputEvent: Sendable, Equatable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
    /// The ~100 ms poll tick (no key arrived).
    case tick
}
