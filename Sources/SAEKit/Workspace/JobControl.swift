import Foundation
import Synchronization

/// Thrown by `JobControl.checkpoint()` when the job was cancelled; executors let it propagate.
public struct JobCancelled: Error, CustomStringConvertible, Sendable {
    public init() {}
    public var description: String { "cancelled" }
}

/// The two-way channel between a running job and the engine: the executor reports progress and calls
/// `checkpoint()` between units of work (cancel → throws `JobCancelled`; pause → blocks there); the
/// engine and UI read `snapshot()`. All methods are thread-safe and cheap (one uncontended mutex).
public final class JobControl: Sendable {
    struct State {
        var cancelled = false
        var paused = false
        var step = 0
        var total: Int? = nil
        var loss: Double? = nil
        var message: String? = nil
        var started = Date()
        /// Step and time at which rate measurement began (a resumed job starts mid-way).
        var rateStep: Int? = nil
        var rateStart = Date()
        var pausedSeconds: Double = 0
        var pausedAt: Date? = nil
        var version = 0
        var child: ChildRecord? = nil
    }
    let state = Mutex(State())
    /// Called synchronously when an executor starts or ends a child process, so the engine records it
    /// on disk before anything else can happen (a crash right after spawn must leave the PID behind).
    let childHook = Mutex<(@Sendable (ChildRecord?) -> Void)?>(nil)

    public init() {}

    /// Reports progress: `step` of `total` units (training steps, blocks, tokens …), optional loss and a
    /// short message. Also the ETA base: the first report after (re)start anchors the rate.
    public func report(step: Int, total: Int? = nil, loss: Double? = nil, message: String? = nil) {
        state.withLock { s in
            if s.rateStep == nil { s.rateStep = step; s.rateStart = Date(); s.pausedSeconds = 0 }
            s.step = step
            if let total { s.total = total }
            if let loss { s.loss = loss }
            if let message { s.message = message }
            s.version &+= 1
        }
    }

    /// Sets the status message only.
    public func say(_ message: String) { state.withLock { $0.message = message; $0.version &+= 1 } }

    /// Records the external process this job runs (nil when it ended).
    public func setChild(_ c: ChildRecord?) {
        state.withLock { $0.child = c; $0.version &+= 1 }
        let hook = childHook.withLock { $0 }
        hook?(c)
    }

    var child: ChildRecord? { state.withLock { $0.child } }

    /// A cancellation and pause point: throws `JobCancelled` when cancelled, sleeps while paused.
    public func checkpoint() throws {
        while true {
            let (c, p) = state.withLock { ($0.cancelled, $0.paused) }
            if c { throw JobCancelled() }
            if !p { return }
            usleep(50_000)
        }
    }

    public var isCancelled: Bool { state.withLock { $0.cancelled } }
    public var isPaused: Bool { state.withLock { $0.paused } }

    func cancel() { state.withLock { $0.cancelled = true; $0.version &+= 1 } }
    func setPaused(_ p: Bool) {
        state.withLock { s in
            guard s.paused != p else { return }
            s.paused = p
            if p { s.pausedAt = Date() } else if let at = s.pausedAt { s.pausedSeconds += Date().timeIntervalSince(at); s.pausedAt = nil }
            s.version &+= 1
        }
    }

    /// The current progress, with an ETA extrapolated from the rate since the first report of this attempt
    /// (paused time excluded); nil until two distinct steps were seen.
    public func progress() -> JobProgress {
        state.withLock { s in
            var eta: Double? = nil
            if let t = s.total, let s0 = s.rateStep, s.step > s0 {
                let paused = s.pausedSeconds + (s.pausedAt.map { Date().timeIntervalSince($0) } ?? 0)
                let el = Date().timeIntervalSince(s.rateStart) - paused
                eta = max(0, el / Double(s.step - s0) * Double(t - s.step))
            }
            return JobProgress(step: s.step, total: s.total, loss: s.loss, message: s.message,
                               elapsed: Date().timeIntervalSince(s.started), eta: eta)
        }
    }

    var version: Int { state.withLock { $0.version } }
}

/// Progress of one job at one moment.
public struct JobProgress: Sendable, Equatable {
    public var step: Int
    public var total: Int?
    public var loss: Double?
    public var message: String?
    /// Seconds since this attempt started.
    public var elapsed: Double
    /// Estimated seconds remaining.
    public var eta: Double?
    /// Fraction done in [0, 1], nil without a total.
    public var fraction: Double? { total.flatMap { $0 > 0 ? min(1, Double(step) / Double($0)) : nil } }
}
