/// Conversions from 16-bit float formats, done in blocks so callers never hold a full f32 copy of a
/// large f16/bf16 tensor unless they ask for one.
public enum HalfFloat {
    /// bfloat16 bits → Float: the 16 bits are the high half of an IEEE single.
    @inlinable public static func bf16ToFloat(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) &<< 16) }

    /// Float → bfloat16 bits with round-to-nearest-even (as PyTorch's `.to(torch.bfloat16)`).
    @inlinable public static func floatToBF16(_ f: Float) -> UInt16 {
        let u = f.bitPattern
        if f.isNaN { return UInt16(truncatingIfNeeded: (u >> 16) | 0x40) }
        let rounding = 0x7FFF + ((u >> 16) & 1)
        return UInt16(truncatingIfNeeded: (u &+ rounding) >> 16)
    }

    /// IEEE half bits → Float (uses the hardware conversion when built with `-target-cpu native`).
    @inlinable public static func f16ToFloat(_ h: UInt16) -> Float { Float(Float16(bitPattern: h)) }

    /// Float → IEEE half bits, round-to-nearest-even.
    @inlinable public static func floatToF16(_ f: Float) -> UInt16 { Float16(f).bitPattern }

    /// Converts `n` little-endian 16-bit values at `src` (any alignment) into `dst`.
    @inlinable
    public static func convert(f16 src: UnsafeRawPointer, to dst: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
    }

    /// Converts `n` little-endian bfloat16 values at `src` (any alignment) into `dst`.
    @inlinable
    public static func convert(bf16 src: UnsafeRawPointer, to dst: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) &<< 16) }
    }
}
