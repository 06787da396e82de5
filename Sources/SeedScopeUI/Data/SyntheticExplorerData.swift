import Foundation
import Synchronization

/// An in-memory `ExplorerData` built from synthetic but realistic numbers: a bimodal matched-cosine
/// distribution (a stable majority near 0.9, a seed-unique tail), permuted latent ids per seed, dead
/// latents, log-uniform firing frequencies, and KJV-like token windows whose partner latents fire on the
/// same words. Used by tests, `seedscope-bench tui` and `seedscope tui --synthetic`.
///
/// Everything is a pure function of (run salt, seed, latent), so snapshots are stable; jobs advance with
/// the injected clock so tests can freeze time.
public final class SyntheticExplorerData: ExplorerData, @unchecked Sendable {
    /// The shape of one synthetic run.
    public struct Spec: Sendable {
        public var summary: RunSummary
        /// Fraction of latents that are stable across seeds (matched cosine ~0.9).
        public var stableFraction: Float
        /// Fraction of dead latents per seed.
        public var deadFraction: Float
        public init(summary: RunSummary, stableFraction: Float = 0.6, deadFraction: Float = 0.03) {
            self.summary = summary; self.stableFraction = stableFraction; self.deadFraction = deadFraction
        }
    }

    private struct SyntheticJob {
        var status: JobStatus
        var start: Double
        var duration: Double
        /// Run that appears (ready) when the job finishes.
        var produces: Spec?
        var failsWith: String?
    }

    private struct State {
        var specs: [Spec]
        var jobs: [SyntheticJob]
        var runCache: [String: RunData] = [:]
        var pairCache: [String: PairMatch] = [:]
        var revision = 1
        var nextJob = 1
    }

    private let state: Mutex<State>
    private let clock: @Sendable () -> Double

    /// - Parameters:
    ///   - specs: the runs; a run whose status is `.running`/`.queued` gets a job that finishes it.
    ///   - clock: seconds (monotonic); tests pass a frozen clock.
    public init(specs: [Spec], jobs: [JobStatus] = [], clock: @escaping @Sendable () -> Double = SyntheticExplorerData.wallClock) {
        self.clock = clock
        let now = clock()
        var js: [SyntheticJob] = []
        var n = 1
        for s in specs where s.summary.status == .running || s.summary.status == .queued {
            let p = s.summary.progress ?? 0.3
            let duration = 600.0
            var ready = s; ready.summary.status = .ready; ready.summary.progress = nil
            js.append(SyntheticJob(status: JobStatus(id: "job-\(n)", title: "train+match \(s.summary.name)",
                                                     state: s.summary.status == .running ? .running : .queued,
                                                     progress: p, eta: nil, message: ""),
                                   start: now - p * duration, duration: duration, produces: ready, failsWith: nil))
            n += 1
        }
        for j in jobs {
            js.append(SyntheticJob(status: j, start: now, duration: 0, produces: nil, failsWith: nil)); n += 1
        }
        state = Mutex(State(specs: specs, jobs: js, nextJob: n))
    }

    public static let wallClock: @Sendable () -> Double = {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// The demo workspace of `seedscope tui --synthetic`: five runs (ready, large, training, failed).
    public static func demo(clock: @escaping @Sendable () -> Double = SyntheticExplorerData.wallClock) -> SyntheticExplorerData {
        func s(_ id: String, _ name: String, _ st: RunSummary.Status, _ seeds: [Int], _ w: Int, _ arch: String,
               _ ds: String, _ p: Double? = nil, stable: Float = 0.6) -> Spec {
            Spec(summary: RunSummary(id: id, name: name, status: st, seeds: seeds, width: w, architecture: arch,
                                     dataset: ds, progress: p), stableFraction: stable)
        }
        return SyntheticExplorerData(specs: [
            s("kjv-l10-topk", "kjv-L10 topk", .ready, [0, 1, 2, 3], 4608, "topk k=32", "smollm2-L10-kjv"),
            s("kjv-l15-topk", "kjv-L15 topk", .ready, [0, 1], 4608, "topk k=32", "smollm2-L15-kjv", stable: 0.5),
            s("pile-l6-wide", "pile-L6 topk wide", .ready, Array(0..<8), 32768, "topk k=64", "pythia-L6-pile", stable: 0.45),
            s("kjv-l10-relu", "kjv-L10 relu", .running, [0, 1, 2, 3], 9216, "relu l1=5e-3", "smollm2-L10-kjv", 0.42),
            s("kjv-l15-gated", "kjv-L15 gated", .failed, [0, 1, 2], 4608, "gated l1=1e-3", "smollm2-L15-kjv"),
        ], clock: clock)
    }

    /// A single ready run of `seeds` × `width` (benchmarks and tests).
    public static func single(seeds: Int, width: Int, stable: Float = 0.6,
                              clock: @escaping @Sendable () -> Double = SyntheticExplorerData.wallClock) -> SyntheticExplorerData {
        SyntheticExplorerData(specs: [Spec(summary: RunSummary(
            id: "synthetic", name: "synthetic \(seeds)×\(width)", status: .ready, seeds: Array(0..<seeds), width: width,
            architecture: "topk k=32", dataset: "synthetic"), stableFraction: stable)], clock: clock)
    }

    // MARK: - ExplorerData

    public var revision: Int {
        state.withLock { st in advance(&st); return st.revision }
    }

    public func runs() -> [RunSummary] {
        state.withLock { st in
            advance(&st)
            return st.specs.map { spec in
                var s = spec.summary
                if let j = st.jobs.last(where: { $0.produces?.summary.id == s.id && ($0.status.state == .running || $0.status.state == .queued) }) {
                    s.progress = j.status.progress
                    s.status = j.status.state == .running ? .running : .queued
                }
                return s
            }
        }
    }

    public func run(_ id: String) -> RunData? {
        let lookup: (cached: RunData?, spec: Spec?) = state.withLock { st in
            (st.runCache[id], st.specs.first { $0.summary.id == id })
        }
        if let cached = lookup.cached { return cached }
        guard let spec = lookup.spec, spec.summary.status == .ready else { return nil }
        let data = SyntheticModel(spec).runData()
        state.withLock { $0.runCache[id] = data }
        return data
    }

    public func pair(_ run: String, from a: Int, to b: Int) -> PairMatch? {
        let key = "\(run)|\(a)|\(b)"
        let spec: Spec? = state.withLock { st in
            st.pairCache[key] != nil ? nil : st.specs.first { $0.summary.id == run && $0.summary.status == .ready }
        }
        guard let spec else { return state.withLock { $0.pairCache[key] } }
        let n = spec.summary.seeds.count
        guard a >= 0, b >= 0, a < n, b < n, a != b else { return nil }
        let p = SyntheticModel(spec).pair(a, b)
        state.withLock { $0.pairCache[key] = p }
        return p
    }

    public func latentCard(_ run: String, seed: Int, latent: Int) -> LatentCard? {
        guard let spec = state.withLock({ st in st.specs.first { $0.summary.id == run } }),
              spec.summary.status == .ready, seed >= 0, seed < spec.summary.seeds.count,
              latent >= 0, latent < spec.summary.width else { return nil }
        return SyntheticModel(spec).card(seed: seed, latent: latent)
    }

    public func jobs() -> [JobStatus] {
        state.withLock { st in advance(&st); return st.jobs.map(\.status) }
    }

    public func launch(_ r: LaunchRequest) throws -> String {
        if r.seeds.count < 2 { throw SyntheticLaunchError(message: "need at least 2 seeds to compare, got \(r.seeds.count)") }
        if r.width < 1 || r.width > 1 << 20 { throw SyntheticLaunchError(message: "width must be in 1...1048576, got \(r.width)") }
        if r.steps < 1 { throw SyntheticLaunchError(message: "steps must be positive") }
        if r.dataset.isEmpty { throw SyntheticLaunchError(message: "dataset is empty") }
        return state.withLock { st in
            let id = "job-\(st.nextJob)"; st.nextJob += 1
            let runID = "launched-\(id)"
            let arch = ["topk", "batchtopk"].contains(r.architecture)
                ? "\(r.architecture) k=\(Int(r.sparsity))" : "\(r.architecture) l1=\(r.sparsity)"
            let name = r.externalCommand.isEmpty ? "\(r.dataset) \(r.architecture)" : "\(r.dataset) external"
            let summary = RunSummary(id: runID, name: name, status: .queued, seeds: r.seeds, width: r.width,
                                     architecture: arch, dataset: r.dataset, progress: 0)
            var ready = Spec(summary: summary); ready.summary.status = .ready; ready.summary.progress = nil
            st.specs.append(Spec(summary: summary))
            // Synthetic duration: proportional to the requested work, clamped to a watchable 4-60 s.
            let dur = min(60, max(4, Double(r.steps) * Double(r.seeds.count) * Double(r.width) / 4e8))
            st.jobs.append(SyntheticJob(status: JobStatus(id: id, title: "train+match \(name) ×\(r.seeds.count)", state: .queued,
                                                          progress: 0, eta: dur, message: "queued"),
                                        start: clock(), duration: dur, produces: ready, failsWith: nil))
            st.revision += 1
            return id
        }
    }

    public func cancel(job: String) {
        state.withLock { st in
            guard let i = st.jobs.firstIndex(where: { $0.status.id == job }),
                  st.jobs[i].status.state == .running || st.jobs[i].status.state == .queued else { return }
            st.jobs[i].status.state = .cancelled
            st.jobs[i].status.eta = nil
            st.jobs[i].status.message = "cancelled at \(Int(st.jobs[i].status.progress * 100))%"
            if let rid = st.jobs[i].produces?.summary.id, let k = st.specs.firstIndex(where: { $0.summary.id == rid }) {
                st.specs[k].summary.status = .incomplete
                st.specs[k].summary.progress = nil
            }
            st.revision += 1
        }
    }

    /// Moves running jobs forward to the clock's time; finished jobs turn their run ready.
    private func advance(_ st: inout State) {
        let now = clock()
        for i in st.jobs.indices where st.jobs[i].status.state == .running || st.jobs[i].status.state == .queued {
            let j = st.jobs[i]
            guard j.duration > 0 else { continue }
            let p = min(1, max(0, (now - j.start) / j.duration))
            st.jobs[i].status.progress = p
            st.jobs[i].status.state = .running
            st.jobs[i].status.eta = max(0, j.duration * (1 - p))
            let step = Int(p * 4000)
            st.jobs[i].status.message = p < 0.8 ? "training: step \(step)/4000, fvu \(String(format: "%.3f", 0.35 * (1 - p) + 0.08))"
                                                 : "matching: hungarian on \(Int(p * 100))% of pairs"
            if p >= 1 {
                st.jobs[i].status.state = .done
                st.jobs[i].status.eta = nil
                st.jobs[i].status.message = "done in \(Int(j.duration)) s"
                if let ready = j.produces, let k = st.specs.firstIndex(where: { $0.summary.id == ready.summary.id }) {
                    st.specs[k] = ready
                }
                st.revision += 1
            }
        }
    }
}

/// A launch rejected by the synthetic provider (the real provider throws its own errors).
public struct SyntheticLaunchError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
