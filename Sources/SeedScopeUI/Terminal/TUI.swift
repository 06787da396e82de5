import Foundation

/// Entry point of the interactive explorer (`seedscope tui`).
public enum TUI {
    /// Runs the explorer on `provider` until the user quits. The loop redraws only when a handler or
    /// the ~100 ms poll tick asks for it; the provider's own threads keep working meanwhile.
    /// - Parameters:
    ///   - themeName: a theme in `Themes/` (default, light, high-contrast, monochrome) or a path.
    public static func run(provider: ExplorerData, options: AppOptions, themeName: String) throws {
        var opts = options
        let theme: Theme
        do { theme = try Theme.load(themeName) } catch let e as ThemeError where themeName == "default" {
            // A missing default theme (binary copied away from the checkout) is not fatal.
            FileHandle.standardError.write(Data("seedscope: \(e.message); using the built-in monochrome theme\n".utf8))
            theme = .builtinMonochrome
        }
        guard isatty(0) != 0, isatty(1) != 0 else {
            throw ExportError(message: "tui needs an interactive terminal (stdin and stdout must be a tty)")
        }
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let term = CursesTerminal(theme: theme, noColor: noColor)
        defer { term.end() }
        if term.localeIsASCII { opts.ascii = true }
        let app = App(provider: provider, theme: theme, options: opts)
        let s = term.size
        app.handle(.resize(width: s.width, height: s.height))
        var grid = CellGrid(width: s.width, height: s.height, ascii: opts.ascii)
        var dirty = true
        while true {
            if dirty {
                app.render(into: &grid)
                term.draw(grid)
                dirty = false
            }
            let r = app.handle(term.read())
            if r.contains(.quit) { break }
            if r.contains(.retheme) { term.setTheme(app.theme) }
            if r.contains(.redraw) { dirty = true }
        }
    }
}
