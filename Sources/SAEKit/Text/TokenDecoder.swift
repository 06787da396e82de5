import Foundation

/// A tokenizer.json `decoder`, reimplemented from huggingface/tokenizers (`decoders/*.rs`,
/// `pre_tokenizers/byte_level.rs`, `pre_tokenizers/metaspace.rs`, `normalizers/replace.rs`).
///
/// `Decoder::decode` in tokenizers = `decode_chain(tokens)` then join with "". Each case below
/// transforms the token list exactly as its Rust `decode_chain` does (reference/formats.md §6.3).
public indirect enum TokenDecoder: Sendable {
    /// GPT-2 byte-level: characters → bytes through the inverse byte map, then lossy UTF-8.
    case byteLevel
    /// SentencePiece word boundary: `replacement` → " ", dropped in the first token unless the
    /// prepend scheme is "never".
    case metaspace(replacement: Unicode.Scalar, prependFirst: Bool)
    /// Literal string replacement (`Replace` with a `String` pattern) or a regular expression.
    case replace(pattern: String, isRegex: Bool, content: String)
    /// Runs of `<0xHH>` tokens become bytes (valid UTF-8 → text, else one U+FFFD per byte).
    case byteFallback
    /// Joins all tokens into one.
    case fuse
    /// Removes up to `start` leading and `stop` trailing `content` characters from each token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// BERT: tokens after the first lose `prefix` or gain a leading space; optional cleanup.
    case wordPiece(prefix: String, cleanup: Bool)
    /// Original BPE end-of-word suffix → " " (→ "" on the last token).
    case bpeSuffix(String)
    /// CTC (wav2vec2): collapse repeats, drop the pad token, word delimiter → " ".
    case ctc(pad: String, wordDelimiter: String, cleanup: Bool)
    /// Decoders applied in order.
    case sequence([TokenDecoder])

    /// Parses a tokenizer.json `decoder` object; `file` names the file in errors.
    public static func parse(_ v: JSONValue, file: String) throws -> TokenDecoder {
        guard let type = v["type"]?.stringValue else {
            throw SeedScopeError.invalid(file: file, message: "decoder has no \"type\"")
        }
        switch type {
        case "ByteLevel": return .byteLevel
        case "Metaspace":
            let r = v["replacement"]?.stringValue ?? "▁"
            var prepend = true
            if let scheme = v["prepend_scheme"]?.stringValue { prepend = scheme != "never" }
            else if let add = v["add_prefix_space"]?.boolValue { prepend = add }
            return .metaspace(replacement: r.unicodeScalars.first ?? "▁", prependFirst: prepend)
        case "Replace":
            let content = v["content"]?.stringValue ?? ""
            if let s = v["pattern"]?["String"]?.stringValue { return .replace(pattern: s, isRegex: false, content: content) }
            if let r = v["pattern"]?["Regex"]?.stringValue { return .replace(pattern: r, isRegex: true, content: content) }
            throw SeedScopeError.invalid(file: file, message: "Replace decoder has no String or Regex pattern")
        case "ByteFallback": return .byteFallback
        case "Fuse": return .fuse
        case "Strip":
            let c = v["content"]?.stringValue ?? " "
            return .strip(content: c.unicodeScalars.first ?? " ", start: Int(v["start"]?.intValue ?? 0), stop: Int(v["stop"]?.intValue ?? 0))
        case "WordPiece":
            return .wordPiece(prefix: v["prefix"]?.stringValue ?? "##", cleanup: v["cleanup"]?.boolValue ?? true)
        case "BPEDecoder": return .bpeSuffix(v["suffix"]?.stringValue ?? "</w>")
        case "CTC":
            return .ctc(pad: v["pad_token"]?.stringValue ?? "<pad>", wordDelimiter: v["word_delimiter_token"]?.stringValue ?? "|",
                        cleanup: v["cleanup"]?.boolValue ?? true)
        case "Sequence":
            guard let ds = v["decoders"]?.arrayValue else {
                throw SeedScopeError.invalid(file: file, message: "Sequence decoder has no \"decoders\" list")
            }
            return .sequence(try ds.map { try parse($0, file: file) })
        default:
            throw SeedScopeError.invalid(file: file, message: "unsupported decoder type \"\(type)\"")
        }
    }

    /// The full decode: `decodeChain` then concatenation.
    public func decode(_ tokens: [String]) -> String { decodeChain(tokens).joined() }

    /// tokenizers' `decode_chain`.
    public func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case .byteLevel:
            var bytes: [UInt8] = []
            for t in tokens { bytes += ByteLevelMap.bytes(of: t) ?? Array(t.utf8) }
            return [lossyUTF8(bytes)]
        case let .metaspace(r, prependFirst):
            return tokens.enumerated().map { i, t in
                var s = String.UnicodeScalarView()
                for c in t.unicodeScalars {
                    if c == r { if !(i == 0 && prependFirst) { s.append(" ") } } else { s.append(c) }
                }
                return String(s)
            }
        case let .replace(pattern, isRegex, content):
            if !isRegex { return tokens.map { $0.replacingOccurrences(of: pattern, with: content) } }
            guard let re = try? NSRegularExpression(pattern: pattern) else { return tokens }
            return tokens.map { t in
                re.stringByReplacingMatches(in: t, range: NSRange(t.startIndex..., in: t),
                                            withTemplate: NSRegularExpression.escapedTemplate(for: content))
            }
        case .byteFallback:
            var out: [String] = []
            var pending: [UInt8] = []
            func flush() {
                guard !pending.isEmpty else { return }
                if let s = String(validating: pending, as: UTF8.self) { out.append(s) }
                else { out += Array(repeating: "\u{FFFD}", count: pending.count) }
                pending.removeAll()
            }
            for t in tokens {
                if let b = Self.fallbackByte(t) { pending.append(b) } else { flush(); out.append(t) }
            }
            flush()
            return out
        case .fuse:
            return [tokens.joined()]
        case let .strip(content, start, stop):
            return tokens.map { t in
                let chars = Array(t.unicodeScalars)
                var lo = 0
                while lo < min(start, chars.count), chars[lo] == content { lo += 1 }
                var hi = chars.count
                var removed = 0
                while removed < stop, hi > lo, chars[hi - 1] == content { hi -= 1; removed += 1 }
                var v = String.UnicodeScalarView()
                v.append(contentsOf: chars[lo..<hi])
                return String(v)
            }
        case let .wordPiece(prefix, cleanup):
            return tokens.enumerated().map { i, t in
                var s = t
                if i != 0 {
                    if !prefix.isEmpty, s.hasPrefix(prefix) { s.removeFirst(prefix.count) } else { s = " " + s }
                }
                return cleanup ? Self.wordPieceCleanup(s) : s
            }
        case let .bpeSuffix(suffix):
            return tokens.enumerated().map { i, t in
                t.replacingOccurrences(of: suffix, with: i == tokens.count - 1 ? "" : " ")
            }
        case let .ctc(pad, delim, cleanup):
            var dedup: [String] = []
            for t in tokens where dedup.last != t { dedup.append(t) }
            return dedup.compactMap { t in
                var s = t.replacingOccurrences(of: pad, with: "")
                if cleanup { s = Self.wordPieceCleanup(s).replacingOccurrences(of: delim, with: " ") }
                return s.isEmpty ? nil : s
            }
        case let .sequence(ds):
            var ts = tokens
            for d in ds { ts = d.decodeChain(ts) }
            return ts
        }
    }

    /// The byte of a `<0xHH>` token (exactly six characters, as tokenizers checks), or nil.
    static func fallbackByte(_ t: String) -> UInt8? {
        let u = Array(t.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E else { return nil }
        return UInt8(String(decoding: u[3...4], as: UTF8.self), radix: 16)
    }

    /// tokenizers' `wordpiece::cleanup`.
    public static func wordPieceCleanup(_ s: String) -> String {
        replacing(s, [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                      (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")])
    }

    /// transformers' `clean_up_tokenization` (applied by `decode` when `clean_up_tokenization_spaces`).
    public static func transformersCleanup(_ s: String) -> String {
        replacing(s, [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                      (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")])
    }

    private static func replacing(_ s: String, _ pairs: [(String, String)]) -> String {
        var r = s
        for (a, b) in pairs { r = r.replacingOccurrences(of: a, with: b) }
        return r
    }
}
