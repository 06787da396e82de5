import Foundation

/// The known features behind a synthetic dataset, and how well a learned dictionary recovers them.
public struct GroundTruth: Sendable {
    /// True unit directions `[F × d]`.
    public var directions: Matrix
    /// Expected firing frequency of each feature (fraction of tokens).
    public var frequencies: [Double]
    /// Parent of each feature (families), or -1.
    public var parent: [Int]
    /// The leader a follower co-fires with, or -1.
    public var leader: [Int]
    /// Noise standard deviation per dimension.
    public var noise: Float

    public init(directions: Matrix, frequencies: [Double], parent: [Int], leader: [Int], noise: Float) {
        self.directions = directions; self.frequencies = frequencies; self.parent = parent; self.leader = leader; self.noise = noise
    }

    /// For each true feature, the largest cosine to any row of `directions` (e.g. an SAE decoder
    /// `[m × d]`; rows need not be unit norm).
    /// - Complexity: O(F·m·d) in one sgemm.
    public func bestCosines(directions learned: Matrix) -> [Float] {
        precondition(learned.cols == directions.cols, "learned directions have d=\(learned.cols), truth has d=\(directions.cols)")
        let sims = BLAS.matmul(directions.rowNormalized(), learned.rowNormalized(), transB: true)
        return (0..<sims.rows).map { i in (0..<sims.cols).reduce(-Float.infinity) { max($0, sims[i, $1]) } }
    }

    /// Fraction of true features whose best cosine to a learned direction exceeds `threshold`
    /// (the recovery criterion of Sharkey et al. 2022 and Paulo & Belrose 2025's synthetic check).
    public func recovered(directions learned: Matrix, threshold: Float = 0.9) -> Double {
        let b = bestCosines(directions: learned)
        return b.isEmpty ? 0 : Double(b.filter { $0 > threshold }.count) / Double(b.count)
    }

    /// Reads `true_directions`, `frequencies`, `parent`, `leader` from a generated dataset file.
    public static func load(from ds: ActivationDataset) throws -> GroundTruth {
        let f = ds.file
        guard f.contains("true_directions") else {
            throw SeedScopeError.invalid(file: ds.path, message: "no \"true_directions\" tensor (not a seedscope-generated dataset)")
        }
        let dirs = try f.matrix("true_directions", cols: ds.dim)
        let freq = f.contains("frequencies") ? try f.vector("frequencies", count: dirs.rows).map(Double.init) : []
        let parent = f.contains("parent") ? try f.int64s("parent").map { Int($0) } : Array(repeating: -1, count: dirs.rows)
        let leader = f.contains("leader") ? try f.int64s("leader").map { Int($0) } : Array(repeating: -1, count: dirs.rows)
        return GroundTruth(directions: dirs, frequencies: freq, parent: parent, leader: leader,
                           noise: Float(ds.metadata["noise"] ?? "") ?? 0)
    }
}
