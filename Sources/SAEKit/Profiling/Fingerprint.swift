import Foundation

/// Content fingerprints for provenance: a 64-bit FNV-1a-style hash over 8-byte words, printed as 16
/// hex digits. Not cryptographic; it answers "was this profile made from these weights/this data?".
public enum Fingerprint {
    /// Hash of raw bytes (8-byte words, then the tail bytes), chained from `seed`.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        let prime: UInt64 = 0x0000_0100_0000_01b3
        let words = bytes.count / 8
        if let base = bytes.baseAddress {
            for i in 0..<words {
                h = (h ^ base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) &* prime
                h ^= h >> 29
            }
            for i in (words * 8)..<bytes.count { h = (h ^ UInt64(base.load(fromByteOffset: i, as: UInt8.self))) &* prime }
        }
        return h
    }

    static func hex(_ h: UInt64) -> String {
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// Fingerprint of an SAE's parameters (encoder, biases, decoder, activation settings).
    public static func of(_ sae: SparseAutoencoder) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ a: [Float]) { a.withUnsafeBytes { h = hash($0, seed: h) } }
        mix(sae.encoder.data); mix(sae.encoderBias); mix(sae.decoder.data); mix(sae.decoderBias)
        mix(sae.thresholds ?? []); mix([Float(sae.k ?? 0), sae.batchThreshold ?? 0, sae.subtractDecoderBias ? 1 : 0])
        if let g = sae.gated { mix(g.bGate); mix(g.bMag); mix(g.rMag) }
        Data(sae.architecture.rawValue.utf8).withUnsafeBytes { h = hash($0, seed: h) }
        return hex(h)
    }

    /// Fingerprint of a safetensors file: its header, size and the first and last MiB of data
    /// (cheap on large files; catches replaced or regenerated datasets).
    public static func ofFile(_ f: SafetensorsFile) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for t in f.tensors {
            Data("\(t.name)|\(t.dtype.rawValue)|\(t.shape)|\(t.begin)|\(t.end)".utf8).withUnsafeBytes { h = hash($0, seed: h) }
            let raw = f.rawBytes(t)
            let mib = 1 << 20
            if raw.count <= 2 * mib { h = hash(raw, seed: h) } else {
                h = hash(UnsafeRawBufferPointer(rebasing: raw[0..<mib]), seed: h)
                h = hash(UnsafeRawBufferPointer(rebasing: raw[(raw.count - mib)..<raw.count]), seed: h)
            }
        }
        return hex(h)
    }
}
