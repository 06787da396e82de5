import Foundation

/// The header of a `.npy` array (NEP 1 / numpy `lib/format.py`): magic `\x93NUMPY`, version byte
/// pair, a little-endian header length (u16 for v1.0, u32 for v2.0/v3.0), then an ASCII (v3: UTF-8)
/// Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (32, 128), }`.
public struct NpyHeader: Sendable, Equatable {
    /// numpy dtype string, e.g. `<f4`.
    public var descr: String
    public var fortranOrder: Bool
    /// Shape; `[]` for a 0-d array (one element).
    public var shape: [Int]
    /// Byte offset of the data from the start of the `.npy` bytes.
    public var dataOffset: Int
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
}

/// Reader for `.npy` float arrays: little-endian float32/float16/float64 (`<f4`, `<f2`, `<f8`), in C or
/// Fortran order (Fortran-ordered data is permuted to C order on read: `np.save` writes a transposed
/// view such as `W_enc.T` with `fortran_order: True`, which the Gemma Scope fixture's `W_dec` is).
/// Anything else (big-endian, integer or object dtypes) is rejected with a one-line error naming the
/// file and member rather than guessed at.
public enum Npy {
    /// Parses the header of the `.npy` bytes `b`; `name` (e.g. `params.npz: W_enc.npy`) appears in errors.
    public static func header(_ b: UnsafeRawBufferPointer, name: String) throws -> NpyHeader {
        func bad(_ m: String) -> SeedScopeError { .invalid(file: name, message: m) }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard b.count >= 10, (0..<6).allSatisfy({ b[$0] == magic[$0] }) else { throw bad("not a .npy array (bad magic)") }
        let major = b[6]
        let hlen: Int, hstart: Int
        switch major {
        case 1: hlen = Int(UInt16(b[8]) | UInt16(b[9]) << 8); hstart = 10
        case 2, 3:
            guard b.count >= 12 else { throw bad("truncated .npy header") }
            hlen = Int(UInt32(b[8]) | UInt32(b[9]) << 8 | UInt32(b[10]) << 16 | UInt32(b[11]) << 24); hstart = 12
        default: throw bad(".npy format version \(major).\(b[7]) is not supported")
        }
        guard hlen <= b.count - hstart else { throw bad("truncated .npy header (\(hlen) bytes declared)") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: b[hstart..<(hstart + hlen)]), as: UTF8.self)
        var p = PyLiteralParser(text)
        let dict: [String: PyLiteral]
        do { dict = try p.parseDict() } catch let e as PyLiteralParser.Failure { throw bad("cannot parse .npy header: \(e.message)") }
        guard case let .string(descr)? = dict["descr"] else { throw bad(".npy header has no 'descr'") }
        guard case let .bool(fortran)? = dict["fortran_order"] else { throw bad(".npy header has no 'fortran_order'") }
        guard case let .tuple(dims)? = dict["shape"] else { throw bad(".npy header has no 'shape' tuple") }
        var shape: [Int] = []
        for d in dims {
            guard case let .int(v) = d, v >= 0 else { throw bad(".npy shape entries must be non-negative integers") }
            shape.append(v)
        }
        return NpyHeader(descr: descr, fortranOrder: fortran, shape: shape, dataOffset: hstart + hlen)
    }

    /// Element size for a supported float descr, or a one-line error.
    static func floatSize(_ h: NpyHeader, name: String) throws -> Int {
        switch h.descr {
        case "<f4": return 4
        case "<f2": return 2
        case "<f8": return 8
        case ">f4", ">f2", ">f8":
            throw SeedScopeError.invalid(file: name, message: "big-endian dtype \(h.descr) is not supported (expected <f4, <f2 or <f8)")
        default:
            throw SeedScopeError.invalid(file: name, message: "dtype \(h.descr) is not supported (expected <f4, <f2 or <f8)")
        }
    }

    /// Reads the whole array as `Float` (C order). Validates dtype, order and exact data length.
    /// - Complexity: O(count).
    public static func floats(_ b: UnsafeRawBufferPointer, name: String) throws -> (header: NpyHeader, values: [Float]) {
        let h = try header(b, name: name)
        let size = try floatSize(h, name: name)
        let (bytes, o) = h.count.multipliedReportingOverflow(by: size)
        guard !o, b.count - h.dataOffset == bytes else {
            throw SeedScopeError.invalid(file: name, message: "data is \(b.count - h.dataOffset) bytes but shape \(h.shape) × \(h.descr) needs \(bytes) (truncated or corrupt)")
        }
        var out = [Float](repeating: 0, count: h.count)
        let src = b.baseAddress.map { $0 + h.dataOffset }
        out.withUnsafeMutableBufferPointer { dst in
            guard let src, let d = dst.baseAddress else { return }
            switch size {
            case 4: for i in 0..<h.count { d[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            case 2: HalfFloat.convert(f16: src, to: d, count: h.count)
            default: for i in 0..<h.count { d[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
            }
        }
        if h.fortranOrder && h.shape.count >= 2 { out = fortranToC(out, shape: h.shape) }
        return (h, out)
    }

    /// Permutes column-major (Fortran) data of `shape` into row-major order.
    /// - Complexity: O(count).
    static func fortranToC(_ v: [Float], shape: [Int]) -> [Float] {
        if shape.count == 2 {
            // Fortran [r, c] is C [c, r] transposed.
            return Matrix(rows: shape[1], cols: shape[0], data: v).transposed().data
        }
        var out = [Float](repeating: 0, count: v.count)
        var strides = [Int](repeating: 1, count: shape.count)   // Fortran strides
        for k in 1..<shape.count { strides[k] = strides[k - 1] * shape[k - 1] }
        var idx = [Int](repeating: 0, count: shape.count)
        for c in 0..<v.count {
            var f = 0
            for k in 0..<shape.count { f += idx[k] * strides[k] }
            out[c] = v[f]
            var k = shape.count - 1
            while k >= 0 { idx[k] += 1; if idx[k] < shape[k] { break }; idx[k] = 0; k -= 1 }
        }
        return out
    }
}

/// The few Python literal forms a `.npy` header uses.
enum PyLiteral: Equatable {
    case string(String), bool(Bool), int(Int), tuple([PyLiteral]), none
}

/// A minimal parser for the Python dict literal in `.npy` headers (strings, True/False/None,
/// integers, tuples). It does not evaluate anything.
struct PyLiteralParser {
    struct Failure: Error { var message: String }
    private let s: [UInt8]
    private var i = 0
    init(_ text: String) { s = Array(text.utf8) }

    private mutating func skipSpace() { while i < s.count, s[i] == 0x20 || s[i] == 0x0A || s[i] == 0x09 || s[i] == 0x0D { i += 1 } }
    private mutating func expect(_ c: UInt8) throws {
        skipSpace()
        guard i < s.count, s[i] == c else { throw Failure(message: "expected '\(Character(UnicodeScalar(c)))' at \(i)") }
        i += 1
    }
    private mutating func peek() -> UInt8? { skipSpace(); return i < s.count ? s[i] : nil }

    mutating func parseDict() throws -> [String: PyLiteral] {
        try expect(UInt8(ascii: "{"))
        var out: [String: PyLiteral] = [:]
        while true {
            if peek() == UInt8(ascii: "}") { i += 1; break }
            guard case let .string(key) = try value() else { throw Failure(message: "dict key is not a string") }
            try expect(UInt8(ascii: ":"))
            out[key] = try value()
            if peek() == UInt8(ascii: ",") { i += 1; continue }
            try expect(UInt8(ascii: "}")); break
        }
        return out
    }

    private mutating func value() throws -> PyLiteral {
        guard let c = peek() else { throw Failure(message: "unexpected end") }
        if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
            i += 1
            let start = i
            while i < s.count, s[i] != c { i += 1 }
            guard i < s.count else { throw Failure(message: "unterminated string") }
            defer { i += 1 }
            return .string(String(decoding: s[start..<i], as: UTF8.self))
        }
        if c == UInt8(ascii: "(") {
            i += 1
            var items: [PyLiteral] = []
            while true {
                if peek() == UInt8(ascii: ")") { i += 1; break }
                items.append(try value())
                if peek() == UInt8(ascii: ",") { i += 1; continue }
                try expect(UInt8(ascii: ")")); break
            }
            return .tuple(items)
        }
        if c >= 0x30 && c <= 0x39 || c == UInt8(ascii: "-") {
            let start = i
            i += 1
            while i < s.count, s[i] >= 0x30 && s[i] <= 0x39 { i += 1 }
            // numpy 1.x on Windows wrote "3L"; accept the suffix.
            let digits = String(decoding: s[start..<i], as: UTF8.self)
            if i < s.count, s[i] == UInt8(ascii: "L") { i += 1 }
            guard let v = Int(digits) else { throw Failure(message: "integer \(digits) out of range") }
            return .int(v)
        }
        for (word, v) in [("True", PyLiteral.bool(true)), ("False", .bool(false)), ("None", .none)] {
            let w = Array(word.utf8)
            if i + w.count <= s.count, Array(s[i..<(i + w.count)]) == w { i += w.count; return v }
        }
        throw Failure(message: "unexpected character at \(i)")
    }
}

/// An `.npz` archive (numpy `savez` / `savez_compressed`): a ZIP whose members are `<key>.npy`.
public final class NpzFile: @unchecked Sendable {
    public let path: String
    public let zip: ZipArchive
    /// Array keys (member names without `.npy`), in archive order.
    public let keys: [String]

    /// Opens `path`; an archive with no `.npy` members is rejected (it is some other ZIP).
    public init(path: String) throws {
        self.path = path
        zip = try ZipArchive(path: path)
        keys = zip.entries.filter { $0.name.hasSuffix(".npy") }.map { String($0.name.dropLast(4)) }
        guard !keys.isEmpty else {
            throw SeedScopeError.invalid(file: path, message: "ZIP archive without .npy members; not an .npz file")
        }
    }

    public func contains(_ key: String) -> Bool { keys.contains(key) }

    /// The header of array `key` (reads and, for DEFLATE members, inflates the member).
    public func header(_ key: String) throws -> NpyHeader {
        try withMember(key) { try Npy.header($0, name: "\(path): \(key).npy") }
    }

    /// Array `key` as Float values with its header.
    public func floats(_ key: String) throws -> (header: NpyHeader, values: [Float]) {
        try withMember(key) { try Npy.floats($0, name: "\(path): \(key).npy") }
    }

    private func withMember<R>(_ key: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let e = zip.entry(named: key + ".npy") else {
            throw SeedScopeError.invalid(file: path, message: "array \"\(key)\" missing (has \(keys.joined(separator: ", ")))")
        }
        return try zip.withContents(of: e, body)
    }
}
