import Foundation
import Testing
@testable import SAEKit

/// The dense and sparse+certified solvers against brute force, scipy's fixtures and each other.
@Suite struct AssignmentSolverTests {
    /// Best total over all injective maps by enumeration (rows ≤ cols or transposed).
    static func bruteForce(_ c: [Double], rows: Int, cols: Int, maximize: Bool) -> Double {
        if rows > cols {
            var t = [Double](repeating: 0, count: rows * cols)
            for i in 0..<rows { for j in 0..<cols { t[j * rows + i] = c[i * cols + j] } }
            return bruteForce(t, rows: cols, cols: rows, maximize: maximize)
        }
        var best = maximize ? -Double.infinity : Double.infinity
        var used = [Bool](repeating: false, count: cols)
        func go(_ i: Int, _ acc: Double) {
            if i == rows { best = maximize ? max(best, acc) : min(best, acc); return }
            for j in 0..<cols where !used[j] {
                used[j] = true; go(i + 1, acc + c[i * cols + j]); used[j] = false
            }
        }
        go(0, 0)
        return best
    }

    @Test func denseEqualsBruteForceOnSmallCases() throws {
        let seed: UInt64 = 7
        print("denseEqualsBruteForce seed \(seed)")
        var rng = SeededRNG(seed: seed)
        for trial in 0..<400 {
            let r = 1 + Int(rng.next() % 7), c = 1 + Int(rng.next() % 7)
            // Some cases with heavy ties (few distinct values).
            let ties = trial % 4 == 0
            let cost = (0..<(r * c)).map { _ in ties ? Double(rng.next() % 3) : rng.nextDouble() * 2 - 1 }
            for maximize in [false, true] {
                let sol = try DenseLSAP.solve(cost: cost, rows: r, cols: c, maximize: maximize)
                let bf = Self.bruteForce(cost, rows: r, cols: c, maximize: maximize)
                #expect(abs(sol.total - bf) < 1e-9, "trial \(trial) \(r)x\(c) max=\(maximize): \(sol.total) vs \(bf)")
                // Injective, and the right number of assignments.
                let assigned = sol.columnForRow.filter { $0 >= 0 }
                #expect(Set(assigned).count == assigned.count && assigned.count == min(r, c))
                try Self.checkDuals(sol, cost: cost, maximize: maximize)
            }
        }
    }

    /// Duals feasible, tight on the assignment, v ≤ 0 and 0 on free columns (rows ≤ cols case).
    static func checkDuals(_ s: AssignmentSolution, cost: [Double], maximize: Bool) throws {
        guard s.rows <= s.cols else { return }
        for i in 0..<s.rows {
            for j in 0..<s.cols {
                let c = maximize ? -cost[i * s.cols + j] : cost[i * s.cols + j]
                let rc = c - s.u[i] - s.v[j]
                #expect(rc >= -1e-9)
                if s.columnForRow[i] == j { #expect(abs(rc) < 1e-9) }
            }
        }
        let used = Set(s.columnForRow)
        for j in 0..<s.cols { #expect(s.v[j] <= 1e-12); if !used.contains(j) { #expect(s.v[j] == 0) } }
    }

    @Test func constantMatrixGivesIdentity() throws {
        let s = try DenseLSAP.solve(cost: [Double](repeating: 1, count: 16), rows: 4, cols: 4)
        #expect(s.columnForRow == [0, 1, 2, 3])
    }

    @Test(arguments: ["300x300", "200x300"]) func denseMatchesScipyFixtures(name: String) throws {
        let st = try SafetensorsFile(path: TestPaths.fixture("matching/solver_cases.safetensors").path)
        let json = try JSONValue.parse(contentsOf: TestPaths.fixture("matching/matching.json"))
        let m = try st.matrix("cost_\(name)")
        for mode in ["min", "max"] {
            let sol = try DenseLSAP.solve(cost: m.data, rows: m.rows, cols: m.cols, maximize: mode == "max")
            let ref = json["solver_cases"]?["\(name)_\(mode)"]?["total_cost"]?.doubleValue ?? .nan
            #expect(abs(sol.total - ref) < 1e-5, "\(name) \(mode): \(sol.total) vs scipy \(ref)")
            // The fixtures' optima are unique (gap ≥ 2e-6), so the assignment itself must agree.
            #expect(sol.columnForRow.map(Int64.init) == (try st.int64s("col_\(name)_\(mode)")))
        }
    }

    /// Dense maximisation of S = a·bᵀ computed the same way the stream computes it.
    static func denseReference(_ a: Matrix, _ b: Matrix) throws -> AssignmentSolution {
        var s = [Float](repeating: 0, count: a.rows * b.rows)
        CosineStream(a: a, b: b).forEachBlock { r0, n, blk in
            for k in 0..<(n * b.rows) { s[r0 * b.rows + k] = blk[k] }
        }
        return try DenseLSAP.solve(cost: s, rows: a.rows, cols: b.rows, maximize: true)
    }

    static func randomUnit(_ rows: Int, _ d: Int, _ rng: inout SeededRNG) -> Matrix {
        var m = Matrix(rows: rows, cols: d, data: rng.gaussians(rows * d))
        m.normalizeRows()
        return m
    }

    @Test func sparseCertifiedEqualsDense() throws {
        let seed: UInt64 = 11
        print("sparseCertifiedEqualsDense seed \(seed)")
        var rng = SeededRNG(seed: seed)
        // Random (chance-level) and structured (shared directions + noise, some permuted) pairs,
        // square and rectangular both ways.
        for (mA, mB, d, structured) in [(50, 50, 16, false), (200, 200, 32, false), (120, 300, 24, false),
                                        (300, 120, 24, true), (400, 400, 32, true), (257, 257, 8, false)] {
            let a = Self.randomUnit(mA, d, &rng)
            var b = Self.randomUnit(mB, d, &rng)
            if structured {
                let perm = rng.permutation(mB)
                for j in 0..<min(mA, mB) / 2 {
                    for t in 0..<d { b[perm[j], t] = a[j, t] + 0.3 * rng.nextGaussian() / Float(d).squareRoot() }
                }
                b.normalizeRows()
            }
            let dense = try Self.denseReference(a, b)
            var opts = CertifiedAssignment.Options(candidates: 4)
            opts.memoryBudgetFloats = 64 * mB   // several blocks even at these sizes
            if structured { opts.cacheLimitFloats = 0 }   // stream every pass (no kept S)
            let cert = try CertifiedAssignment.solve(a: a, b: b, options: opts)
            #expect(abs(cert.solution.total - dense.total) < 1e-9, "\(mA)x\(mB): \(cert.solution.total) vs \(dense.total)")
            #expect(cert.solution.columnForRow == dense.columnForRow, "\(mA)x\(mB) assignment differs")
        }
    }

    @Test func certificationAddsEdgesWhenCandidatesTooFew() throws {
        var rng = SeededRNG(seed: 5)
        print("certificationAddsEdges seed 5")
        let a = Self.randomUnit(300, 12, &rng), b = Self.randomUnit(300, 12, &rng)
        var opts = CertifiedAssignment.Options(candidates: 1)
        opts.addPerRow = 2
        opts.cacheLimitFloats = 0
        let cert = try CertifiedAssignment.solve(a: a, b: b, options: opts)
        let dense = try Self.denseReference(a, b)
        #expect(cert.stats.addedEdges > 0 && cert.stats.solves >= 2, "stats \(cert.stats)")
        #expect(cert.stats.certifiedByBound, "the warm re-solve should be certified by the dual-shift bound here")
        #expect(abs(cert.solution.total - dense.total) < 1e-9)
        #expect(cert.solution.columnForRow == dense.columnForRow)
        // Without the near-tight margin the dual-shift bound rarely holds: more passes, same optimum.
        opts.margin = 0
        let strict = try CertifiedAssignment.solve(a: a, b: b, options: opts)
        #expect(strict.stats.passes > 2 && strict.solution.columnForRow == dense.columnForRow, "stats \(strict.stats)")
        // Rectangular (no warm start), both orientations.
        let c = Self.randomUnit(180, 12, &rng)
        for (x, y) in [(c, b), (b, c)] {
            let r = try CertifiedAssignment.solve(a: x, b: y, options: opts)
            let dr = try Self.denseReference(x, y)
            #expect(r.stats.addedEdges > 0 && r.solution.columnForRow == dr.columnForRow && abs(r.solution.total - dr.total) < 1e-9)
        }
    }

    @Test func zeroRowsHaveZeroSimilarity() throws {
        var rng = SeededRNG(seed: 3)
        var a = Self.randomUnit(40, 8, &rng)
        for t in 0..<8 { a[5, t] = 0 }
        let b = Self.randomUnit(40, 8, &rng)
        let cert = try CertifiedAssignment.solve(a: a, b: b, options: .init(candidates: 3))
        let dense = try Self.denseReference(a, b)
        #expect(abs(cert.solution.total - dense.total) < 1e-9)
        #expect(cert.scan.rowMax.value[5] == 0)
    }
}
