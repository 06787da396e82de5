import Foundation

/// A job's predicted peak memory and run time, with the formula used so the UI can show its reasoning.
public struct ResourceEstimate: Sendable, Equatable {
    /// Peak resident bytes; nil when unknown (e.g. an external trainer running elsewhere).
    public var memoryBytes: Int64?
    /// Wall-clock seconds; nil when unknown.
    public var seconds: Double?
    /// Human-readable model, e.g. "params 2·m·d+m+d = 5.3M × 4 (w, grad, Adam m, v) × 4 B + batch 4096×(d+m)×8 B".
    public var formula: String
    public init(memoryBytes: Int64?, seconds: Double?, formula: String) {
        self.memoryBytes = memoryBytes; self.seconds = seconds; self.formula = formula
    }
    public static let unknown = ResourceEstimate(memoryBytes: nil, seconds: nil, formula: "unknown")
}

/// Simple, documented cost models used when an executor does not provide its own estimate.
///
/// They assume fp32 everywhere and an effective 100 GFLOP/s (one core of OpenBLAS sgemm at ~40% of the
/// 245 GFLOP/s measured peak, to account for the sparse parts and data loading; see
/// ../shared/reference/platform.md). They are planning numbers, good to a factor of ~2.
public enum ResourceModel {
    public static let flopsPerSecond = 100e9

    /// TopK training of m latents on d-dimensional activations for `steps` steps of `batch` rows.
    /// Memory: params P = 2·m·d + m + d, each with weight, gradient and two Adam moments (4 × 4 B), plus
    /// per-batch activations and their gradients: batch·(d + m)·4 B × 2.
    /// Time: the dense encoder forward (2·batch·d·m FLOPs) dominates; the decoder and both gradients touch
    /// only the k active latents (≈ 10·batch·k·d FLOPs).
    public static func train(m: Int, d: Int, k: Int, steps: Int, batch: Int) -> ResourceEstimate {
        let p = Int64(2 * m * d + m + d)
        let mem = p * 4 * 4 + Int64(batch) * Int64(d + m) * 4 * 2
        let flops = Double(steps) * Double(batch) * (2 * Double(d) * Double(m) + 10 * Double(k) * Double(d))
        return ResourceEstimate(memoryBytes: mem, seconds: flops / flopsPerSecond,
                                formula: "params \(p)×16 B (w, grad, Adam m, v) + batch \(batch)×(d+m)×8 B")
    }

    /// Profiling `rows` activations: weights (2·m·d·4 B), one batch of pre-activations (batch·m·4 B) and
    /// per-latent top-window heaps (m·topWindows·16 B). Time: one encoder pass, 2·rows·d·m FLOPs.
    public static func profile(m: Int, d: Int, rows: Int, batch: Int = 4096, topWindows: Int = 32) -> ResourceEstimate {
        let mem = Int64(2 * m * d) * 4 + Int64(batch) * Int64(m) * 4 + Int64(m) * Int64(topWindows) * 16
        let flops = 2 * Double(rows) * Double(d) * Double(m)
        return ResourceEstimate(memoryBytes: mem, seconds: flops / flopsPerSecond,
                                formula: "weights 2·m·d×4 B + batch \(batch)×m×4 B + m×\(topWindows) windows×16 B")
    }

    /// Matching two SAEs of m latents (encoder and decoder separately): four m×d weight matrices, one
    /// block×m similarity block, `candidates` kept edges per row and column (8 B each, both directions,
    /// both similarities) and O(m) duals. Time: two similarities × two streamed passes (candidates,
    /// certification) × 2·m²·d FLOPs.
    public static func match(m: Int, d: Int, block: Int = 4096, candidates: Int = 32) -> ResourceEstimate {
        let mem = Int64(4 * m * d) * 4 + Int64(min(block, m)) * Int64(m) * 4 + Int64(m) * Int64(candidates) * 8 * 4 + Int64(m) * 64
        let flops = 4 * 2 * Double(m) * Double(m) * Double(d)
        return ResourceEstimate(memoryBytes: mem, seconds: flops / flopsPerSecond,
                                formula: "4 weights m·d×4 B + block \(min(block, m))×m×4 B + m×\(candidates) edges×32 B")
    }

    /// Consensus over N seeds of m latents: per-pair partner and flag arrays, N²·m·8 B.
    public static func consensus(m: Int, seeds: Int) -> ResourceEstimate {
        ResourceEstimate(memoryBytes: Int64(seeds * seeds * m * 8), seconds: Double(seeds * seeds * m) * 1e-8,
                         formula: "N²·m×8 B")
    }
}

/// Available memory for planning: `MemAvailable` from /proc/meminfo, capped by `SEEDSCOPE_MAX_MEMORY`
/// (bytes, or with a K/M/G suffix) when set — the analogue of VisiData's `min_memory_mb` guard for users
/// who share the machine.
public enum MemoryProbe {
    public static func available() -> Int64? {
        var avail: Int64? = nil
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let parts = line.split(separator: " ")
                if parts.count >= 2, let kb = Int64(parts[1]) { avail = kb * 1024 }
            }
        }
        if let cap = ProcessInfo.processInfo.environment["SEEDSCOPE_MAX_MEMORY"].flatMap(parseBytes) {
            avail = min(avail ?? cap, cap)
        }
        return avail
    }

    /// Resident set size of this process in bytes (/proc/self/statm).
    public static func residentBytes() -> Int64? {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let f = s.split(separator: " ")
        guard f.count > 1, let pages = Int64(f[1]) else { return nil }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// "123", "64K", "512M", "2G", "1.5G" → bytes.
    public static func parseBytes(_ s: String) -> Int64? {
        let t = s.trimmingCharacters(in: .whitespaces).uppercased()
        guard let last = t.last else { return nil }
        let mult: Double
        var num = t
        switch last {
        case "K": mult = 1024; num.removeLast()
        case "M": mult = 1024 * 1024; num.removeLast()
        case "G": mult = 1024 * 1024 * 1024; num.removeLast()
        default: mult = 1
        }
        guard let v = Double(num), v >= 0 else { return nil }
        return Int64(v * mult)
    }

    /// "1.5 GiB"-style formatting.
    public static func format(_ bytes: Int64) -> String {
        let b = Double(bytes)
        let kib = 1024.0, mib = kib * 1024, gib = mib * 1024
        if b >= gib { return String(format: "%.1f GiB", b / gib) }
        if b >= mib { return String(format: "%.1f MiB", b / mib) }
        if b >= kib { return String(format: "%.1f KiB", b / kib) }
        return "\(bytes) B"
    }
}
