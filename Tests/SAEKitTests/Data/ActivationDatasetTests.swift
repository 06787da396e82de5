import Foundation
import Testing
@testable import SAEKit

@Suite struct ActivationDatasetTests {
    static let example = TestPaths.example("data/smollm2-L10")

    @Test func exampleDatasetOpensWithTokenizer() throws {
        let ds = try ActivationDataset(path: Self.example.path)
        #expect(ds.rowCount == 111 * 128 && ds.dim == 576 && ds.windowLength == 128)
        #expect(ds.activationsDType == .F16)
        #expect(ds.excludedPositions == [0])
        #expect(ds.usableRows.count == 111 * 127)
        #expect(ds.windowIndex?.count == 111)
        #expect(ds.layer == 10)
        let tok = try ds.tokenizer
        #expect(ds.tokens![0] == 0)
        let text = tok.decode(ds.tokens![1..<128])
        #expect(text.count > 100)
        // Row 1 is finite and of the expected scale (layer 10 max |x| ≈ 127).
        let r = try ds.rows(1..<2)
        #expect(r.data.allSatisfy { $0.isFinite && abs($0) < 200 })
    }

    @Test func splitIsByWindowAndDeterministic() throws {
        let ds = try ActivationDataset(path: Self.example.path)
        let s1 = ds.split(heldOutFraction: 0.1), s2 = ds.split(heldOutFraction: 0.1)
        #expect(s1 == s2)
        #expect(s1.heldOutWindows.count == 11 && s1.trainWindows.count == 100)
        #expect(Set(s1.trainWindows).isDisjoint(with: s1.heldOutWindows))
        #expect(s1.trainRows.count + s1.heldOutRows.count == ds.usableRows.count)
        #expect(s1.heldOutRows.allSatisfy { s1.heldOutWindows.contains($0 / 128) && $0 % 128 != 0 })
        #expect(ds.split(heldOutFraction: 0.1, seed: 9).heldOutWindows != s1.heldOutWindows)
    }

    @Test func npyPairMatchesSafetensors() throws {
        let dir = TestPaths.tempDir("npy")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededRNG(seed: 3)
        let m = Matrix(rows: 64, cols: 8, data: rng.gaussians(512))
        let toks = (0..<64).map { Int64($0 % 5) }
        try NPYArray.write(floats: m.data, shape: [4, 16, 8], dtype: .F32, to: dir.appendingPathComponent("activations.npy"))
        try NPYArray.write(ints: toks, shape: [4, 16], dtype: .I64, to: dir.appendingPathComponent("tokens.npy"))
        try AtomicFile.write(#"{"model": "toy", "layer": 3, "exclude_positions": "0"}"#, to: dir.appendingPathComponent("metadata.json"))
        let ds = try ActivationDataset(path: dir.path)
        #expect(ds.rowCount == 64 && ds.dim == 8 && ds.windowLength == 16)
        #expect(ds.tokens == toks.map { Int32($0) })
        #expect(ds.metadata["model"] == "toy" && ds.layer == 3)
        #expect(ds.usableRows.count == 60)
        #expect(try ds.rows(0..<64) == m)
        // F16 npy reads back as the F16 rounding.
        try NPYArray.write(floats: m.data, shape: [64, 8], dtype: .F16, to: dir.appendingPathComponent("activations.npy"))
        let h = try ActivationDataset(path: dir.appendingPathComponent("activations.npy").path)
        #expect(try h.rows(0..<64).data == m.data.map { Float(Float16($0)) })
    }

    @Test func windowedBF16WithIDs() throws {
        let dir = TestPaths.tempDir("bf16")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededRNG(seed: 11)
        let m = Matrix(rows: 24, cols: 4, data: rng.gaussians(96))
        var w = SafetensorsWriter(metadata: ["model": "toy", "exclude_positions": "0,1"])
        w.add("activations", floats: m.data, shape: [3, 8, 4], dtype: .BF16)
        w.add("tokens", ints: (0..<24).map { Int64($0) }, shape: [3, 8], dtype: .I64)
        w.add("window_idx", ints: [7, 3, 9], shape: [3], dtype: .I64)
        w.add("document_ids", ints: [0, 0, 1], shape: [3], dtype: .I32)
        try w.write(to: dir.appendingPathComponent("activations.safetensors"))
        let ds = try ActivationDataset(path: dir.path)
        #expect(ds.windowLength == 8 && ds.windowCount == 3 && ds.activationsDType == .BF16)
        #expect(ds.windowIndex == [7, 3, 9])
        #expect(ds.documentIDs?[16] == 1 && ds.documentIDs?[15] == 0)
        #expect(ds.usableRows.count == 18 && !ds.usableRows.contains(9))
        let want = m.data.map { HalfFloat.bf16ToFloat(HalfFloat.floatToBF16($0)) }
        #expect(try ds.rows(0..<24).data == want)
        // Schedules built on usable rows never visit excluded positions.
        var it = BatchSchedule(rows: ds.usableRows, batchSize: 5, shuffleSeed: 2).makeIterator()
        for _ in 0..<4 { #expect(it.next()!.allSatisfy { ds.position(ofRow: $0) >= 2 }) }
    }

    @Test func npyReadsNumpyWrittenFile() throws {
        // Written by numpy 2.4: np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)).
        var header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".utf8)
        while header.count < 117 { header.append(0x20) }
        header.append(0x0A)
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 0x76, 0]
        bytes += header
        for v in 0..<6 { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { bytes += $0 } }
        let url = TestPaths.tempDir("npy1").appendingPathComponent("a.npy")
        try Data(bytes).write(to: url)
        let a = try NPYArray(path: url.path)
        #expect(a.shape == [2, 3] && a.dtype == .F32)
        var out = [Float](repeating: 0, count: 6)
        try out.withUnsafeMutableBufferPointer { try a.readFloats(range: 0..<6, into: $0.baseAddress!) }
        #expect(out == [0, 1, 2, 3, 4, 5])
    }
}

/// Bad datasets give one-line errors naming the file and the problem.
@Suite struct BadDatasetTests {
    func expectError(_ path: String, contains needle: String, _ body: () throws -> Void) {
        do { try body(); Issue.record("no error for \(needle)") } catch {
            let s = "\(error)"
            #expect(!s.contains("\n"), "one line: \(s)")
            #expect(s.contains(path), "names the file: \(s)")
            #expect(s.contains(needle), "says \(needle): \(s)")
        }
    }

    func write(_ dir: URL, acts: Matrix, tokens: [Int64]?, tokDType: DType = .I32, actDType: DType = .F32, ctx: Int = 8) throws -> String {
        var w = SafetensorsWriter(metadata: ["ctx": String(ctx)])
        if actDType.isFloat { w.add("activations", matrix: acts, dtype: actDType) }
        else { w.add("activations", ints: acts.data.map { Int64($0) }, shape: [acts.rows, acts.cols], dtype: actDType) }
        if let tokens { w.add("tokens", ints: tokens, shape: [tokens.count], dtype: tokDType) }
        let url = dir.appendingPathComponent("activations.safetensors")
        try w.write(to: url)
        return url.path
    }

    @Test func errors() throws {
        let dir = TestPaths.tempDir("bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = Matrix(rows: 16, cols: 4) { i, j in Float(i + j) }
        var p = try write(dir, acts: m, tokens: Array(0..<15))
        expectError(p, contains: "tokens have 15 entries but activations have 16 rows") { _ = try ActivationDataset(path: p) }
        p = try write(dir, acts: m, tokens: Array(0..<16), tokDType: .U8)
        expectError(p, contains: "tokens have dtype U8") { _ = try ActivationDataset(path: p) }
        p = try write(dir, acts: m, tokens: nil, actDType: .I32)
        expectError(p, contains: "activations have dtype I32") { _ = try ActivationDataset(path: p) }
        var nan = m
        nan[11, 2] = .nan
        p = try write(dir, acts: nan, tokens: Array(0..<16))
        let ds = try ActivationDataset(path: p)
        _ = try ds.rows(0..<11)
        expectError(p, contains: "row 11 (window 1, position 3) contains NaN") { _ = try ds.rows(0..<16) }
        // Tokenizer missing, then one with too few ids.
        p = try write(dir, acts: m, tokens: Array(0..<16).map { $0 * 2 })
        let ds2 = try ActivationDataset(path: p)
        expectError(p, contains: "no tokenizer.json") { _ = try ds2.tokenizer }
        let vocab = (0..<20).map { "\"t\($0)\":\($0)" }.joined(separator: ",")
        let tokPath = dir.appendingPathComponent("tokenizer.json")
        try AtomicFile.write(#"{"version":"1.0","added_tokens":[],"decoder":null,"model":{"type":"WordLevel","unk_token":"t0","vocab":{"# + vocab + "}}}", to: tokPath)
        expectError(tokPath.path, contains: "has 20 token ids but") { _ = try ds2.tokenizer }
        // Truncated npy.
        let npy = dir.appendingPathComponent("x/activations.npy")
        try NPYArray.write(floats: m.data, shape: [16, 4], to: npy)
        let d = try Data(contentsOf: npy)
        try d.prefix(d.count - 3).write(to: npy)
        expectError(npy.path, contains: "truncated") { _ = try ActivationDataset(path: npy.deletingLastPathComponent().path) }
    }
}
