import Foundation
import Testing
@testable import SAEKit

/// Decoding must equal transformers' `decode` exactly (Tests/Fixtures/tokenizer/decode_cases.json,
/// produced by transformers 5.23 / tokenizers 0.23.3 with skip_special_tokens False and True).
@Suite struct TokenizerDecodeTests {
    static let tokenizerURL = TestPaths.example("data/smollm2-L10/tokenizer.json")

    static func cases() throws -> JSONValue {
        try JSONValue.parse(contentsOf: TestPaths.fixture("tokenizer/decode_cases.json"))
    }

    @Test func loadsFastAndHasFullVocab() throws {
        let t0 = Date()
        let tok = try Tokenizer(path: Self.tokenizerURL.path)
        let dt = Date().timeIntervalSince(t0)
        print("tokenizer.json (3.5 MB) loaded in \(String(format: "%.3f", dt)) s")
        #expect(dt < 1.0)
        #expect(tok.modelType == .bpe)
        #expect(tok.vocabSize == 49152)
        #expect(tok.isSpecial(0) && tok.isSpecial(16) && !tok.isSpecial(17))
    }

    @Test func singleIDsMatchTransformers() throws {
        let tok = try Tokenizer(path: Self.tokenizerURL.path)
        let singles = try #require(try Self.cases()["single_ids"]?.arrayValue)
        #expect(singles.count == 200)
        var mismatches = 0
        for c in singles {
            let id = Int(c["id"]!.intValue!)
            let want = c["decode"]!.stringValue!
            let wantSkip = c["decode_skip_special"]!.stringValue!
            #expect(tok.token(id) == c["token"]!.stringValue!, "token \(id)")
            #expect(tok.isSpecial(id) == c["special"]!.boolValue!, "special \(id)")
            let got = tok.decode([id])
            let gotSkip = tok.decode([id], skipSpecialTokens: true)
            if got != want || gotSkip != wantSkip { mismatches += 1 }
            #expect(Array(got.utf8) == Array(want.utf8), "decode([\(id)])")
            #expect(gotSkip == wantSkip, "decode([\(id)], skip_special_tokens=True)")
            // The surface bytes are the token's raw bytes (the fixture's raw_bytes_hex).
            let hex = tok.surfaceBytes(id).map { String(format: "%02x", $0) }.joined()
            #expect(hex == c["raw_bytes_hex"]!.stringValue!, "raw bytes of \(id)")
        }
        #expect(mismatches == 0)
    }

    @Test func sequencesMatchTransformers() throws {
        let tok = try Tokenizer(path: Self.tokenizerURL.path)
        let seqs = try #require(try Self.cases()["sequences"]?.arrayValue)
        #expect(!seqs.isEmpty)
        for s in seqs {
            let ids = s["ids"]!.arrayValue!.map { Int($0.intValue!) }
            #expect(tok.decode(ids) == s["decode"]!.stringValue!)
            #expect(tok.decode(ids, skipSpecialTokens: true) == s["decode_skip_special"]!.stringValue!)
            let perID = s["per_id_decode"]!.arrayValue!.map { $0.stringValue! }
            #expect(ids.map { tok.decode([$0]) } == perID)
        }
    }

    @Test func displayForms() throws {
        let tok = try Tokenizer(path: Self.tokenizerURL.path)
        // "Line one.\n" pieces from the fixture: 'Ġone' → ·one, 'Ċ' → ↵, 'ĉ' → →.
        #expect(tok.displayForm(582) == "·one")
        #expect(tok.displayForm(198) == "↵")
        #expect(tok.displayForm(197) == "→")
        #expect(tok.displayForm(0) == "<|endoftext|>")
        // id 141 is the lone byte 0xC2 (a lead byte): escaped, not U+FFFD.
        #expect(tok.displayForm(141) == "\\xC2")
        // ' Å' is split as 'ĠÃ' + 'ħ' (bytes 20 C3 | 85): whole on the first token in sequence view.
        #expect(tok.displayForms([5549, 223]) == ["·Å", "\\x85"])
        #expect(tok.displayForm(5549) == "·\\xC3")
    }
}

@Suite struct TokenDecoderTests {
    func tokenizer(model: String, decoder: String, added: String = "[]") throws -> Tokenizer {
        let json = "{\"version\":\"1.0\",\"added_tokens\":\(added),\"decoder\":\(decoder),\"model\":\(model)}"
        return try Tokenizer(json: try JSONValue.parse(json), path: "t.json")
    }

    @Test func sentencePieceByteFallbackChain() throws {
        // The Llama-2 chain: Replace ▁→" ", ByteFallback, Fuse, Strip(" ", 1, 0).
        let tok = try tokenizer(
            model: #"{"type":"BPE","byte_fallback":true,"vocab":{"<unk>":0,"<s>":1,"▁Hello":2,"▁wor":3,"ld":4,"<0xE2>":5,"<0x80>":6,"<0x94>":7,"<0xFF>":8,"▁":9},"merges":[]}"#,
            decoder: #"{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]}"#,
            added: #"[{"id":1,"content":"<s>","special":true}]"#)
        #expect(tok.decode([2, 3, 4]) == "Hello world")
        #expect(tok.decode([2, 5, 6, 7]) == "Hello—")
        #expect(tok.decode([2, 8, 8]) == "Hello\u{FFFD}\u{FFFD}")
        #expect(tok.decode([1, 2]) == "<s> Hello")
        #expect(tok.decode([1, 2], skipSpecialTokens: true) == "Hello")
        #expect(tok.displayForm(2) == "·Hello")
        #expect(tok.displayForms([5, 6, 7]) == ["—", "\\x80", "\\x94"])
    }

    @Test func metaspaceDropsOnlyFirstTokensReplacement() throws {
        let tok = try tokenizer(
            model: #"{"type":"Unigram","unk_id":0,"vocab":[["<unk>",0],["▁a",-1],["▁b▁c",-1],["d",-1]]}"#,
            decoder: #"{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true}"#)
        #expect(tok.modelType == .unigram)
        #expect(tok.decode([1, 2, 3]) == "a b cd")
        #expect(tok.decode([2, 1]) == "bc a")
    }

    @Test func wordPieceContinuationAndCleanup() throws {
        let tok = try tokenizer(
            model: ###"{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","vocab":{"[UNK]":0,"play":1,"##ing":2,"do":3,"n't":4,".":5}}"###,
            decoder: ###"{"type":"WordPiece","prefix":"##","cleanup":true}"###)
        #expect(tok.decode([1, 2, 3, 4, 5]) == "playing don't.")
        #expect(tok.displayForm(2) == "ing")
        #expect(tok.displayForm(1) == "·play")
    }

    @Test func noDecoderJoinsWithSpaces() throws {
        let tok = try Tokenizer(json: try JSONValue.parse(#"{"version":"1.0","added_tokens":[],"decoder":null,"model":{"type":"WordLevel","unk_token":"<unk>","vocab":{"<unk>":0,"f1":1,"f2":2}}}"#), path: "w.json")
        #expect(tok.decode([1, 2, 7, 1]) == "f1 f2 f1")
    }

    @Test func displayWidths() {
        #expect("abc".displayWidth == 3)
        #expect("漢字".displayWidth == 4)
        #expect("e\u{301}".displayWidth == 1)        // combining acute
        #expect("😀".displayWidth == 2)
        #expect("ｈ".displayWidth == 2)              // fullwidth h
        #expect("\u{200D}".displayWidth == 0)
        #expect("한국어".displayWidth == 6)
        #expect(DisplayWidth.fit("漢字漢字", columns: 5) == "漢字…")
        #expect(DisplayWidth.fit("漢字漢字", columns: 4) == "漢… ")
        #expect(DisplayWidth.fit("ab", columns: 4) == "ab  ")
        #expect(TokenDisplay.render([0x20, 0x0A, 0x09, 0x01, 0x7F, 0xE2, 0x80]) == "·↵→\\x01\\x7F\\xE2\\x80")
    }
}

@Suite struct ByteLevelAndDisplayTests {
    @Test func gpt2ByteMap() {
        let t = ByteLevelMap.byteToScalar
        #expect(t[0x20] == 0x120 && t[0x0A] == 0x10A && t[0x09] == 0x109)
        #expect(t[0x7F] == 0x121 && t[0xA0] == 0x142 && t[0xAD] == 0x143 && t[0x41] == 0x41 && t[0xFF] == 0xFF)
        #expect(Set(t).count == 256)
        for b in 0..<256 { #expect(ByteLevelMap.bytes(of: ByteLevelMap.token(ofBytes: [UInt8(b)])) == [UInt8(b)]) }
        #expect(ByteLevelMap.bytes(of: "<|x|>") == Array("<|x|>".utf8))
        #expect(ByteLevelMap.bytes(of: "▁") == nil)
    }

    @Test func splitCharactersShowWhereTheyStart() {
        // 😀 = F0 9F 98 80 split over three tokens, then a lone continuation byte.
        let forms = TokenDisplay.forms([[0x20, 0xF0], [0x9F, 0x98], [0x80, 0x41], [0x80]])
        #expect(forms == ["·😀", "\\x9F\\x98", "\\x80A", "\\x80"])
        // Overlong encodings and surrogates are not characters.
        #expect(TokenDisplay.render([0xC0, 0xAF]) == "\\xC0\\xAF")
        #expect(TokenDisplay.render([0xED, 0xA0, 0x80]) == "\\xED\\xA0\\x80")
        #expect(TokenDisplay.render(Array("e\u{301}\u{200D}\u{85}".utf8)) == "e\u{301}\\u{200D}\\u{85}")
    }

    @Test func transformersCleanupOption() throws {
        let tok = try Tokenizer(json: try JSONValue.parse(#"{"version":"1.0","added_tokens":[],"decoder":null,"model":{"type":"WordLevel","unk_token":"a","vocab":{"a":0,"b":1,".":2,"n't":3}}}"#), path: "c.json")
        #expect(tok.decode([0, 3, 1, 2]) == "a n't b .")
        #expect(tok.decode([0, 3, 1, 2], cleanUpTokenizationSpaces: true) == "an't b.")
    }
}
