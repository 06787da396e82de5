import Foundation

/// Requests activation agreement between latents of two SAEs profiled in the same pass.
public struct AgreementRequest: Sendable, Equatable {
    /// Indices into the pass's SAE list.
    public var a: Int, b: Int
    /// Latent pairs (latent of A, latent of B).
    public var pairs: [LatentPair]
    public init(a: Int, b: Int, pairs: [LatentPair]) { self.a = a; self.b = b; self.pairs = pairs }
    /// All matched pairs of an assignment (`assignment[i]` = partner of A's latent i in B, or −1).
    public init(a: Int, b: Int, assignment: [Int]) {
        self.init(a: a, b: b, pairs: assignment.enumerated().compactMap { $1 >= 0 ? LatentPair(a: $0, b: $1) : nil })
    }
}

/// A pair of latents, one from each of two SAEs.
public struct LatentPair: Sendable, Equatable, Hashable {
    public var a: Int, b: Int
    public init(a: Int, b: Int) { self.a = a; self.b = b }
}

/// Progress of a pass, reported after every block.
public struct ProfileProgress: Sendable {
    public var rowsDone: Int, rowsTotal: Int
    public var fraction: Double { rowsTotal == 0 ? 1 : Double(rowsDone) / Double(rowsTotal) }
}

/// The result of a pass: one profile per SAE (in memory; `write(to:)` stores it) and the agreements.
public struct ProfileRun: Sendable {
    public var profiles: [ProfileStore]
    /// One array per request, in request order, one entry per pair.
    public var agreements: [[PairAgreement]]
    /// Wall time of the pass in seconds (without building the stores).
    public var seconds: Double
    /// Wall time of the pass's phases.
    public var timings: ProfileTimings
}

/// Where a pass spent its wall time, in seconds.
public struct ProfileTimings: Sendable {
    /// Reading (and converting) activation rows.
    public var read = 0.0
    /// Encoder sgemm (with the b_dec subtraction and bias broadcast).
    public var encode = 0.0
    /// Per-row selection of firing entries.
    public var select = 0.0
    /// Per-latent bookkeeping (stats, histograms, heaps, reservoirs) and agreement sums.
    public var bookkeeping = 0.0
    /// Building the stores after the pass.
    public var finalize = 0.0
}

/// Firing statistics and top-activating examples for every latent of one or more SAEs, in one
/// streaming pass over the activations (DESIGN.md "Profiling"; issue 7).
///
/// Each block of whole windows is read once and encoded by every SAE (one sgemm each); only the
/// firing entries (TopK: k per token) touch per-latent state: counts, sums, max, a log-spaced
/// histogram, the top-K windows (keyed by the window's max activation, one entry per window),
/// equal-width interval samples and equal-count quantile samples, each with the per-token
/// activations of the latent over ±context tokens around the window's max.
public enum Profiler {
    /// Profiles `saes` over `input`. `progress` is called after every block; return false to cancel
    /// (throws `CancellationError`).
    /// - Complexity: time O(N·m·d) for the sgemms plus O(nnz) bookkeeping; memory O(P·m + B·k + m·(K + samples)·span)
    ///   for P panel rows, B block rows and k firing entries per row.
    public static func run(_ saes: [SparseAutoencoder], input: ProfileInput, config: ProfileConfig = ProfileConfig(),
                           agreements: [AgreementRequest] = [],
                           progress: ((ProfileProgress) -> Bool)? = nil) throws -> ProfileRun {
        try config.validate()
        let t0 = DispatchTime.now().uptimeNanoseconds
        let src = input.source, d = src.dim, T = input.windowLength, N = src.rowCount
        guard !saes.isEmpty else { throw SeedScopeError.usage("profile: no SAE given") }
        for sae in saes where sae.dIn != d {
            throw SeedScopeError.invalid(file: sae.info.path, message: "SAE expects d=\(sae.dIn) but \(input.path.isEmpty ? "the data" : input.path) has d=\(d)")
        }
        for r in agreements {
            guard saes.indices.contains(r.a), saes.indices.contains(r.b) else { throw SeedScopeError.usage("agreement: SAE index out of range") }
            for p in r.pairs where !(0..<saes[r.a].numLatents).contains(p.a) || !(0..<saes[r.b].numLatents).contains(p.b) {
                throw SeedScopeError.usage("agreement: latent pair (\(p.a), \(p.b)) out of range")
            }
        }
        let threads = max(1, config.threads)
        let blockWindows = max(1, config.blockRows / T)
        let cap = blockWindows * T
        let panel = config.panelRows(latents: saes.map(\.numLatents).max() ?? 1, blockRows: cap)
        let encoders = try saes.map { try BlockEncoder(sae: $0, capacity: cap, panel: panel, threads: threads) }
        let accs = saes.map { LatentAccumulator(m: $0.numLatents, windowLength: T, totalRows: N, config: config, threads: threads) }
        let agree = agreements.map { AgreementAccumulator($0, saes: saes) }
        let x = UnsafeMutablePointer<Float>.allocate(capacity: panel * d)
        defer { x.deallocate() }
        let profiledRows = rawBuffer(panel, false)
        defer { profiledRows.deallocate() }
        var row0 = 0
        var tm = ProfileTimings()
        var clock = DispatchTime.now().uptimeNanoseconds
        func lap(_ field: WritableKeyPath<ProfileTimings, Double>) {
            let now = DispatchTime.now().uptimeNanoseconds
            tm[keyPath: field] += Double(now - clock) / 1e9; clock = now
        }
        while row0 < N {
            // A block (whole windows) is encoded panel by panel; its firing entries then update
            // the per-latent state in one sweep. Large blocks matter: every sweep streams all
            // per-latent state (heaps, reservoirs, histograms) through the cache once.
            let n = min(cap, N - row0)
            for e in encoders { e.reset() }
            var p0 = 0
            while p0 < n {
                let pn = min(panel, n - p0), first = row0 + p0
                try readPanel(input, first..<(first + pn), into: x, profiled: profiledRows)
                lap(\.read)
                for e in encoders { e.encodePanel(x: x, n: pn, profiled: profiledRows) }
                clock = DispatchTime.now().uptimeNanoseconds
                p0 += pn
                // The block's last panel is reported after its bookkeeping, so "all rows done"
                // means the pass's work is done.
                if p0 < n, let p = progress, !p(ProfileProgress(rowsDone: first + pn, rowsTotal: N)) { throw CancellationError() }
            }
            for e in encoders { tm.encode += e.encodeSeconds; tm.select += e.selectSeconds }
            clock = DispatchTime.now().uptimeNanoseconds
            for (e, acc) in zip(encoders, accs) {
                let m = acc.m
                let box = UnsafeSendable((acc, e, row0))
                DispatchQueue.concurrentPerform(iterations: threads) { t in
                    let (acc, e, row0) = box.value
                    acc.update(block: e, firstRow: row0, latents: t * m / threads, (t + 1) * m / threads, thread: t)
                }
            }
            for g in agree { g.update(encoders[g.request.a], encoders[g.request.b]) }
            lap(\.bookkeeping)
            row0 += n
            if let p = progress, !p(ProfileProgress(rowsDone: row0, rowsTotal: N)) { throw CancellationError() }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let profiled = input.profiledTokenCount
        let stores = try zip(saes, accs).map { sae, acc in
            try ProfileBuilder(acc: acc, sae: sae, input: input, config: config, seconds: seconds).build()
        }
        tm.finalize = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 - seconds
        let results = agree.map { g in
            g.results(statsA: accs[g.request.a], statsB: accs[g.request.b], tokens: profiled,
                      topA: stores[g.request.a], topB: stores[g.request.b])
        }
        return ProfileRun(profiles: stores, agreements: results, seconds: seconds, timings: tm)
    }

    /// Profiles one SAE over a dataset.
    public static func profile(_ sae: SparseAutoencoder, dataset: ActivationDataset, config: ProfileConfig = ProfileConfig(),
                               progress: ((ProfileProgress) -> Bool)? = nil) throws -> ProfileStore {
        try run([sae], input: ProfileInput(dataset: dataset, flatWindowLength: config.flatWindowLength), config: config,
                progress: progress).profiles[0]
    }

    /// Reads `rows` into `x` (`[rows.count × d]`) and marks which are profiled (not at an excluded
    /// position); throws on a NaN/Inf in a profiled row. The check is vectorised: a scalar
    /// `acc += x·0` chain here cost ~0.6 µs per row, 2% of the pass, on the single reading thread.
    static func readPanel(_ input: ProfileInput, _ rows: Range<Int>, into x: UnsafeMutablePointer<Float>,
                          profiled: UnsafeMutablePointer<Bool>) throws {
        let d = input.source.dim, T = input.windowLength
        try input.source.readRows(rows, into: x)
        for r in 0..<rows.count {
            let row = rows.lowerBound + r
            profiled[r] = !input.excludedPositions.contains(row % T)
            if profiled[r], ActivationDataset.firstNonFinite(x + r * d, count: d) != nil {
                throw SeedScopeError.invalid(file: input.path.isEmpty ? "activations" : input.path, message: "NaN or infinite activation in row \(row)")
            }
        }
    }
}
