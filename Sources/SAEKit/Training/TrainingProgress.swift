import Foundation
import Synchronization

/// What a training run reports as it goes (CLI progress bar, JSON lines, the engine's poller).
public enum TrainingEvent: Sendable {
    /// One optimizer step done for every seed: metrics per seed (in seed order), throughput so far.
    case step(step: Int, totalSteps: Int, metrics: [StepMetrics], tokensPerSecond: Double)
    /// Held-out evaluation of one seed at `step` (at checkpoints and at the end).
    case heldOut(seed: UInt64, step: Int, metrics: HeldOutMetrics)
    /// A resumable checkpoint was committed at `step`.
    case checkpoint(step: Int)
    /// The final SAE of `seed` was written to `path`.
    case saved(seed: UInt64, path: String)
}

/// A thread-safe snapshot of a run's progress that another thread (the engine, the TUI) polls, and
/// the way to ask a run to stop cleanly (it checkpoints and returns).
public final class TrainingProgress: Sendable {
    public struct Snapshot: Sendable {
        public var step = 0
        public var totalSteps = 0
        public var seeds: [UInt64] = []
        /// Latest step metrics per seed, in seed order.
        public var latest: [StepMetrics] = []
        /// Latest held-out metrics per seed (index = seed order), nil until evaluated.
        public var heldOut: [HeldOutMetrics?] = []
        public var tokensPerSecond = 0.0
        public var finished = false
        public init() {}
    }
    private let state = Mutex(Snapshot())
    private let stop = Atomic<Bool>(false)

    public init() {}

    /// The current snapshot.
    public func snapshot() -> Snapshot { state.withLock { $0 } }
    /// Asks the run to stop after the current step (it writes a checkpoint first).
    public func requestStop() { stop.store(true, ordering: .relaxed) }
    public var stopRequested: Bool { stop.load(ordering: .relaxed) }

    func update(_ f: (inout Snapshot) -> Void) { state.withLock { f(&$0) } }
}
