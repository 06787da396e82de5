import Foundation
import Synchronization

/// An activation dataset on disk: activations paired with the tokens they came from.
///
/// Schema (README "Activation datasets"; written by Examples/harvest/harvest.py and `seedscope generate`):
/// a safetensors file with `activations` `[N, d]` or `[W, T, d]` (F32/F16/BF16), optional `tokens`
/// `[N]` or `[W, T]` (I32/I64), optional `window_idx` `[W]`, `document_ids` `[N]`/`[W]`, `position_ids`
/// `[N]`/`[W, T]` (I32/I64), and `__metadata__` (`model`, `hookpoint`, `layer`, `ctx`,
/// `exclude_positions`, …), with `tokenizer.json` beside it. Also a pair of NumPy files
/// `activations.npy` + `tokens.npy` (plus optional `metadata.json`) in one folder.
///
/// Rows are numbered `window * T + position` when windowed. `usableRows` lists the rows that are
/// not at an excluded position (e.g. 0, the BOS attention sink), which training and evaluation use.
/// Reads are memory-mapped and converted to Float in blocks; a row containing NaN/Inf is an error
/// naming the file and the row.
public final class ActivationDataset: ActivationSource, @unchecked Sendable {
    /// The safetensors file (for NPY datasets: an in-memory safetensors view of the tokens and metadata).
    public let file: SafetensorsFile
    /// Path of the activations file (`.safetensors` or `activations.npy`).
    public let path: String
    public let rowCount: Int
    public let dim: Int
    /// Tokens per window (context length), or nil for flat `[N, d]` data without windows.
    public let windowLength: Int?
    /// Token ids per row (`rowCount` values), when present.
    public let tokens: [Int32]?
    /// Positions (within a window) excluded from training/evaluation.
    public let excludedPositions: Set<Int>
    /// `__metadata__` of the file (or metadata.json beside an NPY pair).
    public let metadata: [String: String]
    /// Storage type of the activations (F32, F16, BF16; F64 for NPY).
    public let activationsDType: DType
    /// Index of each window in the corpus it was cut from (`window_idx` [W]), when present.
    public let windowIndex: [Int64]?
    /// Document id per row (`document_ids`, expanded from per-window when given as [W]), when present.
    public let documentIDs: [Int64]?
    /// Position of each row in its context (`position_ids`), when present; else `row % T`.
    public let positionIDs: [Int32]?
    private let storage: Storage
    private let tokenizerCache = Mutex<Tokenizer?>(nil)

    enum Storage { case tensor(SafetensorsFile, TensorInfo), npy(NPYArray) }

    /// Opens `path`: a `.safetensors` file, an `activations.npy` (with `tokens.npy` beside it), or a
    /// folder holding `activations.safetensors` or `activations.npy`. `excludePositions` overrides the
    /// file's `exclude_positions` metadata when given.
    /// - Complexity: O(header + N) (tokens are read and range-checked; activations stay mapped).
    public init(path: String, excludePositions: Set<Int>? = nil) throws {
        var p = path
        var isDir: ObjCBool = false
        let fm = FileManager.default
        if fm.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue {
            let dir = URL(fileURLWithPath: p)
            let st = dir.appendingPathComponent("activations.safetensors").path
            let np = dir.appendingPathComponent("activations.npy").path
            if fm.fileExists(atPath: st) { p = st } else if fm.fileExists(atPath: np) { p = np } else {
                throw SeedScopeError.io(file: path, message: "folder has neither activations.safetensors nor activations.npy")
            }
        }
        self.path = p
        let shape: [Int]
        var tokenValues: [Int64]? = nil, tokenShape: [Int] = []
        var ints: [String: (values: [Int64], shape: [Int])] = [:]
        if p.hasSuffix(".npy") {
            let a = try NPYArray(path: p)
            guard a.dtype.isFloat else { throw SeedScopeError.invalid(file: p, message: "activations have dtype \(a.dtype.rawValue); expected float16, float32 or float64") }
            storage = .npy(a)
            activationsDType = a.dtype
            shape = a.shape
            let dir = URL(fileURLWithPath: p).deletingLastPathComponent()
            let tp = dir.appendingPathComponent("tokens.npy").path
            if fm.fileExists(atPath: tp) {
                let t = try NPYArray(path: tp)
                guard t.dtype == .I32 || t.dtype == .I64 else {
                    throw SeedScopeError.invalid(file: tp, message: "tokens have dtype \(t.dtype.rawValue); expected int32 or int64")
                }
                tokenValues = try t.int64s(); tokenShape = t.shape
            }
            let meta = try Self.readMetadataJSON(dir.appendingPathComponent("metadata.json"))
            // Expose tokens and metadata through the same safetensors view as on-disk datasets.
            var w = SafetensorsWriter(metadata: meta)
            if let tv = tokenValues { w.add("tokens", ints: tv, shape: tokenShape, dtype: .I64) }
            file = try SafetensorsFile(data: w.serialized(), name: p)
            metadata = meta
        } else {
            let f = try SafetensorsFile(path: p)
            file = f
            metadata = f.metadata ?? [:]
            guard f.contains("activations") else { throw SeedScopeError.invalid(file: p, message: "no \"activations\" tensor (expected [N, d] or [W, T, d])") }
            let act = try f.info("activations")
            guard act.dtype == .F32 || act.dtype == .F16 || act.dtype == .BF16 else {
                throw SeedScopeError.invalid(file: p, message: "activations have dtype \(act.dtype.rawValue); expected F32, F16 or BF16")
            }
            storage = .tensor(f, act)
            activationsDType = act.dtype
            shape = act.shape
            for name in ["tokens", "window_idx", "document_ids", "position_ids"] where f.contains(name) {
                let t = try f.info(name)
                guard t.dtype == .I32 || t.dtype == .I64 else {
                    throw SeedScopeError.invalid(file: p, message: "\(name) have dtype \(t.dtype.rawValue); expected I32 or I64")
                }
                ints[name] = (try f.int64s(name), t.shape)
            }
            if let t = ints["tokens"] { tokenValues = t.values; tokenShape = t.shape }
        }
        var wl: Int?
        switch shape.count {
        case 2: rowCount = shape[0]; dim = shape[1]; wl = nil
        case 3: rowCount = shape[0] * shape[1]; dim = shape[2]; wl = shape[1]
        default: throw SeedScopeError.invalid(file: p, message: "activations have shape \(shape); expected [N, d] or [W, T, d]")
        }
        guard dim > 0 else { throw SeedScopeError.invalid(file: p, message: "activations have zero width") }
        if let tv = tokenValues {
            guard tv.count == rowCount else {
                throw SeedScopeError.invalid(file: p, message: "tokens have \(tv.count) entries but activations have \(rowCount) rows")
            }
            if let bad = tv.firstIndex(where: { $0 < 0 || $0 > Int64(Int32.max) }) {
                throw SeedScopeError.invalid(file: p, message: "token id \(tv[bad]) at row \(bad) is out of range")
            }
            if tokenShape.count == 2 {
                if let w = wl, w != tokenShape[1] {
                    throw SeedScopeError.invalid(file: p, message: "tokens have windows of \(tokenShape[1]) but activations of \(w)")
                }
                wl = wl ?? tokenShape[1]
            }
            tokens = tv.map { Int32($0) }
        } else {
            tokens = nil
        }
        if wl == nil, let c = metadata["ctx"].flatMap({ Int($0) }), c > 0, rowCount % c == 0 { wl = c }
        windowLength = wl
        let n = rowCount
        let windows = wl.map { n / $0 }
        if let w = ints["window_idx"] {
            guard w.values.count == windows else {
                throw SeedScopeError.invalid(file: p, message: "window_idx has \(w.values.count) entries but the data has \(windows.map(String.init) ?? "no") windows")
            }
            windowIndex = w.values
        } else { windowIndex = nil }
        if let d = ints["document_ids"] {
            if d.values.count == n { documentIDs = d.values }
            else if let wl, d.values.count == n / wl { documentIDs = (0..<n).map { d.values[$0 / wl] } }
            else { throw SeedScopeError.invalid(file: p, message: "document_ids has \(d.values.count) entries; expected one per row or per window") }
        } else { documentIDs = nil }
        if let q = ints["position_ids"] {
            guard q.values.count == rowCount else {
                throw SeedScopeError.invalid(file: p, message: "position_ids has \(q.values.count) entries but activations have \(rowCount) rows")
            }
            positionIDs = q.values.map { Int32(truncatingIfNeeded: $0) }
        } else { positionIDs = nil }
        if let e = excludePositions {
            excludedPositions = e
        } else if let s = metadata["exclude_positions"] {
            // Leading integers, e.g. "0 (position 0 is …)" or "0,1".
            let head = s.prefix { $0.isNumber || $0 == "," || $0 == " " }
            excludedPositions = Set(head.split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { Int($0) })
        } else {
            excludedPositions = []
        }
    }

    static func readMetadataJSON(_ url: URL) throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [:] }
        let v: JSONValue
        do { v = try JSONValue.parse(contentsOf: url) } catch { throw SeedScopeError.invalid(file: url.path, message: "not valid JSON: \(error)") }
        guard let kv = v.objectValue else { throw SeedScopeError.invalid(file: url.path, message: "expected a JSON object of metadata") }
        var m: [String: String] = [:]
        for (k, x) in kv { m[k] = x.stringValue ?? x.serialized() }
        return m
    }

    /// Number of windows, or nil for flat data.
    public var windowCount: Int? { windowLength.map { rowCount / $0 } }
    /// `model` metadata (the LM the activations came from).
    public var model: String? { metadata["model"] }
    /// `hookpoint` metadata (e.g. `layers.10`).
    public var hookpoint: String? { metadata["hookpoint"] }
    /// `layer` metadata as an integer.
    public var layer: Int? { metadata["layer"].flatMap { Int($0.prefix { $0.isNumber }) } }

    /// Position of `row` within its window (`position_ids` when present; 0 without windows).
    public func position(ofRow row: Int) -> Int {
        if let positionIDs { return Int(positionIDs[row]) }
        return windowLength.map { row % $0 } ?? 0
    }

    /// Rows not at an excluded position, in order.
    public var usableRows: [Int] {
        guard !excludedPositions.isEmpty, windowLength != nil || positionIDs != nil else { return Array(0..<rowCount) }
        return (0..<rowCount).filter { !excludedPositions.contains(position(ofRow: $0)) }
    }

    /// Copies rows `range` into `dst`, converting to Float. Throws (naming the file and the row) when a
    /// row holds NaN or Inf, so bad data never reaches a trainer silently.
    /// - Complexity: O(range.count · d).
    public func readRows(_ range: Range<Int>, into dst: UnsafeMutablePointer<Float>) throws {
        guard range.lowerBound >= 0, range.upperBound <= rowCount else {
            throw SeedScopeError.invalid(file: path, message: "rows \(range) out of range 0..<\(rowCount)")
        }
        let flat = (range.lowerBound * dim)..<(range.upperBound * dim)
        switch storage {
        case let .tensor(f, t): try f.readFloats(t, range: flat, into: dst)
        case let .npy(a): try a.readFloats(range: flat, into: dst)
        }
        if let bad = Self.firstNonFinite(dst, count: flat.count) {
            throw nonFinite(row: range.lowerBound + bad / dim, value: dst[bad])
        }
    }

    @inline(never)
    private func nonFinite(row: Int, value: Float) -> SeedScopeError {
        let w = windowLength.map { " (window \(row / $0), position \(row % $0))" } ?? ""
        return .invalid(file: path, message: "activation row \(row)\(w) contains \(value.isNaN ? "NaN" : "Inf")")
    }

    /// Index of the first NaN/Inf value. Vectorised: `x - x` is NaN exactly for NaN and ±Inf.
    static func firstNonFinite(_ p: UnsafePointer<Float>, count n: Int) -> Int? {
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
            let z = v - v
            if any(z .!= z) { break }
            i += 16
        }
        while i < n { if !p[i].isFinite { return i }; i += 1 }
        return nil
    }
}

extension ActivationDataset {
    /// Path of the `tokenizer.json` beside the dataset.
    public var tokenizerPath: String { Self.tokenizerPath(forDataset: path) }

    /// Where the tokenizer of the dataset at `dataset` lives, without opening it: inside a dataset
    /// folder, or beside a dataset file.
    public static func tokenizerPath(forDataset dataset: String) -> String {
        var isDir: ObjCBool = false
        let url = URL(fileURLWithPath: dataset)
        let folder = FileManager.default.fileExists(atPath: dataset, isDirectory: &isDir) && isDir.boolValue
            ? url : url.deletingLastPathComponent()
        return folder.appendingPathComponent("tokenizer.json").path
    }

    /// The tokenizer beside the dataset, loaded on first use and checked against the token ids:
    /// a missing file, or one with fewer ids than the largest token id, is a one-line error.
    public var tokenizer: Tokenizer {
        get throws {
            if let t = tokenizerCache.withLock({ $0 }) { return t }
            guard FileManager.default.fileExists(atPath: tokenizerPath) else {
                throw SeedScopeError.io(file: path, message: "no tokenizer.json beside the dataset (looked for \(tokenizerPath))")
            }
            let t = try Tokenizer(path: tokenizerPath)
            if let maxID = tokens?.max(), Int(maxID) >= t.vocabSize {
                throw SeedScopeError.invalid(file: tokenizerPath, message: "has \(t.vocabSize) token ids but \(path) uses token id \(maxID)")
            }
            tokenizerCache.withLock { $0 = t }
            return t
        }
    }
}
