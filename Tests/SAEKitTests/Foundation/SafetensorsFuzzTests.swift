import Foundation
import Testing
@testable import SAEKit

/// Seeded fuzzing of the safetensors reader: byte flips, truncations, header edits and random
/// headers never crash or hang; every input either loads (and then round-trips) or throws the typed
/// error. `SEEDSCOPE_FUZZ_CASES` sets the count (`make fuzz` uses 100,000).
@Suite struct SafetensorsFuzzTests {
    static var caseCount: Int { Int(ProcessInfo.processInfo.environment["SEEDSCOPE_FUZZ_CASES"] ?? "") ?? 3000 }

    func seedFiles() throws -> [Data] {
        var w = SafetensorsWriter(metadata: ["a": "b"])
        w.add("x", floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        w.add("y", floats: [1, 2], shape: [2], dtype: .BF16)
        w.add("z", ints: [1, 2, 3], shape: [3], dtype: .I64)
        var w2 = SafetensorsWriter()
        w2.add("s", floats: [3], shape: [])
        return [w.serialized(), w2.serialized(),
                try Data(contentsOf: TestPaths.fixture("sparsify/probe_bf16_seed0.safetensors"))]
    }

    func check(_ d: Data, _ label: @autoclosure () -> String) {
        do {
            let f = try SafetensorsFile(data: d, name: "fuzz")
            // Loaded: every tensor must be readable and the file must round-trip through the writer.
            var w = SafetensorsWriter(metadata: f.metadata ?? [:])
            for t in f.tensors {
                let raw = f.rawBytes(t)
                #expect(raw.count == t.byteCount)
                if t.dtype.isSupported { _ = try f.stats(t.name) }
                w.add(t.name, raw: Data(raw), dtype: t.dtype, shape: t.shape)
            }
            let g = try SafetensorsFile(data: w.serialized(), name: "fuzz-rt")
            #expect(Set(g.names) == Set(f.names), "\(label())")
        } catch is SafetensorsError {
        } catch { Issue.record("\(label()): untyped error \(error)") }
    }

    @Test func fuzzReader() throws {
        let seed: UInt64 = 0x5EED_5C09E
        print("SafetensorsFuzzTests seed \(seed), cases \(Self.caseCount)")
        var rng = SeededRNG(seed: seed)
        let seeds = try seedFiles()
        let fragments = ["{", "}", "\"dtype\"", "\"F32\"", "\"shape\"", "[", "]", "\"data_offsets\"", ",", ":", "0", "99999999999999999999",
                         "-1", "\"__metadata__\"", "\"BF16\"", "\"I64\"", "null", "1e3", "\"\\ud800\"", " "]
        for c in 0..<Self.caseCount {
            var d = seeds[Int(rng.next() % UInt64(seeds.count))]
            let hlen = Int(d.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            switch rng.next() % 5 {
            case 0: // byte flips anywhere
                for _ in 0..<(1 + Int(rng.next() % 4)) { let i = Int(rng.next() % UInt64(d.count)); d[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
            case 1: // truncation
                d = d.prefix(Int(rng.next() % UInt64(d.count)))
            case 2: // header byte edits (inside the JSON)
                for _ in 0..<(1 + Int(rng.next() % 3)) { let i = 8 + Int(rng.next() % UInt64(max(hlen, 1))); if i < d.count { d[i] = UInt8(truncatingIfNeeded: 32 + rng.next() % 95) } }
            case 3: // random header from fragments, with a consistent length prefix
                var h = ""
                for _ in 0..<Int(rng.next() % 30) { h += fragments[Int(rng.next() % UInt64(fragments.count))] }
                d = rawSafetensors(h, data: (0..<Int(rng.next() % 16)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            default: // corrupt the length prefix
                let n = rng.next() % 4 == 0 ? rng.next() : UInt64(bitPattern: Int64(hlen + Int(rng.next() % 17) - 8))
                withUnsafeBytes(of: n.littleEndian) { d.replaceSubrange(0..<8, with: $0) }
            }
            check(d, "case \(c)")
        }
    }
}
