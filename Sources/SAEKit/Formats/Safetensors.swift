import Foundation

/// One tensor's entry in a safetensors header.
public struct TensorInfo: Sendable, Equatable {
    public var name: String
    public var dtype: DType
    /// Shape; `[]` is a scalar (one element).
    public var shape: [Int]
    /// Byte range relative to the start of the data buffer.
    public var begin: Int
    public var end: Int
    /// Number of elements (product of the shape).
    public var count: Int { shape.reduce(1, *) }
    public var byteCount: Int { end - begin }
}

/// A safetensors file, memory-mapped and validated exactly as the reference reader
/// (huggingface/safetensors `read_metadata` + `Metadata::validate`; see reference/formats.md §5.3),
/// plus rejection of duplicate names.
///
/// Opening costs O(header) and touches no tensor data; tensor reads convert F16/BF16/F64 to
/// `Float` (in blocks when asked) and integer types to `Int64`/`Int32`.
public final class SafetensorsFile: @unchecked Sendable {
    /// Where the file came from (used in every error message).
    public let path: String
    /// `__metadata__`, if present (string to string).
    public let metadata: [String: String]?
    /// Tensors in data-offset order.
    public let tensors: [TensorInfo]
    /// Byte offset of the data buffer from the start of the file (8 + header length).
    public let dataStart: Int
    private let storage: ByteStorage
    private let index: [String: Int]

    /// Maps and validates `path`.
    public convenience init(path: String) throws {
        let mf: MappedFile
        do { mf = try MappedFile(path: path) } catch let e as SeedScopeError {
            throw SafetensorsError(file: path, kind: .io(e.description.replacingOccurrences(of: "\(path): ", with: "")))
        }
        try self.init(storage: ByteStorage(mapped: mf), path: path)
    }

    /// Validates in-memory bytes (used by tests and the fuzzer); `name` appears in errors.
    public convenience init(data: Data, name: String) throws {
        try self.init(storage: ByteStorage(data: data), path: name)
    }

    private init(storage: ByteStorage, path: String) throws {
        self.storage = storage
        self.path = path
        let buf = storage.bytes
        func err(_ k: SafetensorsErrorKind, _ t: String? = nil) -> SafetensorsError { SafetensorsError(file: path, tensor: t, kind: k) }
        guard buf.count >= 8 else { throw err(.headerTooSmall) }
        let n = UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard n <= 100_000_000 else { throw err(.headerTooLarge(n)) }
        let hlen = Int(n)
        guard 8 + hlen <= buf.count else { throw err(.invalidHeaderLength(n)) }
        let hbytes = UnsafeRawBufferPointer(rebasing: buf[8..<(8 + hlen)])
        guard String(validating: hbytes.bindMemory(to: UInt8.self), as: UTF8.self) != nil else { throw err(.invalidHeaderUTF8) }
        let json: JSONValue
        do { json = try JSONValue.parse(hbytes, rejectDuplicateKeys: false) } catch {
            throw err(.invalidHeaderJSON("\(error)"))
        }
        guard case let .object(entries) = json else { throw err(.invalidHeaderJSON("header is not a JSON object")) }
        var meta: [String: String]? = nil
        var infos: [TensorInfo] = []
        var seen = Set<String>()
        for (name, v) in entries {
            guard seen.insert(name).inserted else { throw err(.duplicateName, name) }
            if name == "__metadata__" {
                guard case let .object(kv) = v else { throw err(.invalidHeaderJSON("__metadata__ is not an object")) }
                var m: [String: String] = [:]
                for (k, x) in kv {
                    guard case let .string(s) = x else { throw err(.invalidHeaderJSON("__metadata__ value for \"\(k)\" is not a string")) }
                    m[k] = s
                }
                meta = m
                continue
            }
            infos.append(try Self.parseEntry(name: name, v, err: err))
        }
        // Rule 6: sorted by offsets, contiguous from 0. Sorting is by (begin, end) as the reference does.
        infos.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expected = 0
        for t in infos {
            guard t.begin == expected else {
                throw err(.invalidOffset(t.begin < expected ? "overlaps the previous tensor (begins at \(t.begin), previous ends at \(expected))"
                                                           : "gap before it (begins at \(t.begin), previous ends at \(expected))"), t.name)
            }
            guard t.end >= t.begin else { throw err(.invalidOffset("end \(t.end) before begin \(t.begin)"), t.name) }
            var numel = 1
            for s in t.shape {
                let (p, o) = numel.multipliedReportingOverflow(by: s)
                guard !o else { throw err(.validationOverflow, t.name) }
                numel = p
            }
            let (bits, o2) = numel.multipliedReportingOverflow(by: t.dtype.bits)
            guard !o2 else { throw err(.validationOverflow, t.name) }
            guard bits % 8 == 0 else { throw err(.invalidOffset("misaligned slice (bit size not a multiple of 8)"), t.name) }
            guard t.end - t.begin == bits / 8 else { throw err(.tensorInvalidInfo(expected: bits / 8, actual: t.end - t.begin), t.name) }
            expected = t.end
        }
        let (total, o3) = expected.addingReportingOverflow(8 + hlen)
        guard !o3, total == buf.count else { throw err(.metadataIncompleteBuffer(expected: total, actual: buf.count)) }
        self.metadata = meta
        self.tensors = infos
        self.dataStart = 8 + hlen
        var idx: [String: Int] = [:]
        for (i, t) in infos.enumerated() { idx[t.name] = i }
        self.index = idx
    }

    private static func parseEntry(name: String, _ v: JSONValue, err: (SafetensorsErrorKind, String?) -> SafetensorsError) throws -> TensorInfo {
        guard case .object = v else { throw err(.invalidHeaderJSON("entry is not an object"), name) }
        guard let ds = v["dtype"]?.stringValue else { throw err(.invalidHeaderJSON("missing or non-string \"dtype\""), name) }
        guard let dt = DType(rawValue: ds) else { throw err(.unknownDType(ds), name) }
        guard let sh = v["shape"]?.arrayValue else { throw err(.invalidHeaderJSON("missing or non-array \"shape\""), name) }
        var shape: [Int] = []
        for d in sh {
            guard case let .int(i) = d, i >= 0 else { throw err(.invalidHeaderJSON("shape entries must be non-negative integers"), name) }
            shape.append(Int(i))
        }
        guard let off = v["data_offsets"]?.arrayValue, off.count == 2,
              case let .int(b) = off[0], case let .int(e) = off[1], b >= 0, e >= 0 else {
            throw err(.invalidHeaderJSON("\"data_offsets\" must be two non-negative integers"), name)
        }
        return TensorInfo(name: name, dtype: dt, shape: shape, begin: Int(b), end: Int(e))
    }

    /// Names in data order.
    public var names: [String] { tensors.map(\.name) }

    /// Whether a tensor exists.
    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// A tensor's header entry, or `missingTensor`.
    public func info(_ name: String) throws -> TensorInfo {
        guard let i = index[name] else { throw SafetensorsError(file: path, tensor: name, kind: .missingTensor) }
        return tensors[i]
    }

    /// The raw little-endian bytes of a tensor (no copy; valid while this object lives).
    public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let t = try info(name)
        return UnsafeRawBufferPointer(rebasing: storage.bytes[(dataStart + t.begin)..<(dataStart + t.end)])
    }

    /// Raw bytes for a tensor entry.
    public func rawBytes(_ t: TensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage.bytes[(dataStart + t.begin)..<(dataStart + t.end)])
    }

    /// Converts elements `range` (flat indices) of a float tensor into `dst` (`range.count` values).
    /// Works for F32, F16, BF16 and F64; any alignment.
    public func readFloats(_ t: TensorInfo, range: Range<Int>, into dst: UnsafeMutablePointer<Float>) throws {
        let raw = rawBytes(t)
        let n = range.count
        let src = raw.baseAddress.map { $0 + range.lowerBound * t.dtype.size }
        guard let src else { return }
        // An if-chain rather than a `switch` over DType: with `-target-cpu` set, Swift 6.3.1 miscompiled
        // the switch here into a jump table that was dereferenced as a pointer (seen on this machine).
        let dt = t.dtype
        if dt == .F32 {
            if Int(bitPattern: src) % 4 == 0 {
                dst.update(from: src.assumingMemoryBound(to: Float.self), count: n)
            } else {
                for i in 0..<n { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            }
        } else if dt == .F16 {
            HalfFloat.convert(f16: src, to: dst, count: n)
        } else if dt == .BF16 {
            HalfFloat.convert(bf16: src, to: dst, count: n)
        } else if dt == .F64 {
            for i in 0..<n { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        } else {
            throw notFloat(t)
        }
    }

    @inline(never)
    private func notFloat(_ t: TensorInfo) -> SafetensorsError {
        SafetensorsError(file: path, tensor: t.name, kind: .wrongDType(expected: "a float type (F32/F16/BF16/F64)", actual: t.dtype.rawValue))
    }

    /// All elements of a float tensor as `Float`.
    public func floats(_ name: String) throws -> [Float] {
        let t = try info(name)
        var out = [Float](repeating: 0, count: t.count)
        try out.withUnsafeMutableBufferPointer { p in
            if let b = p.baseAddress { try readFloats(t, range: 0..<t.count, into: b) }
        }
        return out
    }

    /// A 2-D float tensor as a `Matrix`, checking the shape when `rows`/`cols` are given.
    public func matrix(_ name: String, rows: Int? = nil, cols: Int? = nil) throws -> Matrix {
        let t = try info(name)
        guard t.shape.count == 2, rows.map({ $0 == t.shape[0] }) ?? true, cols.map({ $0 == t.shape[1] }) ?? true else {
            let e = "[\(rows.map(String.init) ?? "?"), \(cols.map(String.init) ?? "?")]"
            throw SafetensorsError(file: path, tensor: name, kind: .wrongShape(expected: e, actual: t.shape))
        }
        return Matrix(rows: t.shape[0], cols: t.shape[1], data: try floats(name))
    }

    /// A 1-D float tensor, checking its length when given.
    public func vector(_ name: String, count: Int? = nil) throws -> [Float] {
        let t = try info(name)
        guard t.shape.count == 1, count.map({ $0 == t.shape[0] }) ?? true else {
            throw SafetensorsError(file: path, tensor: name, kind: .wrongShape(expected: "[\(count.map(String.init) ?? "?")]", actual: t.shape))
        }
        return try floats(name)
    }

    /// All elements of an integer or bool tensor as `Int64`.
    public func int64s(_ name: String) throws -> [Int64] {
        let t = try info(name)
        let raw = rawBytes(t)
        let n = t.count
        var out = [Int64](repeating: 0, count: n)
        guard let src = raw.baseAddress else { return out }
        switch t.dtype {
        case .I64: for i in 0..<n { out[i] = Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)) }
        case .U64: for i in 0..<n { out[i] = Int64(truncatingIfNeeded: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
        case .I32: for i in 0..<n { out[i] = Int64(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .U32: for i in 0..<n { out[i] = Int64(UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .I16: for i in 0..<n { out[i] = Int64(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .U16: for i in 0..<n { out[i] = Int64(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .I8: for i in 0..<n { out[i] = Int64(src.load(fromByteOffset: i, as: Int8.self)) }
        case .U8, .BOOL: for i in 0..<n { out[i] = Int64(src.load(fromByteOffset: i, as: UInt8.self)) }
        default:
            throw SafetensorsError(file: path, tensor: name, kind: .wrongDType(expected: "an integer type", actual: t.dtype.rawValue))
        }
        return out
    }

    /// Summary statistics of a tensor's values (floats and integers), computed in blocks.
    /// NaN values are counted and excluded from min/max/mean.
    public func stats(_ name: String) throws -> TensorStats {
        let t = try info(name)
        var s = TensorStats()
        if t.dtype.isFloat {
            let block = 1 << 16
            var buf = [Float](repeating: 0, count: min(block, max(t.count, 1)))
            var i = 0
            while i < t.count {
                let n = min(block, t.count - i)
                try buf.withUnsafeMutableBufferPointer { try readFloats(t, range: i..<(i + n), into: $0.baseAddress!) }
                for j in 0..<n { s.add(Double(buf[j])) }
                i += n
            }
        } else if t.dtype.isSupported {
            for v in try int64s(name) { s.add(Double(v)) }
        } else {
            throw SafetensorsError(file: path, tensor: name, kind: .unsupportedDType(t.dtype.rawValue))
        }
        return s
    }
}

/// Min, max, mean and NaN count of a tensor.
public struct TensorStats: Sendable {
    public var count = 0
    public var nanCount = 0
    public var infCount = 0
    public var min = Double.infinity
    public var max = -Double.infinity
    public var sum = 0.0
    public var mean: Double { count > 0 ? sum / Double(count) : .nan }
    public init() {}
    mutating func add(_ v: Double) {
        if v.isNaN { nanCount += 1; return }
        if v.isInfinite { infCount += 1 }
        count += 1
        if v < min { min = v }
        if v > max { max = v }
        sum += v
    }
}

/// Backing bytes: a memory map or an owned copy.
final class ByteStorage: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let mapped: MappedFile?
    private let owned: UnsafeMutableRawBufferPointer?

    init(mapped: MappedFile) {
        self.mapped = mapped
        self.owned = nil
        self.bytes = mapped.bytes
    }

    init(data: Data) {
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 16)
        data.withUnsafeBytes { if $0.count > 0 { p.copyMemory(from: $0) } }
        owned = p
        mapped = nil
        bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(p)[0..<data.count])
    }

    deinit { owned?.deallocate() }
}
