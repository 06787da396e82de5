import Foundation

/// Settings of a profiling pass. Every field is stored in the profile's header (provenance), so a
/// profile says exactly how its numbers were made.
public struct ProfileConfig: Sendable, Equatable {
    /// Top-activating windows kept per latent (one entry per window, keyed by the latent's max
    /// activation in the window; order: activation desc, then window id asc).
    public var topK = 20
    /// Tokens of context stored on each side of an example's max position (clipped to the window).
    public var context = 10
    /// Target rows per bookkeeping block; blocks always hold whole windows (at least one). Each
    /// block's firing entries update the per-latent state in one sweep, and every sweep streams all
    /// of that state through the cache, so fewer, larger blocks are faster (memory O(blockRows·k)).
    public var blockRows = 32768
    /// Rows per encoder sgemm (and per read); its `[panelRows × m]` pre-activations are the
    /// pass's largest buffer (18 MB at m = 4608). 1024–2048 rows keep OpenBLAS at full speed;
    /// smaller panels re-pack the encoder too often and measured slower.
    public var panelRows = 1024
    /// Equal-width activation intervals over [0, max] (SAEDashboard/sae_vis style).
    public var intervals = 10
    /// Examples sampled per interval.
    public var samplesPerInterval = 5
    /// Equal-count rank quantiles over the firing windows (delphi style).
    public var quantiles = 10
    /// Examples sampled per quantile.
    public var samplesPerQuantile = 5
    /// Lowest edge of the log-spaced activation histogram (values below land in bin 0).
    public var histogramLow: Double = 1e-4
    /// Log-spaced histogram bins per decade.
    public var binsPerDecade = 8
    /// Decades covered above `histogramLow` (values above land in the last bin).
    public var histogramDecades = 10
    /// A latent firing on fewer than this fraction of the profiled tokens (but at least once) is ultra-rare.
    public var ultraRareFrequency: Double = 1e-5
    /// A latent firing on more than this fraction of the profiled tokens is ultra-dense.
    public var ultraDenseFrequency: Double = 0.1
    /// Seed of the hash priorities used for interval and quantile sampling (samples are a pure
    /// function of (seed, latent, window), independent of block size and thread count).
    public var samplingSeed: UInt64 = 0
    /// Window length for flat `[N, d]` data without windows.
    public var flatWindowLength = 128
    /// Threads for the per-row selection and the per-latent bookkeeping (sgemm uses OpenBLAS's own).
    public var threads = 2

    public init() {}

    /// Rows per sgemm panel for SAEs up to `latents` wide, at most `blockRows`: `panelRows`, lowered
    /// so the `[panel × m]` pre-activations stay within 128 MB (256 rows at m = 131072).
    public func panelRows(latents: Int, blockRows: Int) -> Int {
        max(1, min(blockRows, panelRows, max(64, (1 << 25) / max(1, latents))))
    }

    /// Number of histogram bins: one underflow bin, `binsPerDecade·histogramDecades` log bins.
    public var histogramBins: Int { 1 + binsPerDecade * histogramDecades }

    /// Bin edges (`histogramBins + 1` values): 0, histogramLow, …, histogramLow·10^decades, +∞.
    /// Bin 0 is [0, low); bin i ≥ 1 is [low·10^((i−1)/b), low·10^(i/b)); the last bin is open above.
    public var histogramEdges: [Double] {
        var e: [Double] = [0]
        for i in 0..<(binsPerDecade * histogramDecades) { e.append(histogramLow * pow(10, Double(i) / Double(binsPerDecade))) }
        e.append(.infinity)
        return e
    }

    /// Throws a usage error for settings that make no sense.
    public func validate() throws {
        func bad(_ m: String) -> SeedScopeError { .usage("profile: \(m)") }
        guard topK >= 1 && topK <= 10_000 else { throw bad("--top must be in 1...10000 (got \(topK))") }
        guard context >= 0 && context <= 4096 else { throw bad("--context must be in 0...4096 (got \(context))") }
        guard blockRows >= 1, panelRows >= 1 else { throw bad("block and panel rows must be positive") }
        guard intervals >= 1, samplesPerInterval >= 0, quantiles >= 1, samplesPerQuantile >= 0 else { throw bad("interval/quantile counts must be positive") }
        guard histogramLow > 0, binsPerDecade >= 1, histogramDecades >= 1 else { throw bad("bad histogram settings") }
        guard flatWindowLength >= 1, threads >= 1 else { throw bad("window length and threads must be positive") }
    }
}

/// What a profiling pass reads: activation rows in windows, with token ids for display.
///
/// Rows are numbered `window · windowLength + position` (the layout of `ActivationDataset`); the last
/// window may be shorter for flat data. Rows at `excludedPositions` are not profiled (their
/// activations count as 0 and they never fire), but their tokens are still shown in contexts.
public struct ProfileInput: Sendable {
    public var source: any ActivationSource
    /// Token id per row (`source.rowCount` values), or nil (contexts then show no text).
    public var tokens: [Int32]?
    public var windowLength: Int
    public var excludedPositions: Set<Int>
    /// Where the data came from (stored as provenance).
    public var path: String
    /// A fingerprint of the data (stored as provenance).
    public var fingerprint: String

    public init(source: any ActivationSource, tokens: [Int32]?, windowLength: Int, excludedPositions: Set<Int> = [],
                path: String = "", fingerprint: String = "") {
        precondition(windowLength > 0, "window length must be positive")
        precondition(tokens == nil || tokens!.count == source.rowCount, "one token per row")
        self.source = source; self.tokens = tokens; self.windowLength = windowLength
        self.excludedPositions = excludedPositions; self.path = path; self.fingerprint = fingerprint
    }

    /// A dataset's windows, tokens and excluded positions. Flat data without windows is cut into
    /// `flatWindowLength`-row windows for display, and then no position is excluded (as `usableRows`).
    public init(dataset: ActivationDataset, flatWindowLength: Int = 128) {
        self.init(source: dataset, tokens: dataset.tokens, windowLength: dataset.windowLength ?? flatWindowLength,
                  excludedPositions: dataset.windowLength == nil ? [] : dataset.excludedPositions, path: dataset.path,
                  fingerprint: Fingerprint.ofFile(dataset.file))
    }

    /// Number of windows (the last one may be partial).
    public var windowCount: Int { (source.rowCount + windowLength - 1) / windowLength }
    /// Rows that are profiled (not at an excluded position).
    public var profiledTokenCount: Int {
        let n = source.rowCount, t = windowLength
        let full = n / t, rest = n % t
        let perWindow = (0..<t).filter { !excludedPositions.contains($0) }.count
        return full * perWindow + (0..<rest).filter { !excludedPositions.contains($0) }.count
    }
}
