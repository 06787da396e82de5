/// Why a safetensors file was rejected. The cases follow the reference reader's errors
/// (huggingface/safetensors `SafeTensorError`), plus duplicate names, which the spec forbids.
public enum SafetensorsErrorKind: Sendable, Equatable {
    case headerTooSmall
    case headerTooLarge(UInt64)
    case invalidHeaderLength(UInt64)
    case invalidHeaderUTF8
    case invalidHeaderJSON(String)
    case duplicateName
    case unknownDType(String)
    case unsupportedDType(String)
    case invalidOffset(String)
    case validationOverflow
    case tensorInvalidInfo(expected: Int, actual: Int)
    case metadataIncompleteBuffer(expected: Int, actual: Int)
    case missingTensor
    case wrongDType(expected: String, actual: String)
    case wrongShape(expected: String, actual: [Int])
    case io(String)
}

/// A typed safetensors error. `description` is one line naming the file, the tensor (if any) and
/// the problem, e.g. `model.safetensors: tensor "W_dec": byte size 100 does not match shape [4, 8] × F32 (128 bytes)`.
public struct SafetensorsError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var tensor: String?
    public var kind: SafetensorsErrorKind

    public init(file: String, tensor: String? = nil, kind: SafetensorsErrorKind) {
        self.file = file
        self.tensor = tensor
        self.kind = kind
    }

    public var description: String {
        let t = tensor.map { "tensor \"\($0)\": " } ?? ""
        let m: String
        switch kind {
        case .headerTooSmall: m = "file too small for a safetensors header (needs at least 8 bytes)"
        case let .headerTooLarge(n): m = "header length \(n) exceeds the 100,000,000-byte limit"
        case let .invalidHeaderLength(n): m = "header length \(n) runs past the end of the file (truncated or not safetensors)"
        case .invalidHeaderUTF8: m = "header is not valid UTF-8"
        case let .invalidHeaderJSON(s): m = "invalid header JSON: \(s)"
        case .duplicateName: m = "name appears twice in the header"
        case let .unknownDType(s): m = "unknown dtype \"\(s)\""
        case let .unsupportedDType(s): m = "dtype \(s) is not supported by seedscope"
        case let .invalidOffset(s): m = "invalid data_offsets: \(s)"
        case .validationOverflow: m = "shape × dtype size overflows"
        case let .tensorInvalidInfo(e, a): m = "byte size \(a) does not match shape × dtype size (\(e) bytes)"
        case let .metadataIncompleteBuffer(e, a): m = "file is \(a) bytes but header and data need exactly \(e) (truncated or trailing bytes)"
        case .missingTensor: m = "missing from the file"
        case let .wrongDType(e, a): m = "dtype \(a), expected \(e)"
        case let .wrongShape(e, a): m = "shape \(a), expected \(e)"
        case let .io(s): m = s
        }
        return "\(file): \(t)\(m)"
    }
}
