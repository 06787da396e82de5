/// GPT-2's reversible byte ↔ printable-character map (openai/gpt-2 `encoder.py` `bytes_to_unicode`,
/// reused by huggingface/tokenizers' ByteLevel pre-tokenizer and decoder; reference/formats.md §6.3).
///
/// Bytes 0x21–0x7E, 0xA1–0xAC and 0xAE–0xFF stand for themselves; the remaining 68 bytes
/// (0x00–0x20, 0x7F–0xA0, 0xAD), in increasing order, map to U+0100 + n. So space → 'Ġ' (U+0120),
/// '\n' → 'Ċ' (U+010A), '\t' → 'ĉ' (U+0109).
public enum ByteLevelMap {
    /// `byteToScalar[b]` = the character that stands for byte `b`.
    public static let byteToScalar: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                table[b] = UInt32(b)
            } else {
                table[b] = 0x100 + n
                n += 1
            }
        }
        return table
    }()

    /// Inverse map for code points below 0x200 (every mapped character lies there); -1 = not mapped.
    static let scalarToByte: [Int16] = {
        var inv = [Int16](repeating: -1, count: 0x200)
        for (b, s) in byteToScalar.enumerated() { inv[Int(s)] = Int16(b) }
        return inv
    }()

    /// The bytes a byte-level token stands for, or nil when some character is outside the map
    /// (tokenizers then falls back to the token's own UTF-8 bytes; added tokens such as `<|endoftext|>`
    /// are plain ASCII and map to themselves either way).
    public static func bytes(of token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count)
        for s in token.unicodeScalars {
            let v = Int(s.value)
            guard v < 0x200, scalarToByte[v] >= 0 else { return nil }
            out.append(UInt8(scalarToByte[v]))
        }
        return out
    }

    /// The token spelled in the byte-level alphabet (inverse of `bytes(of:)`).
    public static func token(ofBytes bytes: [UInt8]) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(byteToScalar[Int(b)])!) }
        return String(s)
    }
}

/// Lossy UTF-8 decoding as Rust's `String::from_utf8_lossy`: each maximal invalid subpart becomes one
/// U+FFFD (the Unicode "substitution of maximal subparts" practice, which Swift's decoder follows too).
@inline(__always)
func lossyUTF8(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
