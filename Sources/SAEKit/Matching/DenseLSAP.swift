/// Dense linear sum assignment by shortest augmenting paths.
///
/// The algorithm of Crouse, "On implementing 2D rectangular assignment algorithms", IEEE TAES 52(4),
/// 2016, Algorithm 1 (pp. 1685–1686): one Dijkstra-like search per row over reduced costs
/// `c[i][j] − u[i] − v[j]`, then the dual update and the augmentation along the path. It is the
/// algorithm behind scipy's `linear_sum_assignment`, reimplemented here (not translated) with the same
/// conventions: rows ≤ cols (the problem is transposed otherwise), costs and potentials in `Double`
/// (the committed fixtures have optimality gaps of 2e-6, below Float's resolution of a 300-term sum).
///
/// Dual validity for the rectangular case: `v` starts at 0 and only ever decreases, and only for
/// columns that were scanned before the sink; the sink is scanned at distance `minVal`, so its `v`
/// does not change and a column that is still free has `v = 0`. Hence `v ≤ 0` everywhere and `v = 0`
/// on free columns, which is exactly dual feasibility plus complementary slackness of the LP
/// `min Σ c x, Σ_j x_ij = 1, Σ_i x_ij ≤ 1` (whose dual has `v ≤ 0`).
public enum DenseLSAP {
    /// Solves `min Σ_i cost[i, σ(i)]` (or max with `maximize`) over injective σ (rows ≤ cols) or
    /// over injective row-for-column maps (rows > cols).
    ///
    /// - Parameters: `cost` row-major `[rows × cols]`.
    /// - Returns: the assignment; `u`, `v` are the duals of the **minimisation** form in the caller's
    ///   orientation (for `maximize`, of `−cost`).
    /// - Complexity: O(rows²·cols) worst case, O(rows·cols) memory for the Double copy.
    public static func solve(cost: [Double], rows: Int, cols: Int, maximize: Bool = false) throws -> AssignmentSolution {
        precondition(cost.count == rows * cols, "cost has \(cost.count) values, shape needs \(rows * cols)")
        if let bad = cost.firstIndex(where: { !$0.isFinite }) {
            throw AssignmentError.nonFiniteCost(row: bad / max(cols, 1), col: bad % max(cols, 1))
        }
        let transpose = rows > cols
        let nr = transpose ? cols : rows, nc = transpose ? rows : cols
        var c = [Double](repeating: 0, count: nr * nc)
        for i in 0..<rows {
            for j in 0..<cols {
                let x = maximize ? -cost[i * cols + j] : cost[i * cols + j]
                if transpose { c[j * nc + i] = x } else { c[i * nc + j] = x }
            }
        }
        let core = solveMin(c, nr: nr, nc: nc)
        var columnForRow: [Int]
        var u: [Double], v: [Double]
        if transpose {
            columnForRow = [Int](repeating: -1, count: rows)
            for (r, col) in core.col4row.enumerated() { columnForRow[col] = r }
            u = core.v; v = core.u
        } else {
            columnForRow = core.col4row
            u = core.u; v = core.v
        }
        var total = 0.0
        for (i, j) in columnForRow.enumerated() where j >= 0 { total += cost[i * cols + j] }
        return AssignmentSolution(rows: rows, cols: cols, columnForRow: columnForRow, total: total, u: u, v: v)
    }

    /// Float convenience: promotes to Double first (exactly, as scipy does with float32 input).
    public static func solve(cost: [Float], rows: Int, cols: Int, maximize: Bool = false) throws -> AssignmentSolution {
        try solve(cost: cost.map(Double.init), rows: rows, cols: cols, maximize: maximize)
    }

    struct Core { var col4row: [Int]; var u: [Double]; var v: [Double] }

    /// Minimisation core, `nr ≤ nc`, every row assigned.
    static func solveMin(_ c: [Double], nr: Int, nc: Int) -> Core {
        var u = [Double](repeating: 0, count: nr)
        var v = [Double](repeating: 0, count: nc)
        var col4row = [Int](repeating: -1, count: nr)
        var row4col = [Int](repeating: -1, count: nc)
        var dist = [Double](repeating: .infinity, count: nc)
        var path = [Int](repeating: -1, count: nc)
        var remaining = [Int](repeating: 0, count: nc)
        var scannedCol = [Bool](repeating: false, count: nc)
        var scannedRow = [Bool](repeating: false, count: nr)
        c.withUnsafeBufferPointer { cp in
            for start in 0..<nr {
                // Columns still to scan, filled in reverse so that ties resolve towards the lowest
                // column index and a constant matrix gives the identity (the convention scipy adopted,
                // scipy issue #11602).
                for k in 0..<nc { remaining[k] = nc - 1 - k }
                var numRemaining = nc
                for j in 0..<nc { dist[j] = .infinity; scannedCol[j] = false }
                for i in 0..<nr { scannedRow[i] = false }
                var minVal = 0.0
                var i = start
                var sink = -1
                while sink == -1 {
                    scannedRow[i] = true
                    var lowest = Double.infinity
                    var index = -1
                    let base = i * nc
                    let ui = u[i]
                    for it in 0..<numRemaining {
                        let j = remaining[it]
                        let r = minVal + cp[base + j] - ui - v[j]
                        if r < dist[j] { path[j] = i; dist[j] = r }
                        // Prefer a free column on ties: it ends the search earlier.
                        if dist[j] < lowest || (dist[j] == lowest && row4col[j] == -1) {
                            lowest = dist[j]; index = it
                        }
                    }
                    minVal = lowest
                    let j = remaining[index]
                    if row4col[j] == -1 { sink = j } else { i = row4col[j] }
                    scannedCol[j] = true
                    numRemaining -= 1
                    remaining[index] = remaining[numRemaining]
                }
                // Dual update (Crouse eq. 13–14): keeps reduced costs ≥ 0 and makes the path tight.
                u[start] += minVal
                for r in 0..<nr where scannedRow[r] && r != start { u[r] += minVal - dist[col4row[r]] }
                for j in 0..<nc where scannedCol[j] { v[j] -= minVal - dist[j] }
                // Augment along the path back to `start`.
                var j = sink
                while true {
                    let r = path[j]
                    row4col[j] = r
                    let prev = col4row[r]
                    col4row[r] = j
                    if r == start { break }
                    j = prev
                }
            }
        }
        return Core(col4row: col4row, u: u, v: v)
    }
}
