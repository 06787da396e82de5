import Foundation
import Testing
@testable import SAEKit

/// Builds a raw safetensors file from a header string and a data buffer (for malformed cases).
func rawSafetensors(_ header: String, data: [UInt8], pad: Bool = false) -> Data {
    var h = Array(header.utf8)
    if pad { while h.count % 8 != 0 { h.append(0x20) } }
    var d = Data()
    withUnsafeBytes(of: UInt64(h.count).littleEndian) { d.append(contentsOf: $0) }
    d.append(contentsOf: h)
    d.append(contentsOf: data)
    return d
}

@Suite struct SafetensorsTests {
    func expectKind(_ data: Data, _ check: (SafetensorsErrorKind) -> Bool, _ label: String) {
        do {
            _ = try SafetensorsFile(data: data, name: "case.safetensors")
            Issue.record("\(label): expected rejection")
        } catch let e as SafetensorsError {
            #expect(check(e.kind), "\(label): got \(e)")
            #expect(e.description.hasPrefix("case.safetensors: "))
            #expect(!e.description.contains("\n"))
        } catch { Issue.record("\(label): untyped error \(error)") }
    }

    @Test func roundTripAllDTypes() throws {
        var w = SafetensorsWriter(metadata: ["format": "pt", "note": "unicode ✓"])
        let floats: [Float] = [1, -2, 3.5, 0.25, -0.125, 100]
        w.add("f32", floats: floats, shape: [2, 3])
        w.add("f16", floats: floats, shape: [6], dtype: .F16)
        w.add("bf16", floats: floats, shape: [3, 2], dtype: .BF16)
        w.add("f64", floats: floats, shape: [6], dtype: .F64)
        w.add("i64", ints: [1, -2, 3], shape: [3])
        w.add("i32", ints: [1, -2, 3], shape: [3], dtype: .I32)
        w.add("i16", ints: [1, -2, 3], shape: [3], dtype: .I16)
        w.add("i8", ints: [1, -2, 3], shape: [3], dtype: .I8)
        w.add("u8", ints: [1, 2, 255], shape: [3], dtype: .U8)
        w.add("bool", ints: [1, 0, 1], shape: [3], dtype: .BOOL)
        w.add("scalar", floats: [42], shape: [])
        w.add("empty", floats: [], shape: [0, 4])
        let bytes = w.serialized()
        let hlen = Int(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        #expect(hlen % 8 == 0)
        let f = try SafetensorsFile(data: bytes, name: "rt")
        #expect(f.metadata?["note"] == "unicode ✓")
        for n in ["f32", "f16", "bf16", "f64"] { #expect(try f.floats(n) == floats, "\(n)") }
        #expect(try f.int64s("i64") == [1, -2, 3])
        #expect(try f.int64s("i32") == [1, -2, 3])
        #expect(try f.int64s("i16") == [1, -2, 3])
        #expect(try f.int64s("i8") == [1, -2, 3])
        #expect(try f.int64s("u8") == [1, 2, 255])
        #expect(try f.int64s("bool") == [1, 0, 1])
        #expect(try f.floats("scalar") == [42])
        #expect(try f.info("empty").count == 0)
        // Writer order: alignment descending, then name.
        #expect(f.names.prefix(2) == ["i64", "f64"])  // enum order: I64 after F64, sorted descending
        let m = try f.matrix("f32", rows: 2, cols: 3)
        #expect(m[1, 2] == 100)
        #expect(throws: SafetensorsError.self) { try f.matrix("f32", rows: 3, cols: 2) }
        #expect(throws: SafetensorsError.self) { try f.floats("nope") }
    }

    @Test func writesAtomicallyAndLoadsFromDisk() throws {
        let dir = TestPaths.tempDir("st")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("a.safetensors")
        var w = SafetensorsWriter()
        w.add("x", floats: [1, 2, 3, 4], shape: [2, 2])
        try w.write(to: url)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(left == ["a.safetensors"])
        let f = try SafetensorsFile(path: url.path)
        #expect(try f.floats("x") == [1, 2, 3, 4])
    }

    @Test func rejectsLikeTheReference() {
        expectKind(Data([1, 2, 3]), { $0 == .headerTooSmall }, "short")
        var big = Data(); withUnsafeBytes(of: UInt64(200_000_000).littleEndian) { big.append(contentsOf: $0) }
        expectKind(big, { if case .headerTooLarge = $0 { return true }; return false }, "too large")
        var past = Data(); withUnsafeBytes(of: UInt64(50).littleEndian) { past.append(contentsOf: $0) }; past.append(contentsOf: [0x7B, 0x7D])
        expectKind(past, { if case .invalidHeaderLength = $0 { return true }; return false }, "past EOF")
        var badUTF = Data(); withUnsafeBytes(of: UInt64(2).littleEndian) { badUTF.append(contentsOf: $0) }; badUTF.append(contentsOf: [0xFF, 0xFE])
        expectKind(badUTF, { $0 == .invalidHeaderUTF8 }, "utf8")
        expectKind(rawSafetensors("[1,2]", data: []), { if case .invalidHeaderJSON = $0 { return true }; return false }, "non-object")
        expectKind(rawSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", data: [0, 0, 0, 0]), { if case .invalidHeaderJSON = $0 { return true }; return false }, "missing offsets")
        expectKind(rawSafetensors("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]), { $0 == .unknownDType("Q7") }, "dtype")
        expectKind(rawSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]), { if case .invalidHeaderJSON = $0 { return true }; return false }, "negative shape")
        expectKind(rawSafetensors("{\"__metadata__\":{\"a\":1}}", data: []), { if case .invalidHeaderJSON = $0 { return true }; return false }, "metadata non-string")
        // Gap, overlap, aliasing (test_json_attack), offsets not starting at 0.
        expectKind(rawSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: [UInt8](repeating: 0, count: 8)), { if case .invalidOffset = $0 { return true }; return false }, "not from 0")
        expectKind(rawSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: [UInt8](repeating: 0, count: 4)), { if case .invalidOffset = $0 { return true }; return false }, "alias")
        expectKind(rawSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", data: [UInt8](repeating: 0, count: 4)), { $0 == .tensorInvalidInfo(expected: 8, actual: 4) }, "size")
        expectKind(rawSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: [UInt8](repeating: 0, count: 6)), { if case .metadataIncompleteBuffer = $0 { return true }; return false }, "trailing")
        expectKind(rawSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]), { $0 == .validationOverflow }, "overflow")
        expectKind(rawSafetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: [UInt8](repeating: 0, count: 8)), { $0 == .duplicateName }, "duplicate")
    }

    @Test func acceptsWhitespaceScalarsAndExtraFields() throws {
        let h = "  {\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"extra\":1},\"e\":{\"dtype\":\"F16\",\"shape\":[0],\"data_offsets\":[4,4]}}  "
        let f = try SafetensorsFile(data: rawSafetensors(h, data: [0, 0, 128, 63]), name: "ws")
        #expect(try f.floats("a") == [1])
    }

    @Test func missingFileIsOneLine() {
        do { _ = try SafetensorsFile(path: "/nonexistent/x.safetensors"); Issue.record("no error") } catch {
            #expect("\(error)" == "/nonexistent/x.safetensors: no such file")
        }
    }

    /// Files written by Python's safetensors (committed fixtures) load and round-trip through the writer.
    @Test func pythonWrittenFixturesLoadAndRoundTrip() throws {
        for rel in ["sparsify/run/layers.3/seed0/sae.safetensors", "sparsify/run-bf16/layers.3/seed0/sae.safetensors",
                    "saelens/gated/sae_weights.safetensors", "matching/solver_cases.safetensors", "sparsify/probe_seed0.safetensors"] {
            let f = try SafetensorsFile(path: TestPaths.fixture(rel).path)
            #expect(!f.tensors.isEmpty)
            var w = SafetensorsWriter(metadata: f.metadata ?? [:])
            for t in f.tensors { w.add(t.name, raw: Data(f.rawBytes(t)), dtype: t.dtype, shape: t.shape) }
            let again = try SafetensorsFile(data: w.serialized(), name: rel)
            #expect(again.tensors.count == f.tensors.count)
            for t in f.tensors { #expect(Data(again.rawBytes(try again.info(t.name))) == Data(f.rawBytes(t))) }
            // The reference writer's file is byte-identical to ours (same sort and padding).
            let original = try Data(contentsOf: TestPaths.fixture(rel))
            #expect(w.serialized() == original, "\(rel) not byte-identical to Python's writer")
        }
    }

    /// Files written by seedscope load in Python's safetensors (runs when the package is importable).
    @Test func seedscopeFilesLoadInPython() throws {
        let py = ProcessInfo.processInfo.environment["SEEDSCOPE_PYTHON"] ?? "python3"
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [py, "-c", "import safetensors, numpy"]
        probe.standardError = FileHandle.nullDevice
        try probe.run(); probe.waitUntilExit()
        guard probe.terminationStatus == 0 else { print("safetensors not importable in \(py): skipping the Python round-trip"); return }
        let dir = TestPaths.tempDir("py")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("s.safetensors")
        var w = SafetensorsWriter(metadata: ["who": "seedscope"])
        w.add("w", floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        w.add("h", floats: [1.5, -2], shape: [2], dtype: .F16)
        w.add("i", ints: [7, -8], shape: [2], dtype: .I32)
        try w.write(to: url)
        let script = """
        from safetensors.numpy import load_file
        from safetensors import safe_open
        t = load_file('\(url.path)')
        assert t['w'].tolist() == [[1,2,3],[4,5,6]], t['w']
        assert t['h'].tolist() == [1.5, -2.0]
        assert t['i'].tolist() == [7, -8]
        with safe_open('\(url.path)', 'np') as f: assert f.metadata() == {'who': 'seedscope'}
        print('ok')
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [py, "-c", script]
        let pipe = Pipe(); p.standardOutput = pipe
        try p.run(); p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0 && out.contains("ok"))
    }
}
