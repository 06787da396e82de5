import Dispatch
import Foundation

/// Exact maximum-similarity assignment between the rows of two direction matrices without ever
/// holding the similarity matrix: a sparse solve on candidate edges, certified by a streamed pass.
///
/// ## Why the result equals the dense optimum
/// Work in the minimisation form `c_ij = −s_ij` with `nr ≤ nc` (the caller's matrices are swapped
/// otherwise). Expand the problem with one private dummy column per row of cost `F = 2·nr + 2`, so a
/// full row assignment always exists on the sparse graph. `SparseLSAP` returns an assignment and duals
/// `(u, v)` that are feasible on every edge of the sparse graph (`c_ij − u_i − v_j ≥ 0`), tight on the
/// assigned edges, with `v ≤ 0` and `v = 0` on free columns (Crouse 2016, §III; the rectangular LP
/// dual, Burkard, Dell'Amico & Martello, *Assignment Problems*, SIAM 2009, §4.1 and §5.4.4).
/// The certification pass recomputes every `s_ij` block by block (bit-identical to the first pass)
/// and checks `c_ij − u_i − v_j ≥ −τ` for every edge *not* in the graph (τ = 1e-12 absorbs Double
/// round-off of the potentials, and only makes the check stricter). If no edge violates, `(u, v)` is
/// feasible for the complete expanded problem and its objective equals the assignment's cost, so by
/// LP weak duality the assignment is optimal for the complete expanded problem. An optimal assignment
/// of that problem uses no dummy: any real full assignment costs ≤ nr, one with a dummy costs
/// ≥ F − (nr − 1) > nr. Restricted to the real columns it is therefore optimal for the dense problem
/// (the same optimum scipy's `linear_sum_assignment` finds, up to ties). Violating edges (at most K per
/// row, the most violated first) are added and the sparse problem re-solved; edges are only ever added,
/// so the loop terminates.
///
/// ## Skipping the last pass (square problems)
/// The pass also records, per row, a lower bound R_i on the reduced cost of every pruned edge it did
/// not add (the near-tight margin, or the least reduced cost its bounded list rejected). The re-solve is
/// warm-started from the previous duals; its repair step only lowers u, and Dijkstra's dual updates
/// only raise u and lower v. So for each pruned edge the new reduced cost is ≥ R_i − Δu_i, and if
/// R_i ≥ Δu_i for every row (and no row is on a fallback, so every real column is matched), the new
/// duals are feasible on the complete problem: the re-solve is certified without streaming S again.
/// At scale the streamed passes are nearly all the cost, so this turns 3 passes per direction into 2.
/// `SEEDSCOPE_DEBUG_LSAP=1` prints each round.
public enum CertifiedAssignment {
    /// Options of the certified solve.
    public struct Options: Sendable {
        /// Candidates kept per row and per column in the first pass (C).
        public var candidates: Int = 32
        /// Violating edges added per row per round.
        public var addPerRow: Int = 64
        /// Near-tight edges (reduced cost below this) are added along with the violating ones, so that
        /// the re-solve's shifted duals rarely need another round.
        public var margin: Double = 0.05
        /// Round limit (each round is one streamed pass).
        public var maxRounds: Int = 50
        /// Threads for the bookkeeping around sgemm.
        public var threads: Int = 2
        /// Block buffer budget in floats.
        public var memoryBudgetFloats: Int = 32 << 20
        /// Keep S in memory between passes when mA·mB ≤ this (floats); 0 streams every pass.
        public var cacheLimitFloats: Int = 384 << 20
        public init(candidates: Int = 32) { self.candidates = candidates }
    }

    /// What the solve did, for reports and tests.
    public struct Stats: Sendable, Equatable, Codable {
        /// Streamed passes over S (1 scan + 1 per certification round).
        public var passes = 0
        /// Sparse solves.
        public var solves = 0
        /// Edges in the first sparse graph.
        public var initialEdges = 0
        /// Edges added by certification, over all rounds.
        public var addedEdges = 0
        /// Rows on a fallback column after the first solve.
        public var initialFallbackRows = 0
        /// The last re-solve was certified by the dual-shift bound instead of another pass.
        public var certifiedByBound = false
        public init() {}
    }

    /// The certified assignment and the first pass's candidates/max cosines, in the caller's
    /// orientation.
    public struct Result: Sendable {
        /// Maximisation of total similarity; `u`, `v` are the duals of `−S`.
        public var solution: AssignmentSolution
        /// Top candidates and max cosines of both sides.
        public var scan: SimilarityScan
        public var stats: Stats
    }

    /// Solves `max Σ_i S[i, σ(i)]`, `S = aᵀ-rows · b-rows`, exactly. `a` `[mA × d]`, `b` `[mB × d]`
    /// must have unit (or zero) rows.
    /// - Complexity: (1 + rounds) · O(mA·mB·d) flops streamed; O((mA + mB)·C) memory besides the
    ///   inputs and one block.
    public static func solve(a: Matrix, b: Matrix, options: Options = Options(),
                             progress: ((String, Double) -> Void)? = nil) throws -> Result {
        if a.rows > b.rows {
            let t = try solve(a: b, b: a, options: options, progress: progress)
            let sol = t.solution
            var cfr = [Int](repeating: -1, count: a.rows)
            for (j, i) in sol.columnForRow.enumerated() where i >= 0 { cfr[i] = j }
            return Result(solution: AssignmentSolution(rows: a.rows, cols: b.rows, columnForRow: cfr, total: sol.total,
                                                       u: sol.v, v: sol.u),
                          scan: SimilarityScan(rowTop: t.scan.colTop, colTop: t.scan.rowTop), stats: t.stats)
        }
        let nr = a.rows, nc = b.rows
        let stream = CosineStream(a: a, b: b, memoryBudgetFloats: options.memoryBudgetFloats,
                                  cacheLimitFloats: options.cacheLimitFloats)
        var stats = Stats()
        let scan = stream.scan(candidates: options.candidates, threads: options.threads) { progress?("scan", $0) }
        stats.passes = 1
        if nr == 0 {
            return Result(solution: AssignmentSolution(rows: 0, cols: nc, columnForRow: [], total: 0, u: [], v: [Double](repeating: 0, count: nc)),
                          scan: scan, stats: stats)
        }
        // Candidate edges: each row's top C, plus each column's top C (so every column has edges).
        var edges = [[(col: Int, cost: Double)]](repeating: [], count: nr)
        for i in 0..<nr {
            for s in 0..<scan.rowTop.count {
                let j = scan.rowTop.indices[i * scan.rowTop.count + s]
                if j >= 0 { edges[i].append((Int(j), -Double(scan.rowTop.values[i * scan.rowTop.count + s]))) }
            }
        }
        for j in 0..<nc {
            for s in 0..<scan.colTop.count {
                let i = scan.colTop.indices[j * scan.colTop.count + s]
                if i >= 0 { edges[Int(i)].append((j, -Double(scan.colTop.values[j * scan.colTop.count + s]))) }
            }
        }
        var graph = SparseCostGraph(rows: nr, cols: nc, edges: edges)
        stats.initialEdges = graph.edgeCount
        let fallback = Double(2 * nr + 2)
        let debug = ProcessInfo.processInfo.environment["SEEDSCOPE_DEBUG_LSAP"] != nil
        func finish(_ sol: SparseLSAP.Solution) -> Result {
            var total = 0.0
            var cfr = sol.columnForRow
            for i in 0..<nr {
                let j = cfr[i]
                total -= edgeCost(graph, i, j)
                if j >= nc { cfr[i] = -1 }
            }
            return Result(solution: AssignmentSolution(rows: nr, cols: nc, columnForRow: cfr, total: total,
                                                       u: sol.u, v: Array(sol.v[0..<nc])),
                          scan: scan, stats: stats)
        }
        var t0 = DispatchTime.now().uptimeNanoseconds
        var sol = SparseLSAP.solve(graph, fallbackCost: fallback)
        stats.solves = 1
        stats.initialFallbackRows = sol.fallbackRows
        for round in 0..<options.maxRounds {
            let t1 = DispatchTime.now().uptimeNanoseconds
            if debug { print("solve \(round): \(graph.edgeCount) edges, \(Double(t1 - t0) / 1e9) s, fallback rows \(sol.fallbackRows)") }
            let found = violations(stream: stream, graph: graph, u: sol.u, v: sol.v, perRow: options.addPerRow,
                                   margin: options.margin, threads: options.threads) { progress?("certify", $0) }
            stats.passes += 1
            let added = found.edges
            let addCount = added.reduce(0) { $0 + $1.count }
            if debug { print("certify \(round): \(Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9) s, \(found.violating) violating, \(addCount) added") }
            if found.violating == 0 {
                guard sol.fallbackRows == 0 else { throw AssignmentError.notCertified(rounds: round + 1) }
                return finish(sol)
            }
            stats.addedEdges += addCount
            // Rebuild from the previous graph plus the new edges.
            var next = [[(col: Int, cost: Double)]](repeating: [], count: nr)
            for i in 0..<nr {
                for e in graph.rowStart[i]..<graph.rowStart[i + 1] { next[i].append((Int(graph.colIndex[e]), graph.cost[e])) }
                next[i] += added[i]
            }
            graph = SparseCostGraph(rows: nr, cols: nc, edges: next)
            t0 = DispatchTime.now().uptimeNanoseconds
            stats.solves += 1
            if nr == nc && sol.fallbackRows == 0 {
                // Square: warm start from the previous duals. Only Dijkstra updates follow the
                // feasibility repair, and those never increase v, so for every pruned edge
                // r'_ij = r_ij − Δu_i − Δv_j ≥ R_i − Δu_i, where R_i bounds the reduced costs (under
                // the old duals) of row i's edges the pass saw but did not add. If R_i ≥ Δu_i for
                // every row, the new duals are feasible on the complete problem: certified without
                // another pass.
                let warm = SparseLSAP.solve(graph, fallbackCost: fallback, warmStart: sol)
                var ok = warm.fallbackRows == 0
                if ok {
                    for i in 0..<nr where found.prunedBound[i] - (warm.u[i] - sol.u[i]) < -1e-12 { ok = false; break }
                }
                // A warm solve that leaves rows on fallbacks also leaves real columns free, possibly with
                // v < 0, which voids the rectangular dual argument: redo it from scratch then.
                sol = warm.fallbackRows == 0 ? warm : SparseLSAP.solve(graph, fallbackCost: fallback)
                if ok {
                    stats.certifiedByBound = true
                    if debug { print("re-solve certified by the dual-shift bound") }
                    return finish(sol)
                }
            } else {
                // Rectangular (or fallbacks in use): a column freed by the repair could end free with
                // v < 0, which the rectangular dual forbids, so re-solve from scratch and certify with a pass.
                sol = SparseLSAP.solve(graph, fallbackCost: fallback)
            }
        }
        throw AssignmentError.notCertified(rounds: options.maxRounds)
    }

    static func edgeCost(_ g: SparseCostGraph, _ i: Int, _ j: Int) -> Double {
        for e in g.rowStart[i]..<g.rowStart[i + 1] where Int(g.colIndex[e]) == j { return g.cost[e] }
        return 0
    }

    /// One streamed pass: for every edge not in `graph`, the reduced cost `−s − u_i − v_j`; returns
    /// per row the (at most `perRow`) most negative ones below −τ as new edges.
    struct Violations {
        var edges: [[(col: Int, cost: Double)]]
        var violating: Int
        /// `[nr]` lower bound on the reduced cost (old duals) of every edge of row i that is neither in
        /// the graph nor added: the margin, or the least reduced cost the bounded list rejected.
        var prunedBound: [Double]
    }

    static func violations(stream: CosineStream, graph: SparseCostGraph, u: [Double], v: [Double], perRow: Int,
                           margin: Double, threads: Int, progress: (Double) -> Void) -> Violations {
        let nr = stream.a.rows, nc = stream.b.rows
        let tau = 1e-12
        let k = max(1, perRow)
        let mg = max(0, margin)
        let maxAbsV = v.prefix(nc).reduce(0.0) { max($0, abs($1)) }
        // Float pre-filter: violation ⇔ s + v_j > −u_i + τ. In Float, s + Float(v_j) can be off by
        // a few ulps of (|v_j| + 1); the slack is far larger, and the exact test is done in Double.
        let vF = (0..<nc).map { Float(v[$0]) }
        var out = [[(col: Int, cost: Double)]](repeating: [], count: nr)
        var vioAmount = [Double](repeating: 0, count: nr * k)
        var vioCol = [Int32](repeating: -1, count: nr * k)
        var vioCost = [Double](repeating: 0, count: nr * k)
        var rejected = [Double](repeating: mg - tau, count: nr)
        vioAmount.withUnsafeMutableBufferPointer { amt in
            vioCol.withUnsafeMutableBufferPointer { vc in
                vioCost.withUnsafeMutableBufferPointer { cst in
                    vF.withUnsafeBufferPointer { vfp in
                      rejected.withUnsafeMutableBufferPointer { rj in
                        let h = ViolationBuffers(amount: amt.baseAddress!, col: vc.baseAddress!, cost: cst.baseAddress!,
                                                 vF: vfp.baseAddress!, rejected: rj.baseAddress!, k: k)
                        stream.forEachBlock { r0, n, blk in
                            let block = SendablePointer(blk)
                            DispatchQueue.concurrentPerform(iterations: max(1, threads)) { part in
                                let lo = part * n / max(1, threads), hi = (part + 1) * n / max(1, threads)
                                for r in lo..<hi {
                                    let i = r0 + r
                                    let slack = Float(1e-5 + mg + 1e-6 * (abs(u[i]) + maxAbsV))
                                    let bar = Float(-u[i]) - slack
                                    let row = block.p + r * nc
                                    let barV = SIMD16<Float>(repeating: bar)
                                    var j = 0
                                    while j + 16 <= nc {
                                        let s = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<Float>.self)
                                        let w = UnsafeRawPointer(h.vF + j).loadUnaligned(as: SIMD16<Float>.self)
                                        if any(s + w .> barV) {
                                            for q in j..<(j + 16) { h.check(i, q, row[q], u[i], v[q], tau, mg, graph) }
                                        }
                                        j += 16
                                    }
                                    while j < nc {
                                        if row[j] + h.vF[j] > bar { h.check(i, j, row[j], u[i], v[j], tau, mg, graph) }
                                        j += 1
                                    }
                                }
                            }
                            progress(Double(r0 + n) / Double(max(nr, 1)))
                        }
                      }
                    }
                }
            }
        }
        var violating = 0
        for i in 0..<nr {
            for s in 0..<k where vioCol[i * k + s] >= 0 {
                out[i].append((Int(vioCol[i * k + s]), vioCost[i * k + s]))
                if vioAmount[i * k + s] > tau { violating += 1 }
            }
        }
        return Violations(edges: out, violating: violating, prunedBound: rejected)
    }
}

/// Per-row bounded lists of the most violated pruned edges (one thread per row at a time).
struct ViolationBuffers: @unchecked Sendable {
    let amount: UnsafeMutablePointer<Double>
    let col: UnsafeMutablePointer<Int32>
    let cost: UnsafeMutablePointer<Double>
    let vF: UnsafePointer<Float>
    /// `[nr]` least reduced cost among edges that passed the margin test but were not kept.
    let rejected: UnsafeMutablePointer<Double>
    let k: Int

    @inline(never)
    func check(_ i: Int, _ j: Int, _ s: Float, _ ui: Double, _ vj: Double, _ tau: Double, _ margin: Double, _ graph: SparseCostGraph) {
        let c = -Double(s)
        let amt = ui + vj - c          // −(reduced cost)
        if !(amt > tau - margin) || graph.contains(row: i, col: j) { return }
        // Replace the least violated slot (or an empty one, whose column is −1).
        let base = i * k
        var m = 0
        for t in 0..<k {
            if col[base + t] < 0 { m = t; break }
            if amount[base + t] < amount[base + m] { m = t }
        }
        if col[base + m] >= 0 && amount[base + m] >= amt { rejected[i] = min(rejected[i], -amt); return }
        if col[base + m] >= 0 { rejected[i] = min(rejected[i], -amount[base + m]) }
        amount[base + m] = amt; col[base + m] = Int32(j); cost[base + m] = c
    }
}
