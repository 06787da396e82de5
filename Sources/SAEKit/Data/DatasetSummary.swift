/// What `seedscope inspect DATASET` reports: sizes, row-norm distribution over usable rows, and how
/// concentrated the variance is (a massive-activation channel, as at SmolLM2 layer 15, shows up as a
/// top-dimension share near 1).
public struct DatasetSummary: Sendable {
    public var rows: Int
    public var dim: Int
    public var windows: Int?
    public var windowLength: Int?
    public var dtype: DType
    public var usableRows: Int
    public var excludedPositions: [Int]
    /// Smallest and largest token id, when there are tokens.
    public var tokenRange: ClosedRange<Int32>?
    /// Row L2 norms over the usable rows (or an even sample of them).
    public var normMin, normMedian, normMean, normP99, normMax: Double
    /// Mean norm of the excluded rows (e.g. the BOS sink), when any.
    public var excludedNormMean: Double?
    /// Fraction of the total (mean-centred) variance in the single largest dimension, and which.
    public var topDimVarianceShare: Double
    public var topDim: Int
    /// Rows read to compute the statistics.
    public var sampledRows: Int
}

extension ActivationDataset {
    /// Computes the summary from at most `maxRows` usable rows (evenly strided).
    /// Throws on NaN/Inf rows like every read.
    /// - Complexity: O(min(N, maxRows) · d).
    public func summary(maxRows: Int = 200_000) throws -> DatasetSummary {
        let usable = usableRows
        let stride = max(1, (usable.count + maxRows - 1) / max(maxRows, 1))
        let sample = Swift.stride(from: 0, to: usable.count, by: stride).map { usable[$0] }
        var norms: [Double] = []
        norms.reserveCapacity(sample.count)
        var sum = [Double](repeating: 0, count: dim), sumSq = [Double](repeating: 0, count: dim)
        var buf = [Float](repeating: 0, count: dim)
        for r in sample {
            try buf.withUnsafeMutableBufferPointer { try readRows(r..<(r + 1), into: $0.baseAddress!) }
            var n2 = 0.0
            for j in 0..<dim { let v = Double(buf[j]); n2 += v * v; sum[j] += v; sumSq[j] += v * v }
            norms.append(n2.squareRoot())
        }
        norms.sort()
        let count = Double(max(sample.count, 1))
        var variances = (0..<dim).map { sumSq[$0] / count - (sum[$0] / count) * (sum[$0] / count) }
        variances = variances.map { max(0, $0) }
        let total = variances.reduce(0, +)
        let top = variances.indices.max { variances[$0] < variances[$1] } ?? 0
        var excludedMean: Double? = nil
        if !excludedPositions.isEmpty, let w = windowLength {
            var s = 0.0, n = 0
            for win in 0..<min(rowCount / w, 1000) {
                for p in excludedPositions.sorted() where p < w {
                    try buf.withUnsafeMutableBufferPointer { try readRows((win * w + p)..<(win * w + p + 1), into: $0.baseAddress!) }
                    s += Double(Vec.sumSquares(buf, dim)).squareRoot(); n += 1
                }
            }
            if n > 0 { excludedMean = s / Double(n) }
        }
        func q(_ f: Double) -> Double { norms.isEmpty ? .nan : norms[min(norms.count - 1, Int(f * Double(norms.count - 1)))] }
        return DatasetSummary(
            rows: rowCount, dim: dim, windows: windowCount, windowLength: windowLength, dtype: activationsDType,
            usableRows: usable.count, excludedPositions: excludedPositions.sorted(),
            tokenRange: tokens.flatMap { t in t.min().map { $0...t.max()! } },
            normMin: norms.first ?? .nan, normMedian: q(0.5), normMean: norms.reduce(0, +) / count,
            normP99: q(0.99), normMax: norms.last ?? .nan, excludedNormMean: excludedMean,
            topDimVarianceShare: total > 0 ? variances[top] / total : 0, topDim: top, sampledRows: sample.count)
    }
}
