import CNcurses
import Foundation

/// The only code that calls curses: start/stop the screen, translate keys and mouse events into
/// `InputEvent`s, and copy a `CellGrid` to the screen with each colour role's attributes.
/// Keep every call on the main thread (ncurses is not thread-safe).
final class CursesTerminal {
    enum Depth: String { case none, eight = "8", full = "256" }
    private(set) var depth: Depth
    private let colorCapable: Bool
    /// True when the locale is not UTF-8 (after trying C.UTF-8): the app must use ASCII glyphs.
    let localeIsASCII: Bool
    private var roleAttrs: [(attrs: attr_t, pair: Int32)] = []
    private let win: UnsafeMutablePointer<WINDOW>
    private var screen: OpaquePointer? = nil

    /// Sets the locale (UTF-8 if at all possible), starts curses in raw mode with mouse reporting and
    /// a 100 ms read timeout, and maps the theme's roles to colour pairs for the terminal's depth.
    /// - Parameter headless: draw to /dev/null through `newterm` (tests: no tty needed).
    init(theme: Theme, noColor: Bool, headless: Bool = false) {
        setlocale(LC_ALL, "")
        if ss_codeset_is_utf8() == 0 { setlocale(LC_ALL, "C.UTF-8") }
        localeIsASCII = ss_codeset_is_utf8() == 0
        // Short Esc delay so Esc feels instant (the default is a full second).
        setenv("ESCDELAY", "25", 0)
        if headless {
            screen = newterm("xterm-256color", fopen("/dev/null", "w"), fopen("/dev/null", "r"))
        } else {
            initscr()
        }
        win = ss_stdscr()
        raw(); noecho(); nonl()
        keypad(win, true)
        wtimeout(win, 100)
        curs_set(0)
        mousemask(ss_button1_pressed() | ss_button1_clicked() | ss_button4_pressed() | ss_button5_pressed(), nil)
        mouseinterval(0)
        var d = Depth.none
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            d = ss_colors() >= 256 ? .full : ss_colors() >= 8 ? .eight : .none
        }
        depth = d
        colorCapable = d != .none
        setTheme(theme)
        // Killed from outside (kill, closed terminal): restore the terminal before dying.
        for sig in headless ? [] : [SIGTERM, SIGHUP] {
            signal(sig) { s in endwin(); _exit(128 + s) }
        }
    }

    /// Maps every role to (attributes, colour pair) for this terminal's colour depth.
    func setTheme(_ theme: Theme) {
        roleAttrs = []
        if colorCapable && !theme.monochrome { depth = ss_colors() >= 256 ? .full : .eight }
        else if colorCapable { depth = .none }
        var pairs: [Int64: Int32] = [:]
        for role in ColorRole.allCases {
            let st = theme[role]
            if depth == .none || theme.monochrome { roleAttrs.append((Self.attrs(st.mono), 0)); continue }
            let fg = depth == .full ? st.fg256 : st.fg8
            let bg = depth == .full ? st.bg256 : st.bg8
            let key = Int64(fg ?? -1) * 1000 + Int64(bg ?? -1)
            var pair: Int32 = 0
            if fg != nil || bg != nil {
                if let p = pairs[key] { pair = p } else {
                    pair = Int32(pairs.count + 1)
                    if pair < ss_color_pairs() { init_extended_pair(pair, Int32(fg ?? -1), Int32(bg ?? -1)) } else { pair = 0 }
                    pairs[key] = pair
                }
            }
            roleAttrs.append((Self.attrs(st.attributes), pair))
        }
    }

    static func attrs(_ a: CellAttributes) -> attr_t {
        var r = ss_a_normal()
        if a.contains(.bold) { r |= ss_a_bold() }
        if a.contains(.reverse) { r |= ss_a_reverse() }
        if a.contains(.underline) { r |= ss_a_underline() }
        if a.contains(.dim) { r |= ss_a_dim() }
        return r
    }

    var size: (width: Int, height: Int) { (Int(ss_getmaxx(win)), Int(ss_getmaxy(win))) }

    /// Copies the grid to the screen in runs of equal style, then refreshes (curses sends only changes).
    func draw(_ g: CellGrid) {
        let (w, h) = size
        guard w > 0, h > 0 else { return }
        werase(win)
        var run = ""
        for y in 0..<min(h, g.height) {
            var x0 = 0
            var style: (ColorRole, CellAttributes)? = nil
            run.removeAll(keepingCapacity: true)
            func flush() {
                guard let s = style, !run.isEmpty else { return }
                let ra = roleAttrs[Int(s.0.rawValue)]
                ss_set_attr_pair(win, ra.attrs | Self.attrs(s.1), ra.pair)
                mvwaddstr(win, Int32(y), Int32(x0), run)
                run.removeAll(keepingCapacity: true)
            }
            for x in 0..<min(w, g.width) {
                let c = g[x, y]
                if c.continuation { continue }
                if style == nil || style!.0 != c.role || style!.1 != c.attributes {
                    flush(); style = (c.role, c.attributes); x0 = x
                }
                // Never write the bottom-right cell: curses would scroll the screen.
                if y == h - 1 && x == w - 1 { continue }
                run.unicodeScalars.append(c.scalar)
            }
            flush()
        }
        wrefresh(win)
    }

    /// Waits up to 100 ms for input.
    func read() -> InputEvent {
        var ch: wint_t = 0
        let r = wget_wch(win, &ch)
        if r == ERR { return .tick }
        if r == KEY_CODE_YES {
            switch Int32(ch) {
            case KEY_RESIZE: let s = size; return .resize(width: s.width, height: s.height)
            case KEY_MOUSE:
                var ev = MEVENT()
                guard getmouse(&ev) == OK else { return .tick }
                if ev.bstate & ss_button4_pressed() != 0 { return .mouse(MouseEvent(x: Int(ev.x), y: Int(ev.y), kind: .wheelUp)) }
                if ev.bstate & ss_button5_pressed() != 0 { return .mouse(MouseEvent(x: Int(ev.x), y: Int(ev.y), kind: .wheelDown)) }
                if ev.bstate & (ss_button1_pressed() | ss_button1_clicked()) != 0 { return .mouse(MouseEvent(x: Int(ev.x), y: Int(ev.y), kind: .click)) }
                return .tick
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_BTAB: return .key(.backTab)
            case KEY_DC: return .key(.delete)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_ENTER: return .key(.enter)
            default:
                for n in 1...12 where Int32(ch) == ss_key_f(Int32(n)) { return .key(.function(n)) }
                return .tick
            }
        }
        switch ch {
        case 10, 13: return .key(.enter)
        case 9: return .key(.tab)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(ch + 96)!)))
        default:
            guard let s = Unicode.Scalar(ch) else { return .tick }
            return .key(.char(Character(s)))
        }
    }

    func end() {
        endwin()
        if let s = screen { delscreen(s); screen = nil }
    }
}
