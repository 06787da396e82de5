import Foundation

/// Builds a safetensors file the reference reader accepts (reference/formats.md §5.4): tensors sorted
/// by dtype alignment (descending) then name, contiguous offsets from 0, `__metadata__` first, the
/// header padded with spaces to a multiple of 8. Written atomically (temp file + rename).
public struct SafetensorsWriter {
    struct Entry { var name: String; var dtype: DType; var shape: [Int]; var bytes: Data }
    private var entries: [Entry] = []
    /// `__metadata__` (string to string); omitted from the file when empty.
    public var metadata: [String: String] = [:]

    public init(metadata: [String: String] = [:]) { self.metadata = metadata }

    /// Adds a float tensor stored as `dtype` (F32, F16, BF16 or F64). `values.count` must equal the
    /// product of `shape`.
    public mutating func add(_ name: String, floats values: [Float], shape: [Int], dtype: DType = .F32) {
        precondition(values.count == shape.reduce(1, *), "tensor \(name): \(values.count) values for shape \(shape)")
        var d = Data(capacity: values.count * dtype.size)
        switch dtype {
        case .F32: values.withUnsafeBufferPointer { p in d.append(UnsafeBufferPointer(start: p.baseAddress, count: p.count)) }
        case .F16: for v in values { appendLE(&d, HalfFloat.floatToF16(v)) }
        case .BF16: for v in values { appendLE(&d, HalfFloat.floatToBF16(v)) }
        case .F64: for v in values { appendLE(&d, Double(v).bitPattern) }
        default: preconditionFailure("add(floats:) takes a float dtype, got \(dtype)")
        }
        entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: d))
    }

    /// Adds a matrix as a 2-D tensor.
    public mutating func add(_ name: String, matrix: Matrix, dtype: DType = .F32) {
        add(name, floats: matrix.data, shape: [matrix.rows, matrix.cols], dtype: dtype)
    }

    /// Adds an integer tensor stored as `dtype` (I64, I32, I16, I8, U8, U16, U32, U64, BOOL).
    public mutating func add(_ name: String, ints values: [Int64], shape: [Int], dtype: DType = .I64) {
        precondition(values.count == shape.reduce(1, *), "tensor \(name): \(values.count) values for shape \(shape)")
        var d = Data(capacity: values.count * dtype.size)
        for v in values {
            switch dtype {
            case .I64: appendLE(&d, v)
            case .U64: appendLE(&d, UInt64(bitPattern: v))
            case .I32: appendLE(&d, Int32(truncatingIfNeeded: v))
            case .U32: appendLE(&d, UInt32(truncatingIfNeeded: v))
            case .I16: appendLE(&d, Int16(truncatingIfNeeded: v))
            case .U16: appendLE(&d, UInt16(truncatingIfNeeded: v))
            case .I8: d.append(UInt8(bitPattern: Int8(truncatingIfNeeded: v)))
            case .U8: d.append(UInt8(truncatingIfNeeded: v))
            case .BOOL: d.append(v != 0 ? 1 : 0)
            default: preconditionFailure("add(ints:) takes an integer dtype, got \(dtype)")
            }
        }
        entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: d))
    }

    /// Adds pre-encoded little-endian bytes.
    public mutating func add(_ name: String, raw: Data, dtype: DType, shape: [Int]) {
        precondition(raw.count * 8 == shape.reduce(1, *) * dtype.bits, "tensor \(name): byte size does not match shape")
        entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: raw))
    }

    /// The complete file bytes.
    public func serialized() -> Data {
        precondition(Set(entries.map(\.name)).count == entries.count, "duplicate tensor names")
        let sorted = entries.sorted { a, b in
            a.dtype.order != b.dtype.order ? a.dtype.order > b.dtype.order : a.name < b.name
        }
        var header: [(String, JSONValue)] = []
        if !metadata.isEmpty {
            header.append(("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        var off = 0
        for e in sorted {
            header.append((e.name, .object([
                ("dtype", .string(e.dtype.rawValue)),
                ("shape", .array(e.shape.map { .int(Int64($0)) })),
                ("data_offsets", .array([.int(Int64(off)), .int(Int64(off + e.bytes.count))])),
            ])))
            off += e.bytes.count
        }
        var h = Data(JSONValue.object(header).serialized().utf8)
        let pad = (8 - h.count % 8) % 8
        h.append(contentsOf: [UInt8](repeating: 0x20, count: pad))
        var out = Data(capacity: 8 + h.count + off)
        appendLE(&out, UInt64(h.count))
        out.append(h)
        for e in sorted { out.append(e.bytes) }
        return out
    }

    /// Writes the file atomically.
    public func write(to url: URL) throws { try AtomicFile.write(serialized(), to: url) }
}

@inline(__always)
private func appendLE<T: FixedWidthInteger>(_ d: inout Data, _ v: T) {
    withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) }
}
