import Foundation

/// A Hugging Face `tokenizer.json`, loaded for turning token ids back into text.
///
/// Decoding follows huggingface/tokenizers `Tokenizer::decode` (tokenizer/mod.rs): each id becomes its
/// added-token content or model-vocab string (unknown ids are skipped), special added tokens are
/// dropped when `skipSpecialTokens`, and the list goes through the file's `decoder` (joined with " "
/// when there is none). transformers' `decode` calls exactly this, then optionally
/// `clean_up_tokenization`. Encoding (text → ids) is not needed by seedscope and not implemented.
public final class Tokenizer: Sendable {
    /// The model type that owns the vocabulary (reference/formats.md §6.2).
    public enum ModelType: String, Sendable { case bpe = "BPE", wordPiece = "WordPiece", unigram = "Unigram", wordLevel = "WordLevel" }

    /// Where the tokenizer came from (used in error messages).
    public let path: String
    public let modelType: ModelType
    /// The decoder pipeline, or nil (tokens joined with spaces).
    public let decoder: TokenDecoder?
    /// Whether the model has SentencePiece-style `<0xHH>` byte fallback.
    public let byteFallback: Bool
    /// id → token string (added tokens override the model vocab); nil for unused ids.
    private let vocab: [String?]
    private let special: [Bool]

    /// Number of ids (largest id + 1, counting added tokens).
    public var vocabSize: Int { vocab.count }

    /// Loads `path` (a tokenizer.json file).
    /// - Complexity: O(file size); the 3.5 MB SmolLM2 file loads in ~0.1 s in release builds.
    public convenience init(path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw SeedScopeError.io(file: path, message: "cannot read tokenizer: \((error as NSError).localizedDescription)")
        }
        let json: JSONValue
        do { json = try data.withUnsafeBytes { try JSONValue.parse($0, rejectDuplicateKeys: false) } } catch {
            throw SeedScopeError.invalid(file: path, message: "tokenizer is not valid JSON: \(error)")
        }
        try self.init(json: json, path: path)
    }

    /// Builds a tokenizer from parsed tokenizer.json content; `path` names it in errors.
    public init(json: JSONValue, path: String) throws {
        self.path = path
        func bad(_ m: String) -> SeedScopeError { .invalid(file: path, message: m) }
        guard case .object = json else { throw bad("tokenizer.json is not a JSON object") }
        if let v = json["version"]?.stringValue, v != "1.0" { throw bad("unsupported tokenizer.json version \"\(v)\" (expected \"1.0\")") }
        guard let model = json["model"], case .object = model else { throw bad("tokenizer.json has no \"model\"") }
        // Older files omit model.type; tokenizers then guesses from the fields present.
        let typeName = model["type"]?.stringValue
            ?? (model["merges"] != nil ? "BPE" : (model["vocab"]?.arrayValue != nil ? "Unigram" : "WordLevel"))
        guard let type = ModelType(rawValue: typeName) else { throw bad("unsupported tokenizer model type \"\(typeName)\"") }
        modelType = type
        byteFallback = model["byte_fallback"]?.boolValue ?? false

        var byID: [Int: String] = [:]
        var maxID = -1
        switch type {
        case .unigram:
            guard let pieces = model["vocab"]?.arrayValue else { throw bad("Unigram model has no \"vocab\" list") }
            for (i, p) in pieces.enumerated() {
                guard let s = p.arrayValue?.first?.stringValue else { throw bad("Unigram vocab entry \(i) is not [piece, score]") }
                byID[i] = s
            }
            maxID = pieces.count - 1
        case .bpe, .wordPiece, .wordLevel:
            guard let entries = model["vocab"]?.objectValue else { throw bad("\(typeName) model has no \"vocab\" object") }
            byID.reserveCapacity(entries.count)
            for (tok, v) in entries {
                guard let id = v.intValue, id >= 0, id < 1 << 31 else { throw bad("vocab entry \"\(tok)\" has no valid id") }
                byID[Int(id)] = tok
                maxID = max(maxID, Int(id))
            }
        }
        var specials = Set<Int>()
        for a in json["added_tokens"]?.arrayValue ?? [] {
            guard let id = a["id"]?.intValue, id >= 0, id < 1 << 31, let content = a["content"]?.stringValue else {
                throw bad("added_tokens entry without id/content")
            }
            byID[Int(id)] = content
            maxID = max(maxID, Int(id))
            if a["special"]?.boolValue == true { specials.insert(Int(id)) }
        }
        var v = [String?](repeating: nil, count: maxID + 1)
        for (id, s) in byID { v[id] = s }
        vocab = v
        var sp = [Bool](repeating: false, count: maxID + 1)
        for id in specials { sp[id] = true }
        special = sp
        if let d = json["decoder"], d != .null { decoder = try TokenDecoder.parse(d, file: path) } else { decoder = nil }
    }

    /// The token string for `id` (byte-level alphabet for GPT-2-style models), or nil if unused.
    public func token(_ id: Int) -> String? { id >= 0 && id < vocab.count ? vocab[id] : nil }

    /// Whether `id` is a special added token (dropped by `decode(skipSpecialTokens: true)`).
    public func isSpecial(_ id: Int) -> Bool { id >= 0 && id < special.count && special[id] }

    /// The text of `ids` exactly as transformers' `tokenizer.decode(ids, skip_special_tokens:,
    /// clean_up_tokenization_spaces:)` returns it.
    /// - Complexity: O(total token length).
    public func decode<S: Sequence>(_ ids: S, skipSpecialTokens: Bool = false, cleanUpTokenizationSpaces: Bool = false) -> String
    where S.Element: BinaryInteger {
        var toks: [String] = []
        for raw in ids {
            let id = Int(raw)
            guard let t = token(id) else { continue }
            if skipSpecialTokens && isSpecial(id) { continue }
            toks.append(t)
        }
        let text = decoder?.decode(toks) ?? toks.joined(separator: " ")
        return cleanUpTokenizationSpaces ? TokenDecoder.transformersCleanup(text) : text
    }

    /// The bytes token `id` contributes to text *in the middle of a sequence*: the decoder's
    /// per-token steps (byte map, `▁`→space, `<0xHH>`, `##` continuation, end-of-word suffix) but not
    /// the steps that only trim the start of a whole text (Strip, Metaspace's first-token rule). So a
    /// word-initial token keeps its leading space, which is what a viewer should show. May be a partial
    /// UTF-8 sequence. Empty for unused ids.
    public func surfaceBytes(_ id: Int) -> [UInt8] {
        guard let t = token(id) else { return [] }
        if isSpecial(id) { return Array(t.utf8) }
        var bytes = Array(t.utf8)
        func apply(_ d: TokenDecoder) {
            switch d {
            case .byteLevel: bytes = ByteLevelMap.bytes(of: String(decoding: bytes, as: UTF8.self)) ?? bytes
            case let .metaspace(r, _):
                var s = String.UnicodeScalarView()
                for c in String(decoding: bytes, as: UTF8.self).unicodeScalars { s.append(c == r ? " " : c) }
                bytes = Array(String(s).utf8)
            case .replace:
                bytes = Array(d.decodeChain([String(decoding: bytes, as: UTF8.self)]).joined().utf8)
            case .byteFallback:
                if let b = TokenDecoder.fallbackByte(String(decoding: bytes, as: UTF8.self)) { bytes = [b] }
            case .fuse, .strip: break
            case let .wordPiece(prefix, _):
                if !prefix.isEmpty, bytes.starts(with: prefix.utf8) { bytes.removeFirst(prefix.utf8.count) } else { bytes.insert(0x20, at: 0) }
            case let .bpeSuffix(suffix):
                bytes = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: suffix, with: " ").utf8)
            case let .ctc(pad, delim, _):
                let s = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: pad, with: "")
                bytes = Array(s.replacingOccurrences(of: delim, with: " ").utf8)
            case let .sequence(ds): for x in ds { apply(x) }
            }
        }
        if let decoder { apply(decoder) }
        return bytes
    }
}
