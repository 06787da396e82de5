/// A sparse bipartite cost graph in compressed-row form (minimisation costs, Double).
public struct SparseCostGraph: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let cols: Int
    /// `[rows + 1]` offsets into `colIndex`/`cost`.
    public let rowStart: [Int]
    /// Column of each edge, ascending within a row.
    public let colIndex: [Int32]
    /// Cost of each edge.
    public let cost: [Double]

    /// Builds from per-row (column, cost) lists; duplicate columns keep the smaller cost.
    /// - Complexity: O(E log E).
    public init(rows: Int, cols: Int, edges: [[(col: Int, cost: Double)]]) {
        precondition(edges.count == rows, "one edge list per row")
        self.rows = rows; self.cols = cols
        var start = [Int](repeating: 0, count: rows + 1)
        var ci: [Int32] = [], cc: [Double] = []
        ci.reserveCapacity(edges.reduce(0) { $0 + $1.count })
        cc.reserveCapacity(ci.capacity)
        for (i, list) in edges.enumerated() {
            let s = list.sorted { $0.col != $1.col ? $0.col < $1.col : $0.cost < $1.cost }
            var last = -1
            for e in s where e.col != last {
                precondition(e.col >= 0 && e.col < cols, "edge column \(e.col) out of range")
                ci.append(Int32(e.col)); cc.append(e.cost); last = e.col
            }
            start[i + 1] = ci.count
        }
        rowStart = start; colIndex = ci; cost = cc
    }

    /// Number of edges.
    public var edgeCount: Int { colIndex.count }

    /// Whether edge (row, col) is present. O(log degree).
    public func contains(row: Int, col: Int) -> Bool {
        var lo = rowStart[row], hi = rowStart[row + 1]
        let c = Int32(col)
        while lo < hi {
            let mid = (lo + hi) / 2
            if colIndex[mid] < c { lo = mid + 1 } else if colIndex[mid] > c { hi = mid } else { return true }
        }
        return false
    }
}

/// Shortest-augmenting-path assignment on a sparse graph, with a private fallback column per row.
///
/// Same algorithm as `DenseLSAP` (Crouse 2016, Alg. 1) but the search is Dijkstra with a binary heap
/// over the edges present, touching only what it reaches. To make a full row assignment always
/// exist, row i also has an edge to its own dummy column `cols + i` of cost `fallbackCost`
/// (the "large-cost fallback" of DESIGN.md). The duals therefore live on `cols + rows` columns.
/// Initialisation is the row reduction of Jonker & Volgenant (1987): `u_i = min_j c_ij`, `v = 0`, and
/// a row takes its cheapest column when that column is still free; `v` stays ≤ 0 and free columns keep
/// `v = 0`, so the rectangular dual argument of `DenseLSAP` holds unchanged.
public enum SparseLSAP {
    /// The solution on the expanded graph.
    public struct Solution: Sendable {
        /// `[rows]` column of each row; `≥ cols` means the row sits on its fallback column.
        public var columnForRow: [Int]
        /// `[rows]` row potentials.
        public var u: [Double]
        /// `[cols + rows]` column potentials (real columns first, then the dummies).
        public var v: [Double]
        /// Rows assigned to their fallback column.
        public var fallbackRows: Int
    }

    /// Minimises Σ cost over a full row assignment of `graph` (plus fallbacks).
    /// - Complexity: O(rows · E log E) worst case; typically far less, the searches stay local.
    ///
    /// With `warmStart` (a solution of a subgraph of `graph`, same rows and columns), its duals and
    /// assignment are reused: a row whose new edges break dual feasibility gets
    /// `u_i = min_j (c_ij − v_j)` and loses its column, then only the freed rows are augmented. `v`
    /// never increases from the warm start (the certified solver's dual-shift bound relies on it).
    public static func solve(_ graph: SparseCostGraph, fallbackCost: Double, warmStart: Solution? = nil) -> Solution {
        let nr = graph.rows, nc = graph.cols, total = nc + nr
        var u = [Double](repeating: 0, count: nr)
        var v = [Double](repeating: 0, count: total)
        var col4row = [Int](repeating: -1, count: nr)
        var row4col = [Int](repeating: -1, count: total)
        let start = graph.rowStart, cols = graph.colIndex, cost = graph.cost
        if let w = warmStart {
            precondition(w.u.count == nr && w.v.count == total, "warm start of a different shape")
            u = w.u; v = w.v; col4row = w.columnForRow
            for (i, j) in col4row.enumerated() where j >= 0 { row4col[j] = i }
            for i in 0..<nr {
                var best = fallbackCost - v[nc + i]
                for e in start[i]..<start[i + 1] { best = min(best, cost[e] - v[Int(cols[e])]) }
                if best < u[i] {
                    u[i] = best
                    let j = col4row[i]
                    if j >= 0 { row4col[j] = -1; col4row[i] = -1 }
                }
            }
        } else {
            // Row reduction + greedy tight assignment.
            for i in 0..<nr {
                var best = fallbackCost, bj = nc + i
                for e in start[i]..<start[i + 1] where cost[e] < best { best = cost[e]; bj = Int(cols[e]) }
                u[i] = best
                if row4col[bj] == -1 { row4col[bj] = i; col4row[i] = bj }
            }
        }
        var dist = [Double](repeating: .infinity, count: total)
        var pred = [Int32](repeating: -1, count: total)
        var scanned = [Bool](repeating: false, count: total)
        var touched: [Int] = []
        var scannedCols: [Int] = []
        var heap = MinHeap()
        for s in 0..<nr where col4row[s] == -1 {
            var i = s
            var minVal = 0.0
            var sink = -1
            while true {
                // Relax row i's edges (and its fallback) from distance minVal.
                let ui = u[i]
                for e in start[i]..<start[i + 1] {
                    let j = Int(cols[e])
                    if scanned[j] { continue }
                    let r = minVal + cost[e] - ui - v[j]
                    if r < dist[j] {
                        if dist[j] == .infinity { touched.append(j) }
                        dist[j] = r; pred[j] = Int32(i)
                        heap.push(r, Int32(j), free: row4col[j] == -1)
                    }
                }
                let dj = nc + i
                if !scanned[dj] {
                    let r = minVal + fallbackCost - ui - v[dj]
                    if r < dist[dj] {
                        if dist[dj] == .infinity { touched.append(dj) }
                        dist[dj] = r; pred[dj] = Int32(i)
                        heap.push(r, Int32(dj), free: row4col[dj] == -1)
                    }
                }
                // Closest unscanned column (lazy deletion of stale heap entries).
                var j = -1
                while let top = heap.pop() {
                    let c = Int(top.col)
                    if scanned[c] || top.key != dist[c] { continue }
                    j = c; minVal = top.key; break
                }
                precondition(j >= 0, "sparse assignment: fallback edge missing") // every row has one
                scanned[j] = true
                scannedCols.append(j)
                if row4col[j] == -1 { sink = j; break }
                i = row4col[j]
            }
            // Dual update (as DenseLSAP): scanned columns other than the sink sit at dist ≤ minVal.
            u[s] += minVal
            for j in scannedCols where j != sink {
                let d = minVal - dist[j]
                v[j] -= d
                u[row4col[j]] += d
            }
            // Augment.
            var j = sink
            while true {
                let r = Int(pred[j])
                row4col[j] = r
                let prev = col4row[r]
                col4row[r] = j
                if r == s { break }
                j = prev
            }
            for c in touched { dist[c] = .infinity; scanned[c] = false }
            touched.removeAll(keepingCapacity: true)
            scannedCols.removeAll(keepingCapacity: true)
            heap.removeAll()
        }
        let fallbacks = col4row.reduce(0) { $0 + ($1 >= nc ? 1 : 0) }
        return Solution(columnForRow: col4row, u: u, v: v, fallbackRows: fallbacks)
    }
}

/// Binary min-heap on (key, free-first, column): among equal distances a free column pops first,
/// which ends a search early (the same tie rule as the dense solver).
struct MinHeap {
    struct Item { var key: Double; var rank: Int32; var col: Int32 }
    private var items: [Item] = []

    @inline(__always) private static func less(_ a: Item, _ b: Item) -> Bool {
        a.key != b.key ? a.key < b.key : (a.rank != b.rank ? a.rank < b.rank : a.col < b.col)
    }

    mutating func push(_ key: Double, _ col: Int32, free: Bool) {
        items.append(Item(key: key, rank: free ? 0 : 1, col: col))
        var k = items.count - 1
        while k > 0 {
            let p = (k - 1) / 2
            if !Self.less(items[k], items[p]) { break }
            items.swapAt(k, p); k = p
        }
    }

    mutating func pop() -> Item? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return first }
        items[0] = last
        var k = 0
        let n = items.count
        while true {
            let l = 2 * k + 1, r = l + 1
            var m = k
            if l < n && Self.less(items[l], items[m]) { m = l }
            if r < n && Self.less(items[r], items[m]) { m = r }
            if m == k { break }
            items.swapAt(k, m); k = m
        }
        return first
    }

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }
}
