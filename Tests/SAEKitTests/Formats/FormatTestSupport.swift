import Foundation
import Testing
@testable import SAEKit

/// Shared helpers for the format tests.
enum FT {
    /// |a − b| ≤ tol·max(1, |b|) for every element; records the first few failures with `label`.
    static func expectClose(_ a: [Float], _ b: [Float], tol: Float, _ label: String) {
        #expect(a.count == b.count, "\(label): \(a.count) vs \(b.count) values")
        var bad = 0
        for i in 0..<min(a.count, b.count) where !(abs(a[i] - b[i]) <= tol * max(1, abs(b[i]))) {
            bad += 1
            if bad <= 3 { Issue.record("\(label)[\(i)]: \(a[i]) vs reference \(b[i])") }
        }
        #expect(bad == 0, "\(label): \(bad) of \(a.count) values outside \(tol)")
    }

    /// Expects `body` to throw an error whose one-line description mentions `mentions` (e.g. the file name).
    static func expectOneLineError(_ label: String, mentions: [String], _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("\(label): expected an error")
        } catch {
            let s = "\(error)"
            #expect(!s.contains("\n"), "\(label): multi-line error \(s)")
            for m in mentions { #expect(s.contains(m), "\(label): error does not mention \(m): \(s)") }
            print("\(label): \(s)")
        }
    }

    /// Bit patterns, for bit-exact comparisons that also treat NaN payloads exactly.
    static func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }

    /// A random SAE of `arch` with d, m and k, seeded (the seed is printed by callers).
    static func randomSAE(_ arch: SAEArchitecture, d: Int, m: Int, k: Int = 4, seed: UInt64) -> SparseAutoencoder {
        var rng = SeededRNG(seed: seed)
        let enc = Matrix(rows: m, cols: d, data: rng.gaussians(m * d, scale: 1 / Float(d).squareRoot()))
        var dec = Matrix(rows: m, cols: d, data: rng.gaussians(m * d))
        dec.normalizeRows()
        let sae = SparseAutoencoder(
            encoder: enc, encoderBias: rng.gaussians(m, scale: 0.1), decoder: dec, decoderBias: rng.gaussians(d, scale: 0.3),
            architecture: arch, k: (arch == .topk || arch == .batchtopk) ? k : nil,
            thresholds: arch == .jumprelu ? (0..<m).map { _ in rng.nextFloat() * 0.3 } : nil,
            batchThreshold: arch == .batchtopk ? 0.15 : nil,
            gated: arch == .gated ? GatedParameters(bGate: [], bMag: rng.gaussians(m, scale: 0.1), rMag: rng.gaussians(m, scale: 0.2)) : nil)
        var s = sae
        if arch == .gated { s.gated!.bGate = s.encoderBias }
        return s
    }
}

/// A tiny ZIP writer for malformed-archive tests (STORED members only, CRC-32 computed here).
enum TinyZip {
    static func crc32(_ d: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in d {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return ~c
    }

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }

    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * UInt64($0))) & 0xFF) } }

    /// A ZIP archive of STORED members. With `zip64`, every size/offset field in the central directory
    /// is 0xFFFFFFFF with the real values in a ZIP64 extra field, and the end record points through a
    /// ZIP64 locator + record (as writers do for archives over 4 GiB).
    static func archive(_ members: [(String, [UInt8])], zip64: Bool = false) -> Data {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in members {
            let off = out.count
            let n = Array(name.utf8)
            let crc = crc32(data)
            out += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(crc)
            out += le32(UInt32(data.count)) + le32(UInt32(data.count)) + le16(n.count) + le16(0) + n + data
            let big: UInt32 = 0xFFFF_FFFF
            let extra = zip64 ? le16(1) + le16(24) + le64(UInt64(data.count)) + le64(UInt64(data.count)) + le64(UInt64(off)) : []
            central += le32(0x0201_4B50) + le16(45) + le16(45) + le16(0) + le16(0) + le16(0) + le16(0) + le32(crc)
            central += le32(zip64 ? big : UInt32(data.count)) + le32(zip64 ? big : UInt32(data.count)) + le16(n.count) + le16(extra.count) + le16(0)
            central += le16(0) + le16(0) + le32(0) + le32(zip64 ? big : UInt32(off)) + n + extra
        }
        let cdOff = out.count
        out += central
        if zip64 {
            let rec = out.count
            out += le32(0x0606_4B50) + le64(44) + le16(45) + le16(45) + le32(0) + le32(0)
            out += le64(UInt64(members.count)) + le64(UInt64(members.count)) + le64(UInt64(central.count)) + le64(UInt64(cdOff))
            out += le32(0x0706_4B50) + le32(0) + le64(UInt64(rec)) + le32(1)
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(0xFFFF) + le16(0xFFFF) + le32(0xFFFF_FFFF) + le32(0xFFFF_FFFF) + le16(0)
        } else {
            out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(members.count) + le16(members.count)
            out += le32(UInt32(central.count)) + le32(UInt32(cdOff)) + le16(0)
        }
        return Data(out)
    }

    /// NPY v1.0 bytes for float32 values.
    static func npy(_ values: [Float], shape: [Int], descr: String = "<f4", fortran: Bool = false) -> [UInt8] {
        let shp = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var h = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shp), }"
        while (10 + h.utf8.count + 1) % 64 != 0 { h += " " }
        h += "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0] + le16(h.utf8.count) + Array(h.utf8)
        for v in values { out += le32(v.bitPattern) }
        return out
    }
}
