import Foundation
import Synchronization
@testable import SAEKit

/// Test-only executors (the product never fakes results): they write small deterministic files in the
/// schemas the report reads, count their work, and can block or go slowly so tests can cancel, pause
/// and crash them mid-way.
final class ExecutionLog: Sendable {
    let order = Mutex<[String]>([])
    /// Training steps actually computed per seed (resumed steps are not recomputed).
    let steps = Mutex<[Int: Int]>([:])
    /// Resume flags seen per job.
    let resumes = Mutex<[String: Bool]>([:])
    func append(_ s: String) { order.withLock { $0.append(s) } }
    var jobs: [String] { order.withLock { $0 } }
}

struct FakeTrain: TrainExecutor {
    let log: ExecutionLog
    var stepDelay: Double = 0
    var memory: Int64? = nil
    /// Blocks after this many steps until cancelled (to interrupt deterministically).
    var stallAt: Int? = nil

    func train(seed: Int, context: JobContext) throws {
        log.append("train-seed\(seed)")
        log.resumes.withLock { $0["train-seed\(seed)"] = context.resume }
        let total = context.spec.steps ?? 10
        let ckpt = context.workDir.appendingPathComponent("step")
        var start = 0
        if context.resume, let s = try? String(contentsOf: ckpt, encoding: .utf8), let v = Int(s) { start = v }
        var state = Double(seed)
        if start > 0, let s = try? String(contentsOf: context.workDir.appendingPathComponent("state"), encoding: .utf8) { state = Double(s)! }
        for step in start..<total {
            if let stall = stallAt, step == stall { while true { try context.control.checkpoint(); usleep(2000) } }
            try context.control.checkpoint()
            if stepDelay > 0 { usleep(UInt32(stepDelay * 1e6)) }
            state = state * 0.5 + Double(step)          // deterministic "training"
            log.steps.withLock { $0[seed, default: 0] += 1 }
            try AtomicFile.write(String(state), to: context.workDir.appendingPathComponent("state"))
            try AtomicFile.write(String(step + 1), to: ckpt)
            context.control.report(step: step + 1, total: total, loss: 1 / Double(step + 1))
        }
        try AtomicFile.write("seed \(seed) state \(state)\n", to: context.outputDir.appendingPathComponent("weights.txt"))
        try WorkspaceJSON.write(TrainMetrics(steps: total, finalLoss: 1 / Double(total), source: "native"),
                                to: context.outputDir.appendingPathComponent(TrainMetrics.fileName))
    }

    func estimate(spec: RunSpec, dIn: Int) -> ResourceEstimate {
        ResourceEstimate(memoryBytes: memory, seconds: nil, formula: "fake")
    }
}

struct FakeProfile: ProfileExecutor {
    let log: ExecutionLog
    func profile(seed: Int, checkpoint: URL, context: JobContext) throws {
        log.append("profile-seed\(seed)")
        guard FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent("weights.txt").path) else {
            throw SeedScopeError.io(file: checkpoint.path, message: "profile ran before its checkpoint existed")
        }
        try WorkspaceJSON.write(ProfileSummary(seed: seed, latents: 100, tokens: 1000, dead: seed + 1, meanL0: 8),
                                to: context.outputDir.appendingPathComponent(ProfileSummary.fileName))
    }
}

struct FakeMatch: MatchExecutor {
    let log: ExecutionLog
    func match(_ inputs: MatchInputs, context: JobContext) throws {
        log.append("match-seed\(inputs.pair.a)-seed\(inputs.pair.b)")
        for u in [inputs.checkpointA, inputs.checkpointB] where !FileManager.default.fileExists(atPath: u.appendingPathComponent("weights.txt").path) {
            throw SeedScopeError.io(file: u.path, message: "match ran before its checkpoints existed")
        }
        let f = 0.4 + 0.01 * Double(inputs.pair.a + inputs.pair.b)
        var crit: [String: CriterionResult] = [:]
        for (i, c) in PairSummary.criterionNames.enumerated() { crit[c] = CriterionResult(count: Int(f * 100) + i, fraction: f + 0.01 * Double(i)) }
        let s = PairSummary(seeds: [inputs.pair.a, inputs.pair.b], latents: [100, 100], threshold: context.spec.threshold,
                            criteria: crit, criteriaAlive: inputs.profileA == nil ? nil : crit,
                            alignment: AlignmentScores(decoder: f + 0.2, encoder: f + 0.1), dead: inputs.profileA == nil ? nil : [1, 2],
                            method: "fake")
        try WorkspaceJSON.write(s, to: context.outputDir.appendingPathComponent(PairSummary.fileName))
    }
}

struct FakeConsensus: ConsensusExecutor {
    let log: ExecutionLog
    func consensus(matches: [SeedPair: URL], context: JobContext) throws {
        log.append("consensus")
        guard matches.count == context.spec.pairs.count else {
            throw SeedScopeError.usage("consensus saw \(matches.count) of \(context.spec.pairs.count) matches")
        }
        let n = context.spec.seeds.count
        let bases = context.spec.seeds.map { s in
            ConsensusSummary.Base(seed: s, latents: 100, sharedIn: (0..<n).map { j in j == n - 1 ? 100 - (n - 1) * 10 : 10 })
        }
        try WorkspaceJSON.write(ConsensusSummary(seeds: context.spec.seeds, threshold: context.spec.threshold, criterion: "shared",
                                                 bases: bases, pwMcc: 0.6),
                                to: context.outputDir.appendingPathComponent(ConsensusSummary.fileName))
    }
}

enum WorkspaceFixture {
    static func executors(_ log: ExecutionLog, train: FakeTrain? = nil) -> PhaseExecutors {
        PhaseExecutors(train: train ?? FakeTrain(log: log), profile: FakeProfile(log: log), match: FakeMatch(log: log),
                       consensus: FakeConsensus(log: log))
    }

    /// A native run spec over a dummy dataset path (the fakes never read it).
    static func spec(_ name: String, seeds: [Int] = [0, 1, 2], steps: Int = 10, priority: Int = 0, profile: Bool = true) -> RunSpec {
        RunSpec(name: name, kind: .native, dataset: "/nonexistent/acts.safetensors", architecture: "topk", k: 4, latents: 100,
                steps: steps, seeds: seeds, phases: profile ? nil : [.train, .match, .consensus], priority: priority)
    }

    /// Waits until `cond` holds (polling), failing after `timeout`.
    static func waitFor(_ timeout: Double = 10, _ cond: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline { if cond() { return true }; usleep(5_000) }
        return cond()
    }
}
