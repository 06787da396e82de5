import Foundation

/// A job's lifecycle state.
public enum JobStatus: String, Codable, Sendable {
    /// Not started (no record on disk, or reset for a retry).
    case pending
    /// Waiting in the queue for its dependencies or a worker.
    case queued
    /// Running now — or, on disk with no live engine, interrupted (resumed on the next start).
    case running
    /// Paused by the user (in-memory only; a paused job is `running` on disk).
    case paused
    /// Output committed; never recomputed.
    case done
    case failed
    case cancelled
}

/// A running external command, recorded so that a restarted engine can stop a trainer orphaned by a
/// crash (its process group), identified by PID and kernel start time to survive PID reuse.
public struct ChildRecord: Codable, Sendable, Equatable {
    public var pid: Int32
    /// Field 22 of /proc/PID/stat (start time in clock ticks since boot).
    public var startTicks: UInt64
}

/// `runs/<name>/jobs/<job>.json`. `done` is written only after the job's output folder is in place, so
/// `done` on disk always means the result is complete.
public struct JobRecord: Codable, Sendable, Equatable {
    public var job: String
    public var status: JobStatus
    /// Attempts started (an interrupted attempt counts).
    public var attempts: Int
    public var started: Date?
    public var finished: Date?
    /// Seconds spent in the successful attempt (or the last one).
    public var seconds: Double?
    public var error: String?
    /// Last progress reported (persisted about once a second so other processes can show it).
    public var step: Int?
    public var total: Int?
    public var loss: Double?
    public var message: String?
    /// Estimated seconds remaining at the last progress save.
    public var eta: Double?
    /// Estimated peak memory in bytes and the model used.
    public var memoryEstimate: Int64?
    public var estimateFormula: String?
    /// The external command's process while it runs.
    public var child: ChildRecord?

    public init(job: String, status: JobStatus = .pending, attempts: Int = 0) {
        self.job = job; self.status = status; self.attempts = attempts
    }
}

extension RunLayout {
    public func recordURL(_ job: JobID) -> URL { jobsDir.appendingPathComponent("\(job).json") }

    /// The job's record on disk, or a pending one.
    public func record(_ job: JobID) throws -> JobRecord {
        try WorkspaceJSON.readIfPresent(JobRecord.self, from: recordURL(job)) ?? JobRecord(job: job.description)
    }

    public func writeRecord(_ r: JobRecord, _ job: JobID) throws { try WorkspaceJSON.write(r, to: recordURL(job)) }
}
