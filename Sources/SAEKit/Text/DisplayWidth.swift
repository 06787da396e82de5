/// Terminal column widths of text, per code point as the C library's `wcwidth` (and therefore ncurses)
/// computes them: combining marks, format characters and controls take 0 columns, East Asian Wide and
/// Fullwidth characters and emoji with default emoji presentation take 2, everything else 1.
///
/// Why per code point rather than per grapheme cluster: the TUI draws through ncurses, which advances
/// the cursor by `wcwidth` of each code point, so layout must agree with that, not with an ideal
/// renderer (a ZWJ emoji family is 2 columns in some terminals and 6 in others).
public enum DisplayWidth {
    /// East Asian Wide (W) and Fullwidth (F) ranges outside the emoji blocks (Unicode 15
    /// EastAsianWidth.txt, merged into contiguous runs; unassigned code points inside CJK blocks are
    /// counted wide as wcwidth implementations do).
    static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
        0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
        0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4,
        0x16FF0...0x16FF1, 0x17000...0x18CD5, 0x18D00...0x18D08, 0x1AFF0...0x1B2FB, 0x1F200...0x1F202,
        0x1F210...0x1F23B, 0x1F240...0x1F248, 0x1F250...0x1F251, 0x1F260...0x1F265,
        0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    /// Columns taken by one code point: 0, 1 or 2.
    public static func width(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v < 0x7F { return v >= 0x20 ? 1 : 0 }          // ASCII fast path; C0 controls take none
        if v < 0xA0 { return 0 }                            // DEL and C1 controls
        if v == 0xAD { return 1 }                           // soft hyphen: wcwidth counts it
        if (0x1160...0x11FF).contains(v) || v == 0x200B { return 0 }  // Hangul medial jamo, ZWSP
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v >= 0x1100 && isWide(v) { return 2 }
        if v >= 0x231A && s.properties.isEmojiPresentation { return 2 }
        return 1
    }

    static func isWide(_ v: UInt32) -> Bool {
        var lo = 0, hi = wide.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < wide[mid].lowerBound { hi = mid - 1 } else if v > wide[mid].upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    /// Columns taken by `text` (sum over code points).
    /// - Complexity: O(length).
    public static func width(_ text: String) -> Int {
        var w = 0
        for s in text.unicodeScalars { w += width(s) }
        return w
    }

    /// The longest prefix of `text` that fits in `columns`, never splitting a grapheme cluster
    /// (so combining marks stay with their base character).
    public static func prefix(_ text: String, fitting columns: Int) -> String {
        var used = 0
        var end = text.startIndex
        for c in text.indices {
            let w = width(String(text[c]))
            if used + w > columns { break }
            used += w
            end = text.index(after: c)
        }
        return String(text[..<end])
    }

    /// `text` truncated with "…" or padded with spaces to exactly `columns` columns.
    public static func fit(_ text: String, columns: Int) -> String {
        let w = width(text)
        if w <= columns { return text + String(repeating: " ", count: columns - w) }
        guard columns > 0 else { return "" }
        let p = prefix(text, fitting: columns - 1) + "…"
        return p + String(repeating: " ", count: max(0, columns - width(p)))
    }
}

extension String {
    /// Terminal columns this string takes (see `DisplayWidth`).
    public var displayWidth: Int { DisplayWidth.width(self) }
}
