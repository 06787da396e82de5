import Foundation
import Synchronization

/// One job as the UI sees it.
public struct JobSnapshot: Sendable {
    public var run: String
    public var job: JobID
    public var status: JobStatus
    public var priority: Int
    /// Live progress while running (nil otherwise).
    public var progress: JobProgress?
    public var estimate: ResourceEstimate?
    public var error: String?
    public var attempts: Int
    /// This attempt resumes an interrupted one.
    public var resumed: Bool
}

/// Everything the engine is doing, for the UI to poll (cheap: one mutex, no I/O).
public struct EngineSnapshot: Sendable {
    public var jobs: [JobSnapshot]
    /// Planning memory (MemAvailable, capped by SEEDSCOPE_MAX_MEMORY).
    public var memoryAvailable: Int64?
    /// This process's resident memory.
    public var residentBytes: Int64?
    public func jobs(of run: String) -> [JobSnapshot] { jobs.filter { $0.run == run } }
    /// True when no job of `run` is queued, running or paused.
    public func isFinished(_ run: String) -> Bool {
        !jobs.contains { $0.run == run && [.queued, .running, .paused].contains($0.status) }
    }
}

/// The background job queue: runs every run's pipeline (train/import → profile → match → consensus) on
/// its own worker threads, honouring dependencies, priorities (higher first, then FIFO by run, then
/// pipeline order), cancel and pause/resume, and persisting each job's record so a restarted engine
/// skips finished jobs and resumes interrupted ones.
///
/// The UI calls `snapshot()` from its loop; nothing here touches the main thread. Call `interrupt()`
/// (quit: running jobs stay resumable) or `shutdown()` before dropping an engine: its threads hold it.
///
/// - Complexity: scheduling is O(jobs) per pick; all heavy work is in the executors.
public final class JobEngine: Sendable {
    public let workspace: Workspace
    public let executors: PhaseExecutors
    let workerCount: Int

    struct Entry {
        var run: String
        var planned: PlannedJob
        var status: JobStatus
        var priority: Int
        var seq: Int
        var control: JobControl?
        var error: String?
        var estimate: ResourceEstimate?
        var attempts: Int
        var resumed = false
        var paused = false
        /// Cancelled by `interrupt()`: keep the job resumable instead of recording "cancelled".
        var interrupted = false
        var key: String { "\(run)/\(planned.id)" }
    }
    struct State {
        var entries: [String: Entry] = [:]
        var seq = 0
        var threadsStarted = false
        var stopping = false
        /// Simulated kill -9 (tests): drop every result on the floor.
        var halted = false
        var liveThreads = 0
    }
    let state = Mutex(State())
    /// Serialises record writes (worker commits vs. the monitor's progress saves) and holds the record
    /// each running job last wrote.
    let records = Mutex<[String: JobRecord]>([:])

    /// - Parameters:
    ///   - workers: concurrent jobs. Default 1: the phases are CPU/BLAS-bound and the two vCPUs of the
    ///     target machine share FP units (platform.md), so parallel jobs mostly slow each other down.
    public init(workspace: Workspace, executors: PhaseExecutors = .builtIn, workers: Int = 1) throws {
        try workspace.requireWritable("run jobs")
        self.workspace = workspace
        self.executors = executors
        self.workerCount = max(1, workers)
    }

    // MARK: Control

    /// Queues every job of run `name` that is not done (retrying failed and cancelled ones, resuming
    /// interrupted ones) and starts the workers. Returns the jobs queued.
    /// `only` restricts the queued jobs to some phases (e.g. `seedscope import` runs just the imports);
    /// `paused` queues them paused (start with `resume(run:)`).
    @discardableResult
    public func start(run name: String, priority: Int? = nil, only: Set<Phase>? = nil, paused: Bool = false) throws -> [JobID] {
        let spec = try workspace.spec(name)
        let layout = workspace.layout(name)
        var queued: [JobID] = []
        var newEntries: [Entry] = []
        for p in JobPlan.jobs(for: spec, layout: layout) where only?.contains(p.id.phase) ?? true {
            var rec = try layout.record(p.id)
            let staging = Self.stagingDir(p.outputDir)
            let fm = FileManager.default
            // Crash between the commit's rename and writing "done": the output is complete.
            if rec.status == .running, fm.fileExists(atPath: p.outputDir.path), !fm.fileExists(atPath: staging.path) {
                rec.status = .done
                rec.finished = rec.finished ?? Date()
                rec.child = nil
                try layout.writeRecord(rec, p.id)
                try? fm.removeItem(at: Self.workDir(p.outputDir))
            }
            let done = rec.status == .done && fm.fileExists(atPath: p.outputDir.path)
            // Crash between writing "done" and deleting the resumable state: a done job needs none.
            if done { try? fm.removeItem(at: Self.workDir(p.outputDir)) }
            // A retried job is pending again on disk (its old failure no longer describes it).
            if rec.status == .failed || rec.status == .cancelled {
                rec.status = .pending; rec.error = nil; rec.message = nil
                try layout.writeRecord(rec, p.id)
            }
            var e = Entry(run: name, planned: p, status: done ? .done : .queued, priority: priority ?? spec.priority,
                          seq: 0, control: nil, error: nil, estimate: nil, attempts: rec.attempts)
            e.resumed = !done && rec.status == .running
            e.paused = paused
            if !done { queued.append(p.id) }
            newEntries.append(e)
        }
        try state.withLock { s in
            if s.stopping { throw SeedScopeError.usage("the job engine was shut down; create a new one") }
            if s.entries.values.contains(where: { $0.run == name && [.running, .paused].contains($0.status) }) {
                throw SeedScopeError.usage("run \(name) is already running")
            }
            s.seq += 1
            for var e in newEntries { e.seq = s.seq; s.entries[e.key] = e }
        }
        startThreadsIfNeeded()
        return queued
    }

    /// Cancels run `name`'s queued and running jobs (running ones stop at their next checkpoint; an
    /// external command gets SIGTERM). Cancelled jobs are retried by the next `start`.
    public func cancel(run name: String) { cancel { $0.run == name } }

    /// Cancels one job.
    public func cancel(run name: String, job: JobID) { cancel { $0.run == name && $0.planned.id == job } }

    func cancel(where pred: (Entry) -> Bool) {
        let toWrite: [(RunLayout, JobID)] = state.withLock { s in
            var w: [(RunLayout, JobID)] = []
            for (k, e) in s.entries where pred(e) {
                switch e.status {
                case .queued:
                    s.entries[k]!.status = .cancelled
                    w.append((workspace.layout(e.run), e.planned.id))
                case .running, .paused:
                    e.control?.cancel()
                default: break
                }
            }
            return w
        }
        for (l, id) in toWrite { writeStatus(l, id, .cancelled, error: "cancelled before it started") }
    }

    /// Pauses run `name`: queued jobs wait, running ones block at their next checkpoint (external
    /// commands get SIGSTOP).
    public func pause(run name: String) { setPaused(true) { $0.run == name } }
    public func resume(run name: String) { setPaused(false) { $0.run == name } }
    public func pause(run name: String, job: JobID) { setPaused(true) { $0.run == name && $0.planned.id == job } }
    public func resume(run name: String, job: JobID) { setPaused(false) { $0.run == name && $0.planned.id == job } }

    func setPaused(_ p: Bool, where pred: (Entry) -> Bool) {
        state.withLock { s in
            for (k, e) in s.entries where pred(e) {
                s.entries[k]!.paused = p
                e.control?.setPaused(p)
                if e.status == .running && p { s.entries[k]!.status = .paused }
                if e.status == .paused && !p { s.entries[k]!.status = .running }
            }
        }
    }

    /// Changes run `name`'s priority for jobs not yet started.
    public func setPriority(run name: String, _ priority: Int) {
        state.withLock { s in for (k, e) in s.entries where e.run == name { s.entries[k]!.priority = priority } }
    }

    /// Stops for a clean exit (Ctrl-C, quitting the TUI): running jobs stop at their next checkpoint and
    /// stay resumable (recorded as interrupted, work kept), external commands are terminated, queued
    /// jobs stay queued on disk. Blocks until the workers have exited.
    public func interrupt() {
        state.withLock { s in
            s.stopping = true
            for (k, e) in s.entries where e.status == .running || e.status == .paused {
                s.entries[k]!.interrupted = true
                e.control?.cancel()
            }
        }
        joinThreads()
    }

    /// Stops the workers after their current jobs finish (tests, orderly shutdown).
    public func shutdown() {
        state.withLock { $0.stopping = true }
        joinThreads()
    }

    /// Test hook standing in for `kill -9`: workers abandon their jobs without recording anything, as if
    /// the process had died (records stay "running", staging and work folders stay behind).
    func simulateCrash() {
        state.withLock { s in
            s.halted = true; s.stopping = true
            for e in s.entries.values { e.control?.cancel() }
        }
        joinThreads()
    }

    func joinThreads() {
        while state.withLock({ $0.liveThreads }) > 0 { usleep(10_000) }
    }

    // MARK: Observation

    public func snapshot() -> EngineSnapshot {
        let jobs: [JobSnapshot] = state.withLock { s in
            s.entries.values.sorted { ($0.seq, $0.run, $0.planned.id) < ($1.seq, $1.run, $1.planned.id) }.map { e in
                JobSnapshot(run: e.run, job: e.planned.id, status: e.status, priority: e.priority,
                            progress: e.control?.progress(), estimate: e.estimate, error: e.error,
                            attempts: e.attempts, resumed: e.resumed)
            }
        }
        return EngineSnapshot(jobs: jobs, memoryAvailable: MemoryProbe.available(), residentBytes: MemoryProbe.residentBytes())
    }

    /// Blocks until run `name` has no queued, running or paused job (or `timeout` passes). Returns true
    /// when finished.
    @discardableResult
    public func wait(run name: String, timeout: Double = .infinity, poll: Double = 0.05) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if snapshot().isFinished(name) { return true }
            usleep(UInt32(poll * 1e6))
        }
        return snapshot().isFinished(name)
    }

    // MARK: Paths

    /// `<parent>/.<name>.partial`: where an attempt's output is staged.
    static func stagingDir(_ out: URL) -> URL { out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).partial") }
    /// `<parent>/.<name>.work`: resumable state kept across interrupted attempts.
    static func workDir(_ out: URL) -> URL { out.deletingLastPathComponent().appendingPathComponent(".\(out.lastPathComponent).work") }

    func writeStatus(_ l: RunLayout, _ id: JobID, _ st: JobStatus, error: String?) {
        records.withLock { _ in
            var r = (try? l.record(id)) ?? JobRecord(job: id.description)
            r.status = st; r.error = error; r.finished = Date(); r.child = nil
            try? l.writeRecord(r, id)
        }
    }
}
