/// How a token looks in a feature viewer: its text with whitespace made visible (`·` space, `↵` newline,
/// `→` tab, `␍` carriage return), control characters and bytes that are not (complete) UTF-8 escaped
/// as `\xHH`, invisible format characters as `\u{XXXX}`. The plain text for copying is `decode`.
public enum TokenDisplay {
    /// Renders raw bytes (possibly a partial UTF-8 sequence) for display.
    /// - Complexity: O(bytes.count).
    public static func render(_ bytes: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < bytes.count {
            if let (s, n) = scalar(in: bytes, at: i) { out += visible(s); i += n } else { out += hex(bytes[i]); i += 1 }
        }
        return out
    }

    /// The visible form of one code point.
    public static func visible(_ s: Unicode.Scalar) -> String {
        switch s.value {
        case 0x20: return "·"
        case 0x0A: return "↵"
        case 0x09: return "→"
        case 0x0D: return "␍"
        case 0..<0x20, 0x7F: return hex(UInt8(s.value))
        case 0x80..<0xA0: return "\\u{\(String(s.value, radix: 16, uppercase: true))}"
        default:
            if s.properties.generalCategory == .format || s.properties.generalCategory == .surrogate
                || s.properties.generalCategory == .privateUse || s.properties.generalCategory == .unassigned {
                return "\\u{\(String(s.value, radix: 16, uppercase: true))}"
            }
            return String(s)
        }
    }

    static func hex(_ b: UInt8) -> String {
        let d = Array("0123456789ABCDEF")
        return "\\x" + String(d[Int(b >> 4)]) + String(d[Int(b & 15)])
    }

    /// Decodes one well-formed UTF-8 scalar starting at `i` (Unicode Table 3-7: no overlongs, no
    /// surrogates, ≤ U+10FFFF), returning it and its length, or nil.
    static func scalar(in b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let b0 = b[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        let n: Int, lo: UInt8, hi: UInt8
        switch b0 {
        case 0xC2...0xDF: n = 2; lo = 0x80; hi = 0xBF
        case 0xE0: n = 3; lo = 0xA0; hi = 0xBF
        case 0xE1...0xEC, 0xEE...0xEF: n = 3; lo = 0x80; hi = 0xBF
        case 0xED: n = 3; lo = 0x80; hi = 0x9F
        case 0xF0: n = 4; lo = 0x90; hi = 0xBF
        case 0xF1...0xF3: n = 4; lo = 0x80; hi = 0xBF
        case 0xF4: n = 4; lo = 0x80; hi = 0x8F
        default: return nil
        }
        guard i + n <= b.count, (lo...hi).contains(b[i + 1]) else { return nil }
        var v = UInt32(b0) & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07)
        v = (v << 6) | UInt32(b[i + 1] & 0x3F)
        for k in 2..<max(2, n) {
            guard (0x80...0xBF).contains(b[i + k]) else { return nil }
            v = (v << 6) | UInt32(b[i + k] & 0x3F)
        }
        return Unicode.Scalar(v).map { ($0, n) }
    }

    /// Display forms of a sequence of tokens. A character whose UTF-8 bytes are split over several
    /// tokens (byte-level BPE does this for rarer characters) is shown whole on the token holding its
    /// first byte; the following tokens show their continuation bytes escaped, so every token still
    /// shows something and the character is readable where it starts.
    /// - Complexity: O(total bytes).
    public static func forms(_ pieces: [[UInt8]]) -> [String] {
        var all: [UInt8] = []
        var owner: [Int] = []
        for (t, p) in pieces.enumerated() { all += p; owner += Array(repeating: t, count: p.count) }
        var out = [String](repeating: "", count: pieces.count)
        var i = 0
        while i < all.count {
            if let (s, n) = scalar(in: all, at: i) {
                out[owner[i]] += visible(s)
                // Continuation bytes that live in later tokens are shown there, escaped.
                for k in 1..<max(1, n) where owner[i + k] != owner[i] { out[owner[i + k]] += hex(all[i + k]) }
                i += n
            } else {
                out[owner[i]] += hex(all[i]); i += 1
            }
        }
        return out
    }
}

extension Tokenizer {
    /// The display form of one token on its own (see `TokenDisplay`); word-initial spaces are kept
    /// (`·the`), partial UTF-8 is escaped.
    public func displayForm(_ id: Int) -> String {
        guard token(id) != nil else { return "<unk:\(id)>" }
        return TokenDisplay.render(surfaceBytes(id))
    }

    /// Display forms of a token sequence, with characters split over tokens shown whole where they
    /// start (see `TokenDisplay.forms`).
    public func displayForms<S: Sequence>(_ ids: S) -> [String] where S.Element: BinaryInteger {
        let idList = ids.map { Int($0) }
        var forms = TokenDisplay.forms(idList.map { surfaceBytes($0) })
        for (k, id) in idList.enumerated() where token(id) == nil { forms[k] = "<unk:\(id)>" }
        return forms
    }
}
