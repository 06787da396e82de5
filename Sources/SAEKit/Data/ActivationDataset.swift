import Foundation

/// An activation dataset on disk: a safetensors file with `activations` `[N, d]` or `[W, T, d]`
/// (F32/F16/BF16), optional `tokens` `[N]` or `[W, T]` (int32/int64), and `__metadata__`
/// (model, hookpoint, `exclude_positions`, …), memory-mapped and converted to Float in blocks.
///
/// Rows are numbered `window * T + position` when windowed. `usableRows` lists the rows that are
/// not excluded (e.g. position 0, the BOS attention sink), which training and evaluation use.
public final class ActivationDataset: ActivationSource, @unchecked Sendable {
    /// The safetensors file.
    public let file: SafetensorsFile
    /// Path of the file.
    public var path: String { file.path }
    public let rowCount: Int
    public let dim: Int
    /// Tokens per window (context length), or nil for flat `[N, d]` data without windows.
    public let windowLength: Int?
    /// Token ids per row (`rowCount` values), when present.
    public let tokens: [Int32]?
    /// Positions (within a window) excluded from training/evaluation.
    public let excludedPositions: Set<Int>
    /// `__metadata__` of the file.
    public var metadata: [String: String] { file.metadata ?? [:] }
    private let act: TensorInfo

    /// Opens `path` (a `.safetensors` file, or a folder containing `activations.safetensors`).
    /// `excludePositions` overrides the file's `exclude_positions` metadata when given.
    public init(path: String, excludePositions: Set<Int>? = nil) throws {
        var p = path
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue {
            p = URL(fileURLWithPath: p).appendingPathComponent("activations.safetensors").path
        }
        let f = try SafetensorsFile(path: p)
        file = f
        guard f.contains("activations") else { throw SeedScopeError.invalid(file: p, message: "no \"activations\" tensor (expected [N, d] or [W, T, d])") }
        act = try f.info("activations")
        guard act.dtype == .F32 || act.dtype == .F16 || act.dtype == .BF16 else {
            throw SeedScopeError.invalid(file: p, message: "activations have dtype \(act.dtype.rawValue); expected F32, F16 or BF16")
        }
        var wl: Int?
        switch act.shape.count {
        case 2: rowCount = act.shape[0]; dim = act.shape[1]; wl = nil
        case 3: rowCount = act.shape[0] * act.shape[1]; dim = act.shape[2]; wl = act.shape[1]
        default: throw SeedScopeError.invalid(file: p, message: "activations have shape \(act.shape); expected [N, d] or [W, T, d]")
        }
        guard dim > 0 else { throw SeedScopeError.invalid(file: p, message: "activations have zero width") }
        if f.contains("tokens") {
            let t = try f.info("tokens")
            guard t.dtype == .I32 || t.dtype == .I64 else {
                throw SeedScopeError.invalid(file: p, message: "tokens have dtype \(t.dtype.rawValue); expected I32 or I64")
            }
            guard t.count == rowCount else {
                throw SeedScopeError.invalid(file: p, message: "tokens have \(t.count) entries but activations have \(rowCount) rows")
            }
            if t.shape.count == 2 { wl = wl ?? t.shape[1] }
            tokens = try f.int64s("tokens").map { Int32(truncatingIfNeeded: $0) }
        } else {
            tokens = nil
        }
        if wl == nil, let c = f.metadata?["ctx"].flatMap({ Int($0) }), c > 0, rowCount % c == 0 { wl = c }
        windowLength = wl
        if let e = excludePositions {
            excludedPositions = e
        } else if let s = f.metadata?["exclude_positions"] {
            // Leading integers, e.g. "0 (position 0 is …)" or "0,1".
            let head = s.prefix { $0.isNumber || $0 == "," || $0 == " " }
            excludedPositions = Set(head.split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { Int($0) })
        } else {
            excludedPositions = []
        }
    }

    /// Position of `row` within its window (0 when there are no windows).
    public func position(ofRow row: Int) -> Int { windowLength.map { row % $0 } ?? 0 }

    /// Rows not at an excluded position, in order.
    public var usableRows: [Int] {
        guard let w = windowLength, !excludedPositions.isEmpty else { return Array(0..<rowCount) }
        return (0..<rowCount).filter { !excludedPositions.contains($0 % w) }
    }

    public func readRows(_ range: Range<Int>, into dst: UnsafeMutablePointer<Float>) throws {
        guard range.lowerBound >= 0, range.upperBound <= rowCount else {
            throw SeedScopeError.invalid(file: path, message: "rows \(range) out of range 0..<\(rowCount)")
        }
        try file.readFloats(act, range: (range.lowerBound * dim)..<(range.upperBound * dim), into: dst)
    }
}
