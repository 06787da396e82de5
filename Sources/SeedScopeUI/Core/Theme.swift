import Foundation

/// How one colour role looks at each colour depth.
public struct RoleStyle: Sendable, Equatable {
    /// 256-colour indices (nil = terminal default).
    public var fg256: Int?
    public var bg256: Int?
    /// 8-colour indices 0...7 (nil = terminal default).
    public var fg8: Int?
    public var bg8: Int?
    /// Attributes used with colours.
    public var attributes: CellAttributes
    /// Attributes used when the terminal has no colours (or the theme is monochrome).
    public var mono: CellAttributes
    public init(fg256: Int? = nil, bg256: Int? = nil, fg8: Int? = nil, bg8: Int? = nil,
                attributes: CellAttributes = [], mono: CellAttributes = []) {
        self.fg256 = fg256; self.bg256 = bg256; self.fg8 = fg8; self.bg8 = bg8
        self.attributes = attributes; self.mono = mono
    }
}

/// A colour theme: one `RoleStyle` per `ColorRole`, read from a text file in `Themes/`.
///
/// File format, one role per line (`#` comments, blank lines ignored):
///
///     name = default dark
///     selection  fg=16/black  bg=214/yellow  attr=bold  mono=reverse
///
/// A colour is `N/name` (256-colour index N, 8-colour fallback `name`), a plain `name` (both depths),
/// or `default`. Names: black red green yellow blue magenta cyan white. Roles not listed copy `normal`.
public struct Theme: Sendable {
    public var name: String
    public var styles: [RoleStyle]
    /// True when the theme asks for no colours at all (monochrome/ASCII).
    public var monochrome: Bool

    public subscript(role: ColorRole) -> RoleStyle { styles[Int(role.rawValue)] }

    static let colorNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses theme text; errors name the file and line.
    public static func parse(_ text: String, file: String = "<theme>") throws -> Theme {
        var name = (file as NSString).lastPathComponent
        var styles = [RoleStyle?](repeating: nil, count: ColorRole.allCases.count)
        var mono = false
        let byName = Dictionary(uniqueKeysWithValues: ColorRole.allCases.map { ($0.name, $0) })
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if line.isEmpty { continue }
            func fail(_ msg: String) -> Error { ThemeError(message: "\(file):\(i + 1): \(msg)") }
            if line.hasPrefix("name") && line.contains("=") && !line.contains("fg=") {
                name = line.split(separator: "=", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces); continue
            }
            if line == "monochrome" { mono = true; continue }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let role = byName[parts[0]] else { throw fail("unknown colour role '\(parts[0])'") }
            var st = RoleStyle()
            for p in parts.dropFirst() {
                let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw fail("expected key=value, got '\(p)'") }
                switch kv[0] {
                case "fg": (st.fg256, st.fg8) = try parseColor(kv[1], fail)
                case "bg": (st.bg256, st.bg8) = try parseColor(kv[1], fail)
                case "attr": st.attributes = try parseAttrs(kv[1], fail)
                case "mono": st.mono = try parseAttrs(kv[1], fail)
                default: throw fail("unknown key '\(kv[0])' (fg, bg, attr, mono)")
                }
            }
            styles[Int(role.rawValue)] = st
        }
        let normal = styles[Int(ColorRole.normal.rawValue)] ?? RoleStyle()
        return Theme(name: name, styles: styles.map { $0 ?? normal }, monochrome: mono)
    }

    static func parseColor(_ s: String, _ fail: (String) -> Error) throws -> (Int?, Int?) {
        if s == "default" { return (nil, nil) }
        let parts = s.split(separator: "/").map(String.init)
        func basic(_ n: String) throws -> Int {
            if let i = colorNames.firstIndex(of: n) { return i }
            throw fail("unknown colour '\(n)' (use 0-255, default, or \(colorNames.joined(separator: " ")))")
        }
        if parts.count == 2 {
            guard let n = Int(parts[0]), (0...255).contains(n) else { throw fail("colour index '\(parts[0])' not in 0-255") }
            return (n, try basic(parts[1]))
        }
        if let n = Int(s) {
            guard (0...255).contains(n) else { throw fail("colour index '\(s)' not in 0-255") }
            return (n, n < 8 ? n : n % 8)
        }
        let b = try basic(s)
        return (b, b)
    }

    static func parseAttrs(_ s: String, _ fail: (String) -> Error) throws -> CellAttributes {
        var a: CellAttributes = []
        for p in s.split(separator: ",") {
            switch p {
            case "bold": a.insert(.bold)
            case "reverse": a.insert(.reverse)
            case "underline": a.insert(.underline)
            case "dim": a.insert(.dim)
            case "none": break
            default: throw fail("unknown attribute '\(p)' (bold, reverse, underline, dim, none)")
            }
        }
        return a
    }

    /// Directories searched for `NAME.theme`: $SEEDSCOPE_THEMES, ./Themes, and Themes/ next to or above
    /// the executable (so `.build/release/seedscope` finds the checkout's themes).
    public static func searchPaths() -> [String] {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["SEEDSCOPE_THEMES"], !env.isEmpty { dirs.append(env) }
        dirs.append(FileManager.default.currentDirectoryPath + "/Themes")
        var exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            dirs.append(exe.appendingPathComponent("Themes").path)
            dirs.append(exe.appendingPathComponent("share/seedscope/Themes").path)
            exe = exe.deletingLastPathComponent()
        }
        return dirs
    }

    /// Loads `name` (a theme name or a path to a .theme file).
    public static func load(_ name: String, searchPaths: [String] = Theme.searchPaths()) throws -> Theme {
        let candidates = name.contains("/") || name.hasSuffix(".theme") ? [name]
            : searchPaths.map { $0 + "/" + name + ".theme" }
        for c in candidates where FileManager.default.fileExists(atPath: c) {
            guard let text = try? String(contentsOfFile: c, encoding: .utf8) else {
                throw ThemeError(message: "\(c): cannot read theme file")
            }
            return try parse(text, file: c)
        }
        throw ThemeError(message: "theme '\(name)' not found (looked in \(searchPaths.first ?? "Themes"), ./Themes; set SEEDSCOPE_THEMES)")
    }

    /// The fallback when no theme file can be found: every role plain except the few that carry
    /// meaning, which use attributes only (no literal colours in code).
    public static let builtinMonochrome: Theme = {
        var s = [RoleStyle](repeating: RoleStyle(), count: ColorRole.allCases.count)
        for r: ColorRole in [.selection, .keyHintKey, .crumbActive, .tokenSelected, .heat6, .heat7, .cursorBin, .dialogTitle, .threshold] {
            s[Int(r.rawValue)] = RoleStyle(attributes: .reverse, mono: .reverse)
        }
        for r: ColorRole in [.title, .header, .heat4, .heat5, .statusError, .bad] {
            s[Int(r.rawValue)] = RoleStyle(attributes: .bold, mono: .bold)
        }
        for r: ColorRole in [.heat2, .heat3] { s[Int(r.rawValue)] = RoleStyle(attributes: .underline, mono: .underline) }
        return Theme(name: "builtin-monochrome", styles: s, monochrome: true)
    }()
}

public struct ThemeError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
