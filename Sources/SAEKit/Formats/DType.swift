/// Safetensors dtypes. The declaration order is the reference writer's alignment order
/// (safetensors `Dtype` enum), which `SafetensorsWriter` uses to sort tensors.
public enum DType: String, Sendable, CaseIterable, Codable {
    case BOOL, F4, F6_E2M3, F6_E3M2, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ
    case I16, U16, F16, BF16, I32, U32, F32, C64, F64, I64, U64

    /// Size of one element in bits.
    public var bits: Int {
        switch self {
        case .F4: return 4
        case .F6_E2M3, .F6_E3M2: return 6
        case .BOOL, .U8, .I8, .F8_E5M2, .F8_E4M3, .F8_E8M0, .F8_E4M3FNUZ, .F8_E5M2FNUZ: return 8
        case .I16, .U16, .F16, .BF16: return 16
        case .I32, .U32, .F32: return 32
        case .C64, .F64, .I64, .U64: return 64
        }
    }

    /// Size in bytes (for whole-byte types).
    public var size: Int { bits / 8 }

    /// Whether seedscope reads values of this dtype.
    public var isSupported: Bool {
        switch self {
        case .BOOL, .U8, .I8, .I16, .U16, .F16, .BF16, .I32, .U32, .F32, .F64, .I64, .U64: return true
        default: return false
        }
    }

    /// Whether values are floating point (convertible to `Float` for weights/activations).
    public var isFloat: Bool { self == .F16 || self == .BF16 || self == .F32 || self == .F64 }

    /// Position in the writer's alignment order.
    var order: Int { DType.allCases.firstIndex(of: self)! }
}
