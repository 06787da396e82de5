import Foundation

/// A NumPy `.npy` array (format versions 1.0–3.0, numpy/lib/format.py), memory-mapped.
///
/// Reads little-endian (or single-byte) `f2`/`f4`/`f8`/`i1`…`i8`/`u1`…`u8`/`b1` in C order; rejects
/// Fortran order, big-endian and object arrays with a one-line error naming the file. Named
/// `NPYArray` to stay apart from the Gemma Scope `.npz` reader in Formats/.
public final class NPYArray: @unchecked Sendable {
    public let path: String
    /// Element type, expressed as the equivalent safetensors dtype.
    public let dtype: DType
    public let shape: [Int]
    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    private let mapped: MappedFile
    private let dataOffset: Int

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Maps and validates `path`.
    public init(path: String) throws {
        self.path = path
        mapped = try MappedFile(path: path)
        let b = mapped.bytes
        func bad(_ m: String) -> SeedScopeError { .invalid(file: path, message: m) }
        guard b.count >= 10, Array(b[0..<6]) == Self.magic else { throw bad("not a .npy file (bad magic)") }
        let major = b[6]
        let hlen: Int, hstart: Int
        switch major {
        case 1: hlen = Int(b[8]) | Int(b[9]) << 8; hstart = 10
        case 2, 3:
            guard b.count >= 12 else { throw bad("truncated .npy header") }
            hlen = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24; hstart = 12
        default: throw bad("unsupported .npy format version \(major)")
        }
        guard hstart + hlen <= b.count else { throw bad("truncated .npy header") }
        let header = String(decoding: b[hstart..<(hstart + hlen)], as: UTF8.self)
        guard let descr = Self.field("descr", in: header).map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")) }) else {
            throw bad("npy header has no 'descr'")
        }
        if let fo = Self.field("fortran_order", in: header), fo.trimmingCharacters(in: .whitespaces) == "True" {
            throw bad("Fortran-order arrays are not supported (save with np.ascontiguousarray)")
        }
        guard let shapeText = Self.field("shape", in: header) else { throw bad("npy header has no 'shape'") }
        let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var sh: [Int] = []
        for d in dims {
            guard let v = Int(d), v >= 0 else { throw bad("bad shape \(shapeText) in npy header") }
            sh.append(v)
        }
        shape = sh
        guard let dt = Self.dtype(descr) else { throw bad("unsupported npy dtype '\(descr)' (need little-endian float or integer)") }
        dtype = dt
        dataOffset = hstart + hlen
        let (bytes, overflow) = sh.reduce(1, *).multipliedReportingOverflow(by: dt.size)
        guard !overflow, dataOffset + bytes == b.count else {
            throw bad("file has \(b.count - dataOffset) data bytes but shape \(sh) × \(descr) needs \(bytes) (truncated?)")
        }
    }

    /// The value text of `key` in the header's Python dict literal (shape tuples kept whole).
    static func field(_ key: String, in header: String) -> String? {
        guard let r = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
        var rest = header[r.upperBound...].drop { $0 == " " || $0 == ":" }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        if let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) { rest = rest[..<end] }
        return String(rest)
    }

    static func dtype(_ descr: String) -> DType? {
        let table: [String: DType] = ["f2": .F16, "f4": .F32, "f8": .F64, "i1": .I8, "i2": .I16, "i4": .I32, "i8": .I64,
                                      "u1": .U8, "u2": .U16, "u4": .U32, "u8": .U64, "b1": .BOOL]
        guard let first = descr.first else { return nil }
        let code = String(descr.dropFirst())
        guard let t = table[code] else { return nil }
        if first == "|" { return t.size == 1 ? t : nil }
        return first == "<" || (first == "=" && Int(littleEndian: 1) == 1) ? t : nil
    }

    /// Raw element bytes (no copy; valid while this object lives).
    public var rawBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: mapped.bytes[dataOffset...]) }

    /// Converts flat elements `range` of a float array into `dst`.
    public func readFloats(range: Range<Int>, into dst: UnsafeMutablePointer<Float>) throws {
        guard let base = rawBytes.baseAddress else { return }
        let src = base + range.lowerBound * dtype.size
        let n = range.count
        if dtype == .F32 {
            for i in 0..<n { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        } else if dtype == .F16 {
            HalfFloat.convert(f16: src, to: dst, count: n)
        } else if dtype == .F64 {
            for i in 0..<n { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        } else {
            throw notFloat()
        }
    }

    @inline(never) private func notFloat() -> SeedScopeError {
        .invalid(file: path, message: "dtype \(dtype.rawValue) is not a float type")
    }

    /// All elements of an integer array as `Int64`.
    public func int64s() throws -> [Int64] {
        let n = count
        var out = [Int64](repeating: 0, count: n)
        guard let src = rawBytes.baseAddress else { return out }
        switch dtype {
        case .I64, .U64: for i in 0..<n { out[i] = Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)) }
        case .I32: for i in 0..<n { out[i] = Int64(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .U32: for i in 0..<n { out[i] = Int64(UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .I16: for i in 0..<n { out[i] = Int64(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .U16: for i in 0..<n { out[i] = Int64(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .I8: for i in 0..<n { out[i] = Int64(src.load(fromByteOffset: i, as: Int8.self)) }
        case .U8, .BOOL: for i in 0..<n { out[i] = Int64(src.load(fromByteOffset: i, as: UInt8.self)) }
        default: throw SeedScopeError.invalid(file: path, message: "dtype \(dtype.rawValue) is not an integer type")
        }
        return out
    }

    /// The bytes of a version-1.0 `.npy` file holding `raw` little-endian elements.
    static func encode(raw: Data, descr: String, shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var h = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad with spaces so data starts on a 64-byte boundary, ending in "\n" (format.py).
        let total = 10 + h.utf8.count + 1
        h += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var out = Data(Self.magic + [1, 0])
        let n = UInt16(h.utf8.count)
        out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        out.append(Data(h.utf8))
        out.append(raw)
        return out
    }

    /// Writes a float array (`F32` or `F16`) atomically.
    public static func write(floats values: [Float], shape: [Int], dtype: DType = .F32, to url: URL) throws {
        precondition(values.count == shape.reduce(1, *), "npy: \(values.count) values for shape \(shape)")
        var raw = Data(capacity: values.count * dtype.size)
        switch dtype {
        case .F32: for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
        case .F16: for v in values { withUnsafeBytes(of: HalfFloat.floatToF16(v).littleEndian) { raw.append(contentsOf: $0) } }
        default: preconditionFailure("npy write(floats:) takes F32 or F16")
        }
        try AtomicFile.write(encode(raw: raw, descr: dtype == .F32 ? "<f4" : "<f2", shape: shape), to: url)
    }

    /// Writes an integer array (`I32` or `I64`) atomically.
    public static func write(ints values: [Int64], shape: [Int], dtype: DType = .I64, to url: URL) throws {
        precondition(values.count == shape.reduce(1, *), "npy: \(values.count) values for shape \(shape)")
        var raw = Data(capacity: values.count * dtype.size)
        switch dtype {
        case .I64: for v in values { withUnsafeBytes(of: v.littleEndian) { raw.append(contentsOf: $0) } }
        case .I32: for v in values { withUnsafeBytes(of: Int32(truncatingIfNeeded: v).littleEndian) { raw.append(contentsOf: $0) } }
        default: preconditionFailure("npy write(ints:) takes I32 or I64")
        }
        try AtomicFile.write(encode(raw: raw, descr: dtype == .I32 ? "<i4" : "<i8", shape: shape), to: url)
    }
}
