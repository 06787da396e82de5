/// Firing statistics of one latent over the profiled tokens.
public struct LatentStats: Sendable, Equatable {
    public var latent: Int
    /// Tokens where the latent fired (activation > 0).
    public var count: Int
    /// Windows where it fired at least once.
    public var windowCount: Int
    /// Profiled tokens (the denominator of `frequency`).
    public var tokens: Int
    /// Σ activation and Σ activation² over firing tokens.
    public var sum: Double, sumSquares: Double
    /// Largest activation (0 when dead).
    public var max: Float
    /// Firing frequency count / tokens.
    public var frequency: Double { tokens > 0 ? Double(count) / Double(tokens) : 0 }
    /// Mean activation over firing tokens (0 when dead).
    public var meanWhenFiring: Double { count > 0 ? sum / Double(count) : 0 }
    /// Mean activation over all profiled tokens (zeros included).
    public var mean: Double { tokens > 0 ? sum / Double(tokens) : 0 }
    /// Standard deviation over all profiled tokens (zeros included).
    public var std: Double {
        guard tokens > 0 else { return 0 }
        let mu = mean
        return Swift.max(0, sumSquares / Double(tokens) - mu * mu).squareRoot()
    }
}

/// Flags of a latent's firing frequency.
public struct LatentFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Never fired on the profiled tokens.
    public static let dead = LatentFlags(rawValue: 1)
    /// Fired, but on fewer than `ultraRareFrequency` of the tokens.
    public static let ultraRare = LatentFlags(rawValue: 2)
    /// Fired on more than `ultraDenseFrequency` of the tokens.
    public static let ultraDense = LatentFlags(rawValue: 4)

    /// Names for display, e.g. ["dead"].
    public var names: [String] {
        var n: [String] = []
        if contains(.dead) { n.append("dead") }
        if contains(.ultraRare) { n.append("ultra-rare") }
        if contains(.ultraDense) { n.append("ultra-dense") }
        return n
    }

    /// Flags for a count over `tokens` profiled tokens.
    public static func of(count: Int, tokens: Int, rare: Double, dense: Double) -> LatentFlags {
        if count == 0 { return .dead }
        let f = tokens > 0 ? Double(count) / Double(tokens) : 0
        var r: LatentFlags = []
        if f < rare { r.insert(.ultraRare) }
        if f > dense { r.insert(.ultraDense) }
        return r
    }
}

/// One example window of a latent.
public struct ProfileExample: Sendable, Equatable {
    /// Window id in the dataset (rows window·T ..< window·T + T).
    public var window: Int
    /// Position of the latent's max activation in the window (first one on ties).
    public var maxPosition: Int
    /// The latent's max activation in the window (the example's key).
    public var maxActivation: Float
    /// Token ids of the whole window (−1 when the dataset has no tokens or past its end).
    public var windowTokens: [Int32]
    /// First window position of the stored span (±context around `maxPosition`, clipped).
    public var spanStart: Int
    /// The latent's activation at each token of the span (0 where it does not fire or the position is excluded).
    public var activations: [Float]
    /// Token ids of the span.
    public var spanTokens: ArraySlice<Int32> { windowTokens[spanStart..<(spanStart + activations.count)] }
    /// Index in the span of the max activation (first on ties).
    public var spanArgmax: Int {
        var best = 0
        for i in activations.indices where activations[i] > activations[best] { best = i }
        return best
    }
}

/// A group of sampled examples: an activation interval or a rank quantile.
public struct ExampleGroup: Sendable, Equatable {
    /// Activation range of the group: for intervals [lower, upper) of the window max (the last
    /// interval includes `upper`); for quantiles the range of the sampled windows.
    public var lower: Float, upper: Float
    /// Fraction of the latent's firing windows in the group (intervals: estimated from fine bins
    /// of 1/80 of the range; quantiles: 1/quantiles by construction).
    public var fraction: Double
    /// Examples, strongest first.
    public var examples: [ProfileExample]
}

/// Everything the explorer shows for one latent (built by `ProfileStore.card`).
public struct LatentCard: Sendable, Equatable {
    public var stats: LatentStats
    public var flags: LatentFlags
    /// Counts per log-spaced bin (`histogramEdges.count − 1` bins).
    public var histogram: [UInt32]
    public var histogramEdges: [Double]
    /// Top windows by max activation (desc), ties by window id (asc).
    public var top: [ProfileExample]
    /// Equal-width intervals of the window max over [0, max], lowest first (SAEDashboard style).
    public var intervals: [ExampleGroup]
    /// Equal-count rank quantiles of the firing windows, strongest first (delphi style).
    public var quantiles: [ExampleGroup]
}
