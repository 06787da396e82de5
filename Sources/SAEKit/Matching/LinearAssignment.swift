/// The result of a linear sum assignment: which column each row gets, the total cost and the LP dual
/// potentials that certify optimality.
///
/// Conventions (minimisation, `rows ≤ cols` or `rows > cols`): `columnForRow[i]` is the column of row
/// `i` or −1 when the row is unassigned (only when rows > cols). The duals satisfy
/// `u[i] + v[j] ≤ cost[i][j]` for every edge, with equality on assigned edges, `v[j] ≤ 0` for every
/// column and `v[j] = 0` for unassigned columns (the rectangular LP dual; see `DenseLSAP`).
/// For a maximisation the duals are those of the negated problem (`−similarity`).
public struct AssignmentSolution: Sendable, Equatable {
    /// Number of rows of the problem.
    public var rows: Int
    /// Number of columns of the problem.
    public var cols: Int
    /// `[rows]` column of each row, −1 if unassigned.
    public var columnForRow: [Int]
    /// Σ of the (original, un-negated) objective over assigned edges, accumulated in Double.
    public var total: Double
    /// `[rows]` row potentials of the minimisation form (empty when the solver transposed and the
    /// caller did not need them).
    public var u: [Double]
    /// `[cols]` column potentials of the minimisation form.
    public var v: [Double]

    public init(rows: Int, cols: Int, columnForRow: [Int], total: Double, u: [Double], v: [Double]) {
        self.rows = rows; self.cols = cols; self.columnForRow = columnForRow; self.total = total; self.u = u; self.v = v
    }

    /// `[cols]` row of each column, −1 if unassigned.
    public var rowForColumn: [Int] {
        var r = [Int](repeating: -1, count: cols)
        for (i, j) in columnForRow.enumerated() where j >= 0 { r[j] = i }
        return r
    }
}

/// Errors of the assignment solvers (one line each).
public enum AssignmentError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A cost is NaN or infinite.
    case nonFiniteCost(row: Int, col: Int)
    /// The certification loop hit its round limit without proving optimality.
    case notCertified(rounds: Int)

    public var description: String {
        switch self {
        case let .nonFiniteCost(r, c): return "assignment cost at (\(r), \(c)) is NaN or infinite"
        case let .notCertified(n): return "sparse assignment not certified after \(n) rounds"
        }
    }
}
