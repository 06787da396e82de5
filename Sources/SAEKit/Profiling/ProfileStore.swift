import Foundation

/// A stored profile: one safetensors file (memory-mapped when opened from disk) with flat per-latent
/// arrays, an examples table in CSR order by latent, a per-token activation pool and the tokens of the
/// referenced windows only; provenance JSON lives in `__metadata__["seedscope.profile"]`.
///
/// Tensors (m latents, E examples, P pooled activations, U windows of length T, H histogram bins):
/// `count`, `window_count` I64 [m]; `sum`, `sum_sq` F64 [m]; `max` F32 [m]; `flags` U8 [m];
/// `histogram` U32 [m,H]; `interval_counts` U32 [m,n]; `quantile_lower/upper` F32 [m,q];
/// `ex_offsets` I64 [m+1]; `ex_kind` U8 (0 top, 1 interval, 2 quantile), `ex_group`, `ex_window`
/// (row of `windows`), `ex_pos`, `ex_span_start`, `ex_span_len` I32 [E]; `ex_value` F32 [E];
/// `ex_acts_offset` I64 [E]; `acts` F32 [P]; `windows` I64 [U]; `window_tokens` I32 [U,T].
///
/// Reading a card touches only that latent's rows: O(examples·T), well under a millisecond.
public final class ProfileStore: @unchecked Sendable {
    /// `__metadata__` key of the header JSON.
    public static let headerKey = "seedscope.profile"
    /// Layout version written by this build.
    public static let formatVersion = 1

    public let file: SafetensorsFile
    /// Provenance and settings (SAE fingerprint, dataset, config, version).
    public let header: JSONValue
    /// Latents m.
    public let numLatents: Int
    /// Profiled tokens (the frequency denominator).
    public let tokenCount: Int
    /// Window length T.
    public let windowLength: Int
    /// Histogram bin edges (H + 1 values).
    public let histogramEdges: [Double]
    private let bytes: Data?
    private let nIntervals: Int, nQuantiles: Int, H: Int, E: Int, U: Int
    private let p: [UnsafeRawPointer]
    /// Column tensors, in the order of `p`.
    enum Col: Int, CaseIterable {
        case count, windowCount, sum, sumSq, max, flags, histogram, intervalCounts, quantileLower, quantileUpper, exOffsets, exKind, exGroup, exWindow, exPos, exValue, exSpanStart, exSpanLen, exActsOffset, windows, windowTokens, acts
        var name: String { ["count", "window_count", "sum", "sum_sq", "max", "flags", "histogram", "interval_counts", "quantile_lower", "quantile_upper", "ex_offsets", "ex_kind", "ex_group", "ex_window", "ex_pos", "ex_value", "ex_span_start", "ex_span_len", "ex_acts_offset", "windows", "window_tokens", "acts"][rawValue] }
    }

    /// Opens a profile file (memory-mapped).
    public convenience init(url: URL) throws {
        try self.init(file: SafetensorsFile(path: url.path), bytes: nil)
    }

    /// Opens profile bytes held in memory (what `Profiler` returns before it is written).
    public convenience init(data: Data, name: String) throws {
        try self.init(file: SafetensorsFile(data: data, name: name), bytes: data)
    }

    private init(file f: SafetensorsFile, bytes: Data?) throws {
        file = f; self.bytes = bytes
        func bad(_ m: String) -> SeedScopeError { .invalid(file: f.path, message: m) }
        guard let text = f.metadata?[Self.headerKey] else { throw bad("not a seedscope profile (no \(Self.headerKey) header)") }
        do { header = try JSONValue.parse(text) } catch { throw bad("profile header is not valid JSON: \(error)") }
        guard header["format"]?.stringValue == "seedscope-profile" else { throw bad("not a seedscope profile") }
        guard let v = header["version"]?.intValue, v == Int64(Self.formatVersion) else {
            throw bad("profile format version \(header["version"]?.intValue.map(String.init) ?? "?") is not supported (expected \(Self.formatVersion))")
        }
        let cfg = header["config"]
        guard let mm = header["sae"]?["num_latents"]?.intValue, let tk = header["dataset"]?["profiled_tokens"]?.intValue,
              let wl = header["dataset"]?["window_length"]?.intValue, let ni = cfg?["intervals"]?.intValue,
              let nq = cfg?["quantiles"]?.intValue, let low = cfg?["histogram_low"]?.doubleValue,
              let bpd = cfg?["bins_per_decade"]?.intValue, let dec = cfg?["histogram_decades"]?.intValue,
              mm > 0, wl > 0, ni > 0, nq > 0, bpd > 0, dec > 0 else { throw bad("profile header misses sizes") }
        numLatents = Int(mm); tokenCount = Int(tk); windowLength = Int(wl); nIntervals = Int(ni); nQuantiles = Int(nq)
        var c = ProfileConfig(); c.histogramLow = low; c.binsPerDecade = Int(bpd); c.histogramDecades = Int(dec)
        histogramEdges = c.histogramEdges; H = c.histogramBins
        let m = numLatents
        let E = try f.info("ex_kind").count, U = try f.info("windows").count
        self.E = E; self.U = U
        let expect: [(String, DType, [Int])] = [
            ("count", .I64, [m]), ("window_count", .I64, [m]), ("sum", .F64, [m]), ("sum_sq", .F64, [m]), ("max", .F32, [m]),
            ("flags", .U8, [m]), ("histogram", .U32, [m, H]), ("interval_counts", .U32, [m, nIntervals]),
            ("quantile_lower", .F32, [m, nQuantiles]), ("quantile_upper", .F32, [m, nQuantiles]), ("ex_offsets", .I64, [m + 1]),
            ("ex_kind", .U8, [E]), ("ex_group", .I32, [E]), ("ex_window", .I32, [E]), ("ex_pos", .I32, [E]), ("ex_value", .F32, [E]),
            ("ex_span_start", .I32, [E]), ("ex_span_len", .I32, [E]), ("ex_acts_offset", .I64, [E]),
            ("windows", .I64, [U]), ("window_tokens", .I32, [U, windowLength]),
        ]
        var ptrs: [String: UnsafeRawPointer] = [:]
        for (name, dt, shape) in expect {
            let t = try f.info(name)
            guard t.dtype == dt, t.shape == shape else {
                throw SafetensorsError(file: f.path, tensor: name, kind: .wrongShape(expected: "\(dt.rawValue) \(shape)", actual: t.shape))
            }
            ptrs[name] = f.rawBytes(t).baseAddress ?? UnsafeRawPointer(bitPattern: 8)!
        }
        let at = try f.info("acts")
        guard at.dtype == .F32, at.shape.count == 1 else { throw bad("tensor acts must be F32 [P]") }
        ptrs["acts"] = f.rawBytes(at).baseAddress ?? UnsafeRawPointer(bitPattern: 8)!
        p = Col.allCases.map { ptrs[$0.name]! }
        // Validate the CSR offsets and example references once, so card reads need no checks.
        let P = at.count
        var prev: Int64 = 0
        for j in 0...m {
            let o = ld(Int64.self, .exOffsets, j)
            guard o >= prev, o <= Int64(E), j > 0 || o == 0 else { throw bad("ex_offsets not increasing within 0...\(E) at latent \(j)") }
            prev = o
        }
        guard prev == Int64(E) else { throw bad("ex_offsets end at \(prev), expected \(E)") }
        for e in 0..<E {
            let w = Int(ld(Int32.self, .exWindow, e)), s = Int(ld(Int32.self, .exSpanStart, e)), l = Int(ld(Int32.self, .exSpanLen, e))
            let o = Int(ld(Int64.self, .exActsOffset, e)), pos = Int(ld(Int32.self, .exPos, e))
            guard w >= 0, w < U, s >= 0, l >= 1, s + l <= windowLength, o >= 0, o + l <= P, pos >= s, pos < s + l else {
                throw bad("example \(e) has an inconsistent window/span/offset")
            }
        }
    }

    @inline(__always)
    private func ld<T>(_ type: T.Type, _ c: Col, _ i: Int) -> T {
        p[c.rawValue].loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
    }

    /// Writes the profile atomically (temp file + rename).
    public func write(to url: URL) throws {
        if let b = bytes { try AtomicFile.write(b, to: url); return }
        try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: file.path)), to: url)
    }

    /// Statistics of latent `j`.
    public func stats(_ j: Int) -> LatentStats {
        precondition(j >= 0 && j < numLatents, "latent \(j) out of 0..<\(numLatents)")
        return LatentStats(latent: j, count: Int(ld(Int64.self, .count, j)), windowCount: Int(ld(Int64.self, .windowCount, j)),
                           tokens: tokenCount, sum: ld(Double.self, .sum, j), sumSquares: ld(Double.self, .sumSq, j),
                           max: ld(Float.self, .max, j))
    }

    /// Flags of latent `j` with the profile's thresholds.
    public func flags(_ j: Int) -> LatentFlags { LatentFlags(rawValue: ld(UInt8.self, .flags, j)) }

    /// Flags of latent `j` with other thresholds.
    public func flags(_ j: Int, rare: Double, dense: Double) -> LatentFlags {
        LatentFlags.of(count: Int(ld(Int64.self, .count, j)), tokens: tokenCount, rare: rare, dense: dense)
    }

    /// Firing counts of all latents `[m]` (for tables and histograms).
    public var counts: [Int] { (0..<numLatents).map { Int(ld(Int64.self, .count, $0)) } }
    /// Max activations of all latents `[m]`.
    public var maxActivations: [Float] { (0..<numLatents).map { ld(Float.self, .max, $0) } }
    /// Firing frequencies of all latents `[m]`.
    public var frequencies: [Double] { counts.map { tokenCount > 0 ? Double($0) / Double(tokenCount) : 0 } }
    /// Dead latents (never fired on the profiled tokens).
    public var deadLatents: [Int] { (0..<numLatents).filter { ld(Int64.self, .count, $0) == 0 } }

    /// Window ids of latent `j`'s top examples, strongest first.
    public func topWindows(_ j: Int) -> [Int] {
        let (a, b) = range(j)
        return (a..<b).filter { ld(UInt8.self, .exKind, $0) == 0 }.map { Int(ld(Int64.self, .windows, Int(ld(Int32.self, .exWindow, $0)))) }
    }

    private func range(_ j: Int) -> (Int, Int) {
        precondition(j >= 0 && j < numLatents, "latent \(j) out of 0..<\(numLatents)")
        return (Int(ld(Int64.self, .exOffsets, j)), Int(ld(Int64.self, .exOffsets, j + 1)))
    }

    private func example(_ e: Int) -> ProfileExample {
        let wi = Int(ld(Int32.self, .exWindow, e)), T = windowLength
        let tok = p[Col.windowTokens.rawValue] + wi * T * 4
        let toks = (0..<T).map { tok.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self) }
        let l = Int(ld(Int32.self, .exSpanLen, e)), o = Int(ld(Int64.self, .exActsOffset, e))
        return ProfileExample(window: Int(ld(Int64.self, .windows, wi)), maxPosition: Int(ld(Int32.self, .exPos, e)),
                              maxActivation: ld(Float.self, .exValue, e), windowTokens: toks,
                              spanStart: Int(ld(Int32.self, .exSpanStart, e)),
                              activations: (0..<l).map { ld(Float.self, .acts, o + $0) })
    }

    /// Everything shown for latent `j`: stats, flags, histogram, top examples, interval and quantile samples.
    /// - Complexity: O(H + examples·T).
    public func card(_ j: Int) -> LatentCard {
        let (a, b) = range(j)
        let st = stats(j)
        var top: [ProfileExample] = []
        var iv = [[ProfileExample]](repeating: [], count: nIntervals), qs = [[ProfileExample]](repeating: [], count: nQuantiles)
        for e in a..<b {
            let g = Int(ld(Int32.self, .exGroup, e))
            switch ld(UInt8.self, .exKind, e) {
            case 0: top.append(example(e))
            case 1 where g >= 0 && g < nIntervals: iv[g].append(example(e))
            case 2 where g >= 0 && g < nQuantiles: qs[g].append(example(e))
            default: break
            }
        }
        let width = st.max / Float(nIntervals)
        let wc = Double(max(1, st.windowCount))
        let intervals = (0..<nIntervals).map { g in
            ExampleGroup(lower: Float(g) * width, upper: g == nIntervals - 1 ? st.max : Float(g + 1) * width,
                         fraction: Double(ld(UInt32.self, .intervalCounts, j * nIntervals + g)) / wc, examples: iv[g])
        }
        let quantiles = (0..<nQuantiles).map { q in
            ExampleGroup(lower: ld(Float.self, .quantileLower, j * nQuantiles + q), upper: ld(Float.self, .quantileUpper, j * nQuantiles + q),
                         fraction: st.windowCount > 0 ? 1 / Double(nQuantiles) : 0, examples: qs[q])
        }
        return LatentCard(stats: st, flags: flags(j), histogram: (0..<H).map { ld(UInt32.self, .histogram, j * H + $0) },
                          histogramEdges: histogramEdges, top: top, intervals: intervals, quantiles: quantiles)
    }
}
