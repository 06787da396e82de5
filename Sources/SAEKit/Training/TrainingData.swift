import Foundation

/// The rows a run trains on and the held-out rows it evaluates on.
public struct TrainingData: Sendable {
    public let source: ActivationSource
    /// Training row ids (usable rows only), in dataset order; the shuffler permutes them.
    public let trainRows: [Int]
    /// Held-out source (the training source unless an --eval-data file was given).
    public let evalSource: ActivationSource
    public let evalRows: [Int]

    public init(source: ActivationSource, trainRows: [Int], evalSource: ActivationSource? = nil, evalRows: [Int]) {
        self.source = source; self.trainRows = trainRows
        self.evalSource = evalSource ?? source; self.evalRows = evalRows
    }

    /// Splits a dataset's usable rows: the last `heldOutFraction` of its **windows** (whole windows, so
    /// no held-out token shares a context with a training token) are held out; flat data without
    /// windows holds out its last rows. `heldOutFraction` 0 → no held-out rows.
    public static func split(_ ds: ActivationDataset, heldOutFraction: Double) -> TrainingData {
        let usable = ds.usableRows
        let w = ds.windowLength ?? 1
        let windows = ds.rowCount / w
        let evalWindows = heldOutFraction > 0 ? max(1, Int((Double(windows) * heldOutFraction).rounded())) : 0
        let firstEvalRow = (windows - evalWindows) * w
        return TrainingData(source: ds, trainRows: usable.filter { $0 < firstEvalRow },
                            evalRows: usable.filter { $0 >= firstEvalRow })
    }

    /// All usable rows of `train` for training and all usable rows of `eval` for evaluation.
    public static func separate(train: ActivationDataset, eval: ActivationDataset?) throws -> TrainingData {
        if let e = eval, e.dim != train.dim {
            throw SeedScopeError.invalid(file: e.path, message: "eval data has d=\(e.dim) but training data has d=\(train.dim)")
        }
        return TrainingData(source: train, trainRows: train.usableRows, evalSource: eval, evalRows: eval?.usableRows ?? [])
    }
}
