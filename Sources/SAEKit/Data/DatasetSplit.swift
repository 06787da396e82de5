/// A deterministic train / held-out split of a dataset by whole windows (so no held-out token shares
/// a context with a training token), with excluded positions removed from both sides.
public struct DatasetSplit: Sendable, Equatable {
    /// Windows (or rows, for flat data) used for training, ascending.
    public let trainWindows: [Int]
    /// Windows (or rows, for flat data) held out, ascending.
    public let heldOutWindows: [Int]
    /// Usable rows of the training windows, ascending.
    public let trainRows: [Int]
    /// Usable rows of the held-out windows, ascending.
    public let heldOutRows: [Int]
}

extension ActivationDataset {
    /// Holds out `round(heldOutFraction · W)` windows chosen by a permutation drawn from `seed`
    /// (independent of shuffle and init seeds; the default 0 gives every run the same split).
    /// Flat data without windows is split by row.
    /// - Complexity: O(N).
    public func split(heldOutFraction: Double, seed: UInt64 = 0) -> DatasetSplit {
        precondition(heldOutFraction >= 0 && heldOutFraction <= 1, "held-out fraction must be in [0, 1]")
        let w = windowLength ?? 1
        let units = rowCount / w
        var rng = SeededRNG(seed: seed ^ 0x5EED_5_9117)
        let perm = rng.permutation(units)
        let nHeld = Int((heldOutFraction * Double(units)).rounded())
        var held = [Bool](repeating: false, count: units)
        for u in perm.prefix(nHeld) { held[u] = true }
        var trainRows: [Int] = [], heldRows: [Int] = []
        let excluded = excludedPositions
        for r in 0..<(units * w) {
            if !excluded.isEmpty && (windowLength != nil || positionIDs != nil) && excluded.contains(position(ofRow: r)) { continue }
            if held[r / w] { heldRows.append(r) } else { trainRows.append(r) }
        }
        return DatasetSplit(trainWindows: (0..<units).filter { !held[$0] }, heldOutWindows: (0..<units).filter { held[$0] },
                            trainRows: trainRows, heldOutRows: heldRows)
    }
}
