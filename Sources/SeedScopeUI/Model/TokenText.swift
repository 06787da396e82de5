/// Escaping of token display strings: byte-level BPE pieces contain newlines, tabs, control bytes and
/// odd Unicode. Every token goes through here before reaching the grid, so widths stay predictable.
enum TokenText {
    /// Visible form of a token: newline → ↵, tab → →, other controls → \xNN; ASCII mode also maps every
    /// non-ASCII scalar to `?` (done by the grid) and uses `\n`/`\t`.
    static func display(_ s: String, ascii: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u.value {
            case 0x0A: out += ascii ? "\\n" : "↵"
            case 0x09: out += ascii ? "\\t" : "→"
            case 0x0D: out += ascii ? "\\r" : "␍"
            case 0..<0x20, 0x7F: out += "\\x" + String(u.value, radix: 16, uppercase: true).leftPad(2, "0")
            case 0x80..<0xA0: out += "\\x" + String(u.value, radix: 16, uppercase: true)
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}

extension String {
    func leftPad(_ n: Int, _ c: Character) -> String { count >= n ? self : String(repeating: c, count: n - count) + self }
}
