import Foundation

/// Progress of a matching job.
public struct MatchProgress: Sendable {
    /// e.g. "A vs B".
    public var pair: String
    /// "encoder scan", "encoder certify", "decoder scan", …
    public var stage: String
    /// Progress of the stage in [0, 1].
    public var fraction: Double
}

/// Matches two SAEs: encoder and decoder directions, each with an exact maximum-total-cosine
/// assignment run independently (paper §1.3), plus max cosines and a greedy alternative.
public enum PairMatcher {
    /// Which exact solver to use.
    public enum Method: String, Sendable, CaseIterable {
        /// Dense when mA·mB ≤ `denseLimit`, certified sparse otherwise.
        case auto
        /// Materialise S (Double) and run `DenseLSAP`.
        case dense
        /// Candidates + sparse solve + streamed certification (`CertifiedAssignment`).
        case sparse
    }

    /// Matching options.
    public struct Options: Sendable {
        public var method: Method = .auto
        /// Candidates per row and column (C) in the streamed pass.
        public var candidates: Int = 32
        /// Largest mA·mB solved densely under `.auto`.
        public var denseLimit: Int = 2048 * 2048
        /// Threads for the bookkeeping around sgemm.
        public var threads: Int = 2
        /// Certification: near-tight margin and edges added per row per round (`CertifiedAssignment.Options`).
        public var margin: Double = 0.05
        public var addPerRow: Int = 64
        /// Threshold recorded in the provenance.
        public var threshold: Float = 0.7
        public init() {}
    }

    /// Matches `a` against `b`. Throws a one-line error naming the file for different widths, empty
    /// SAEs or non-finite weights.
    /// - Complexity: 2·(1 + rounds) streamed passes of O(mA·mB·d) flops; O((mA + mB)·(d + C)) memory.
    public static func match(_ a: SparseAutoencoder, _ b: SparseAutoencoder, options: Options = Options(),
                             progress: (@Sendable (MatchProgress) -> Void)? = nil) throws -> PairMatch {
        try validate(a, b)
        let nameA = displayName(a), nameB = displayName(b)
        let pairName = "\(nameA) vs \(nameB)"
        let useDense = options.method == .dense || (options.method == .auto && a.numLatents * b.numLatents <= options.denseLimit)
        var stats: [CertifiedAssignment.Stats?] = []
        var dirs: [DirectionMatch] = []
        for (label, ma, mb) in [("encoder", a.encoder, b.encoder), ("decoder", a.decoder, b.decoder)] {
            let ua = ma.rowNormalized(), ub = mb.rowNormalized()
            let report: (String, Double) -> Void = { stage, f in progress?(MatchProgress(pair: pairName, stage: "\(label) \(stage)", fraction: f)) }
            if useDense {
                let (dm, _) = try denseDirection(ua, ub, candidates: options.candidates, threads: options.threads, report: report)
                dirs.append(dm); stats.append(nil)
            } else {
                var o = CertifiedAssignment.Options(candidates: options.candidates)
                o.threads = options.threads
                o.margin = options.margin
                o.addPerRow = options.addPerRow
                let r = try CertifiedAssignment.solve(a: ua, b: ub, options: o, progress: report)
                dirs.append(direction(from: r.solution, scan: r.scan))
                stats.append(r.stats)
            }
        }
        let prov = MatchProvenance(hashA: SAEFingerprint.of(a), hashB: SAEFingerprint.of(b),
                                   pathA: a.info.path, pathB: b.info.path, threshold: options.threshold)
        var pm = PairMatch(nameA: nameA, nameB: nameB, mA: a.numLatents, mB: b.numLatents, dIn: a.dIn,
                           encoder: dirs[0], decoder: dirs[1], method: useDense ? "dense" : "certified-sparse",
                           provenance: prov)
        pm.encoderStats = stats[0]; pm.decoderStats = stats[1]
        return pm
    }

    /// Dense path: one scan for max cosines/candidates, S materialised for `DenseLSAP`.
    static func denseDirection(_ ua: Matrix, _ ub: Matrix, candidates: Int, threads: Int,
                               report: (String, Double) -> Void) throws -> (DirectionMatch, AssignmentSolution) {
        let stream = CosineStream(a: ua, b: ub)
        let scan = stream.scan(candidates: min(candidates, max(ub.rows, 1)), threads: threads) { report("scan", $0) }
        var s = [Double](repeating: 0, count: ua.rows * ub.rows)
        let mB = ub.rows
        stream.forEachBlock { r0, n, blk in
            for k in 0..<(n * mB) { s[r0 * mB + k] = Double(blk[k]) }
        }
        report("solve", 0)
        let sol = try DenseLSAP.solve(cost: s, rows: ua.rows, cols: ub.rows, maximize: true)
        report("solve", 1)
        var dm = direction(from: sol, scan: scan)
        // Matched cosines straight from S (identical values to the stream's).
        for (i, j) in sol.columnForRow.enumerated() where j >= 0 { dm.matched[i] = Float(s[i * mB + j]) }
        return (dm, sol)
    }

    /// Builds a `DirectionMatch` from an assignment (maximisation; matched cosines are recovered from
    /// the duals' tight edges via the candidate lists where possible, else from the dual sum).
    static func direction(from sol: AssignmentSolution, scan: SimilarityScan) -> DirectionMatch {
        let mA = sol.rows
        var matched = [Float](repeating: .nan, count: mA)
        // On an assigned edge the reduced cost is 0: s_ij = −(u_i + v_j) up to Double rounding; the
        // candidate lists hold the exact Float value when the edge is among them.
        for i in 0..<mA {
            let j = sol.columnForRow[i]
            guard j >= 0 else { continue }
            var found: Float? = nil
            let c = scan.rowTop.count
            for t in 0..<c where Int(scan.rowTop.indices[i * c + t]) == j { found = scan.rowTop.values[i * c + t] }
            if found == nil {
                let cc = scan.colTop.count
                for t in 0..<cc where Int(scan.colTop.indices[j * cc + t]) == i { found = scan.colTop.values[j * cc + t] }
            }
            matched[i] = found ?? (sol.u.isEmpty ? .nan : Float(-(sol.u[i] + sol.v[j])))
        }
        let g = Greedy.oneToOne(scan: scan)
        return DirectionMatch(assignment: sol.columnForRow, matched: matched, total: sol.total,
                              maxA: scan.rowMax, maxB: scan.colMax, greedy: g.partner, greedyCos: g.cos)
    }

    static func displayName(_ s: SparseAutoencoder) -> String {
        if !s.info.name.isEmpty { return s.info.name }
        if !s.info.path.isEmpty { return URL(fileURLWithPath: s.info.path).lastPathComponent }
        return "sae"
    }

    /// One-line checks naming the offending file.
    public static func validate(_ a: SparseAutoencoder, _ b: SparseAutoencoder) throws {
        for s in [a, b] {
            let where_ = s.info.path.isEmpty ? displayName(s) : s.info.path
            if s.numLatents == 0 || s.dIn == 0 {
                throw SeedScopeError.invalid(file: where_, message: "empty SAE (\(s.numLatents) latents, d=\(s.dIn))")
            }
            if let r = s.encoder.firstNonFiniteRow() {
                throw SeedScopeError.invalid(file: where_, message: "NaN or infinite encoder weights in latent \(r)")
            }
            if let r = s.decoder.firstNonFiniteRow() {
                throw SeedScopeError.invalid(file: where_, message: "NaN or infinite decoder weights in latent \(r)")
            }
        }
        if a.dIn != b.dIn {
            throw SeedScopeError.invalid(file: b.info.path.isEmpty ? displayName(b) : b.info.path,
                                         message: "input width d=\(b.dIn) differs from d=\(a.dIn) of \(a.info.path.isEmpty ? displayName(a) : a.info.path)")
        }
    }
}

/// Greedy one-to-one matching: take candidate edges by descending cosine, keep an edge when both
/// ends are still free. Over the candidate edges only (rows' and columns' top C), so a latent whose
/// candidates were all taken stays unmatched; with C ≥ m it is the exact greedy of the full matrix.
public enum Greedy {
    /// Greedy partners of the A latents.
    public struct Result: Sendable { public var partner: [Int]; public var cos: [Float] }

    /// - Complexity: O(E log E), E = (mA + mB)·C.
    public static func oneToOne(scan: SimilarityScan) -> Result {
        let mA = scan.rowTop.n, mB = scan.colTop.n
        var edges: [(Float, Int32, Int32)] = []
        edges.reserveCapacity((mA + mB) * scan.rowTop.count)
        let c = scan.rowTop.count
        for i in 0..<mA { for t in 0..<c where scan.rowTop.indices[i * c + t] >= 0 { edges.append((scan.rowTop.values[i * c + t], Int32(i), scan.rowTop.indices[i * c + t])) } }
        let cc = scan.colTop.count
        for j in 0..<mB { for t in 0..<cc where scan.colTop.indices[j * cc + t] >= 0 { edges.append((scan.colTop.values[j * cc + t], scan.colTop.indices[j * cc + t], Int32(j))) } }
        edges.sort { $0.0 != $1.0 ? $0.0 > $1.0 : ($0.1 != $1.1 ? $0.1 < $1.1 : $0.2 < $1.2) }
        var partner = [Int](repeating: -1, count: mA)
        var cos = [Float](repeating: .nan, count: mA)
        var taken = [Bool](repeating: false, count: mB)
        for (v, i, j) in edges where partner[Int(i)] < 0 && !taken[Int(j)] {
            partner[Int(i)] = Int(j); cos[Int(i)] = v; taken[Int(j)] = true
        }
        return Result(partner: partner, cos: cos)
    }
}
