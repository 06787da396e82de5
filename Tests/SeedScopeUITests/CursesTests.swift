import Foundation
import Testing
@testable import SeedScopeUI

/// The curses layer on a headless `newterm` screen (/dev/null): every theme maps its roles, frames
/// with wide characters up to the last cell draw without trapping, input times out as a tick.
/// Serialized: curses state is global.
@Suite(.serialized) struct CursesTests {
    @Test func drawEveryViewUnderEveryTheme() throws {
        let term = CursesTerminal(theme: try UITest.theme("default"), noColor: false, headless: true)
        defer { term.end() }
        #expect(term.size.width > 0 && term.size.height > 0)
        for name in ["default", "light", "high-contrast", "monochrome"] {
            term.setTheme(try UITest.theme(name))
            let a = UITest.app(term.size.width, term.size.height)
            var g = CellGrid(width: term.size.width, height: term.size.height)
            for script in ["", "<Enter>", "t", "<Enter>", "J", "a"] {
                a.send(script)
                a.render(into: &g)
                term.draw(g)
            }
            // Wide characters everywhere, including the bottom-right corner.
            g.reset(width: term.size.width, height: term.size.height)
            for y in 0..<g.height { g.put(0, y, String(repeating: "神a", count: g.width), .heat7) }
            term.draw(g)
        }
        if case .tick = term.read() {} else { Issue.record("no input should read as a tick") }
    }
}
