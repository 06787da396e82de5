import Foundation

/// The matched-latent table: one row per latent of the base seed. Keeps, per column, a cached ascending
/// index array (sorted once, O(N log N)); the visible order is that array filtered by the active filters
/// (O(N), only when a filter, sort or the threshold changes). Drawing touches only visible rows, so
/// scrolling costs O(rows × columns) whatever N is.
final class LatentTable {
    enum Column: Equatable {
        case id, partner(Int), dec(Int), enc(Int), agree(Int), maxCos, shared, freq, maxAct, dead, tokens
    }
    enum QuickFilter: String, CaseIterable {
        case all, shared, partial, unique, dead
        var help: String {
            switch self {
            case .all: return "all latents"
            case .shared: return "shared in every seed"
            case .partial: return "shared in some seeds"
            case .unique: return "seed-unique (no partner ≥ τ)"
            case .dead: return "dead latents"
            }
        }
    }
    /// Restricts rows to one histogram bin: `series` of the pair base→`other`, value in [low, high).
    struct BinFilter: Equatable {
        var series: HistogramSeries
        var other: Int
        var low: Float
        var high: Float
    }

    let ctx: RunContext
    private(set) var columns: [Column] = []
    var sortColumn = 0
    var descending = false
    var quick: QuickFilter = .all { didSet { if quick != oldValue { dirty = true } } }
    var text: String = "" { didSet { if text != oldValue { dirty = true } } }
    var bin: BinFilter? { didSet { if bin != oldValue { dirty = true } } }
    /// Only latents shared in exactly k of N seeds (from the overview's k-of-N chart).
    var exactK: Int? { didSet { if exactK != oldValue { dirty = true } } }
    /// Visible order (indices into the base seed's latents).
    private(set) var rows: [Int32] = []
    private var sortedCache: [Int: [Int32]] = [:]
    private var cacheGeneration = -1
    private var builtBase = -1
    private var dirty = true
    private var lowerTokens: [String]?

    init(ctx: RunContext) {
        self.ctx = ctx
        rebuildColumns()
    }

    var base: Int { ctx.base }
    var others: [Int] { (0..<ctx.seedCount).filter { $0 != ctx.base } }

    private func rebuildColumns() {
        var c: [Column] = [.id]
        for o in others { c += [.partner(o), .dec(o), .enc(o)] }
        c += [.maxCos, .shared, .freq, .maxAct, .dead]
        for o in others { c.append(.agree(o)) }
        c.append(.tokens)
        columns = c
        sortColumn = min(sortColumn, c.count - 1)
        builtBase = ctx.base
    }

    func title(_ c: Column) -> String {
        switch c {
        case .id: return ctx.seedLabel(base) + " id"
        case .partner(let o): return ctx.seedLabel(o) + " id"
        case .dec(let o): return ctx.seedLabel(o) + " dec"
        case .enc(let o): return ctx.seedLabel(o) + " enc"
        case .agree(let o): return ctx.seedLabel(o) + " agr"
        case .maxCos: return "max cos"
        case .shared: return "k/N"
        case .freq: return "freq"
        case .maxAct: return "max act"
        case .dead: return "dead"
        case .tokens: return "top tokens"
        }
    }

    func width(_ c: Column) -> Int {
        switch c {
        case .id, .partner: return max(6, String(ctx.width).count + 1)
        case .dec, .enc, .agree: return 7
        case .maxCos: return 7
        case .shared: return 5
        case .freq: return 8
        case .maxAct: return 7
        case .dead: return 4
        case .tokens: return 28
        }
    }

    func help(_ c: Column) -> String {
        switch c {
        case .id: return "latent id in the base seed"
        case .partner(let o): return "matched latent in \(ctx.seedLabel(o))"
        case .dec(let o): return "decoder cosine with the partner in \(ctx.seedLabel(o))"
        case .enc(let o): return "encoder cosine with the partner in \(ctx.seedLabel(o))"
        case .agree(let o): return "activation agreement with the partner in \(ctx.seedLabel(o))"
        case .maxCos: return "max decoder cosine to any latent of any other seed"
        case .shared: return "shared in k of N seeds at τ (\(ctx.criterion.label))"
        case .freq: return "firing frequency"
        case .maxAct: return "max activation"
        case .dead: return "never fired"
        case .tokens: return "top-activating tokens"
        }
    }

    /// Numeric sort key of column `c` for latent `l` (NaN sorts last).
    func key(_ c: Column, _ l: Int) -> Float {
        let s = ctx.data.latents[base]
        switch c {
        case .id: return Float(l)
        case .partner(let o): return Float(ctx.pair(base, o)?.partner[l] ?? -1)
        case .dec(let o): return ctx.pair(base, o)?.decoderCos[l] ?? .nan
        case .enc(let o): return ctx.pair(base, o)?.encoderCos[l] ?? .nan
        case .agree(let o): return ctx.pair(base, o)?.agreement[l] ?? .nan
        case .maxCos: return maxCos(l)
        case .shared: return Float(ctx.sharedCount[l])
        case .freq: return s.firingFrequency[l]
        case .maxAct: return s.maxActivation[l]
        case .dead: return s.dead[l] ? 1 : 0
        case .tokens: return 0
        }
    }

    /// Every latent's sort key of column `c` (pairs fetched once: this feeds the O(N log N) sort).
    func keys(_ c: Column) -> [Float] {
        let s = ctx.data.latents[base], m = ctx.width
        func pv(_ o: Int, _ f: (PairMatch) -> [Float]) -> [Float] { ctx.pair(base, o).map(f) ?? [Float](repeating: .nan, count: m) }
        switch c {
        case .id: return (0..<m).map(Float.init)
        case .partner(let o): return ctx.pair(base, o).map { $0.partner.map(Float.init) } ?? [Float](repeating: -1, count: m)
        case .dec(let o): return pv(o) { $0.decoderCos }
        case .enc(let o): return pv(o) { $0.encoderCos }
        case .agree(let o): return pv(o) { $0.agreement }
        case .maxCos:
            var best = [Float](repeating: -1, count: m)
            for o in others { if let p = ctx.pair(base, o) { for l in 0..<m { best[l] = max(best[l], p.decoderMaxCos[l]) } } }
            return best
        case .shared: return ctx.sharedCount.map(Float.init)
        case .freq: return s.firingFrequency
        case .maxAct: return s.maxActivation
        case .dead: return s.dead.map { $0 ? 1 : 0 }
        case .tokens: return [Float](repeating: 0, count: m)
        }
    }

    func maxCos(_ l: Int) -> Float {
        var best: Float = -1
        for o in others { if let p = ctx.pair(base, o) { best = max(best, p.decoderMaxCos[l]) } }
        return best
    }

    /// Cell text of column `c` for latent `l`.
    func cell(_ c: Column, _ l: Int) -> String {
        let s = ctx.data.latents[base]
        switch c {
        case .id: return String(l)
        case .partner(let o):
            guard let p = ctx.pair(base, o) else { return "–" }
            return p.partner[l] < 0 ? "–" : String(p.partner[l])
        case .dec, .enc, .agree, .maxCos:
            let v = key(c, l)
            return v.isNaN ? "–" : String(format: "%.3f", v)
        case .shared: return "\(ctx.sharedCount[l])/\(ctx.seedCount)"
        case .freq:
            let f = s.firingFrequency[l]
            return f <= 0 ? "0" : String(format: "%.1e", f)
        case .maxAct: return String(format: "%.2f", s.maxActivation[l])
        case .dead: return s.dead[l] ? "dead" : ""
        case .tokens: return TokenText.display(s.topTokens[l], ascii: false)
        }
    }

    /// Whether the cell should be highlighted as passing the threshold.
    func passes(_ c: Column, _ l: Int) -> Bool? {
        switch c {
        case .dec(let o), .enc(let o):
            guard let p = ctx.pair(base, o) else { return nil }
            return ctx.criterion.value(p, l) >= ctx.threshold
        default: return nil
        }
    }

    /// Ascending order of column `col` (cached; the shared column is re-sorted after threshold changes).
    func sorted(_ col: Int) -> [Int32] {
        if let s = sortedCache[col] { return s }
        let c = columns[col], m = ctx.width
        var out = [Int32](repeating: 0, count: m)
        if c == .tokens {
            let t = ctx.data.latents[base].topTokens
            let idx = (0..<m).sorted { t[$0] < t[$1] }
            for i in 0..<m { out[i] = Int32(idx[i]) }
        } else if c == .id {
            for i in 0..<m { out[i] = Int32(i) }
        } else {
            out = RadixSort.argsort(keys(c))
        }
        sortedCache[col] = out
        return out
    }

    /// Sorts one not-yet-cached column (called on idle ticks), so a user's first sort of a column is
    /// usually a cache hit. Text columns are skipped (string sort is slow and rarely wanted).
    /// - Returns: false when every numeric column is cached.
    @discardableResult
    func prewarmNext() -> Bool {
        for i in columns.indices where sortedCache[i] == nil && columns[i] != .tokens {
            _ = sorted(i); return true
        }
        return false
    }

    /// Brings `rows` up to date with sort, filters and the context's threshold. Cheap when nothing changed.
    func refresh() {
        if builtBase != ctx.base { rebuildColumns(); sortedCache = [:]; lowerTokens = nil; dirty = true }
        if cacheGeneration != ctx.generation {
            // Threshold/criterion changed: only the shared column's order depends on it.
            if let i = columns.firstIndex(of: .shared) { sortedCache[i] = nil }
            cacheGeneration = ctx.generation
            dirty = true
        }
        guard dirty else { return }
        dirty = false
        let order = sorted(sortColumn)
        let n = ctx.seedCount
        let shared = ctx.sharedCount
        let s = ctx.data.latents[base]
        let needle = text.lowercased()
        if !needle.isEmpty && lowerTokens == nil { lowerTokens = s.topTokens.map { $0.lowercased() } }
        let binPair = bin.flatMap { ctx.pair(base, $0.other) }
        var out: [Int32] = []
        out.reserveCapacity(order.count)
        for i in 0..<order.count {
            let l = Int(descending ? order[order.count - 1 - i] : order[i])
            switch quick {
            case .all: break
            case .shared: if Int(shared[l]) != n || s.dead[l] { continue }
            case .partial: if shared[l] <= 1 || Int(shared[l]) >= n || s.dead[l] { continue }
            case .unique: if shared[l] != 1 || s.dead[l] { continue }
            case .dead: if !s.dead[l] { continue }
            }
            if let k = exactK, Int(shared[l]) != k { continue }
            if let b = bin, let p = binPair {
                let v = b.series.value(p, l)
                // Same edges as the histogram: below 0 counts in the first bin, 1.0 in the last.
                if !((v >= b.low || b.low <= 0) && (v < b.high || b.high >= 1)) || v.isNaN { continue }
            }
            if !needle.isEmpty, let lt = lowerTokens, !lt[l].contains(needle), String(l) != needle { continue }
            out.append(Int32(l))
        }
        rows = out
    }

    /// Whether latent `l` matches a search term (id or top tokens, case-insensitive).
    func matches(_ l: Int, _ needleLower: String) -> Bool {
        if String(l) == needleLower { return true }
        if lowerTokens == nil { lowerTokens = ctx.data.latents[base].topTokens.map { $0.lowercased() } }
        return lowerTokens![l].contains(needleLower)
    }

    func markDirty() { dirty = true }

    /// Description of the active filters for the title line.
    var filterDescription: String {
        var parts: [String] = []
        if quick != .all { parts.append(quick.rawValue) }
        if let b = bin { parts.append(String(format: "%@ vs %@ in [%.2f, %.2f)", b.series.label, ctx.seedLabel(b.other), b.low, b.high)) }
        if let k = exactK { parts.append("k=\(k)") }
        if !text.isEmpty { parts.append("tokens ∋ \"\(text)\"") }
        return parts.joined(separator: ", ")
    }
}

/// The four cosine series the overview histograms show for a seed pair.
enum HistogramSeries: Int, CaseIterable, Equatable {
    case decoderMax, decoderMatched, encoderMax, encoderMatched
    var label: String {
        switch self {
        case .decoderMax: return "dec max cos"
        case .decoderMatched: return "dec matched cos"
        case .encoderMax: return "enc max cos"
        case .encoderMatched: return "enc matched cos"
        }
    }
    @inline(__always) func value(_ p: PairMatch, _ l: Int) -> Float {
        switch self {
        case .decoderMax: return p.decoderMaxCos[l]
        case .decoderMatched: return p.decoderCos[l]
        case .encoderMax: return p.encoderMaxCos[l]
        case .encoderMatched: return p.encoderCos[l]
        }
    }
    var isDecoder: Bool { self == .decoderMax || self == .decoderMatched }
}
