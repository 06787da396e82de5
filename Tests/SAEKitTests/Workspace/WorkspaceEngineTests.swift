import Foundation
import Testing
@testable import SAEKit

@Suite("JobEngine")
struct WorkspaceEngineTests {
    func makeWorkspace(_ specs: [RunSpec]) throws -> (URL, Workspace) {
        let dir = TestPaths.tempDir("engine")
        let ws = try Workspace.create(at: dir)
        for s in specs { try ws.createRun(s) }
        return (dir, ws)
    }

    @Test func pipelineRunsInDependencyOrderAndCommits() throws {
        let (dir, ws) = try makeWorkspace([WorkspaceFixture.spec("r")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = ExecutionLog()
        let engine = try JobEngine(workspace: ws, executors: WorkspaceFixture.executors(log))
        let queued = try engine.start(run: "r")
        #expect(queued.count == 3 + 3 + 3 + 1)
        #expect(engine.wait(run: "r", timeout: 20))
        engine.shutdown()
        let order = log.jobs
        func idx(_ s: String) -> Int { order.firstIndex(of: s) ?? -1 }
        #expect(order.count == 10)
        for s in 0..<3 { #expect(idx("train-seed\(s)") < idx("profile-seed\(s)")) }
        for (a, b) in [(0, 1), (0, 2), (1, 2)] {
            let m = idx("match-seed\(a)-seed\(b)")
            #expect(m > idx("profile-seed\(a)") && m > idx("profile-seed\(b)"))
            #expect(idx("consensus") > m)
        }
        let l = ws.layout("r")
        for p in JobPlan.jobs(for: try ws.spec("r"), layout: l) {
            #expect(try l.record(p.id).status == .done)
            #expect(FileManager.default.fileExists(atPath: p.outputDir.path))
        }
        // No staging or work folders, no temp files left behind.
        let all = FileManager.default.enumerator(atPath: l.dir.path)!.allObjects as! [String]
        #expect(all.filter { $0.contains(".partial") || $0.contains(".work") || $0.contains(".tmp-") }.isEmpty)
        // A second start recomputes nothing.
        let log2 = ExecutionLog()
        let engine2 = try JobEngine(workspace: ws, executors: WorkspaceFixture.executors(log2))
        #expect(try engine2.start(run: "r").isEmpty)
        #expect(engine2.wait(run: "r", timeout: 5))
        engine2.shutdown()
        #expect(log2.jobs.isEmpty)
        let report = try RunReport.build(workspace: ws, run: "r")
        #expect(report.pairs.count == 3 && report.consensus != nil)
        #expect(report.unfinished.isEmpty)
    }

    @Test func higherPriorityRunGoesFirst() throws {
        let (dir, ws) = try makeWorkspace([WorkspaceFixture.spec("low", seeds: [0, 1], profile: false),
                                           WorkspaceFixture.spec("high", seeds: [0, 1], priority: 5, profile: false)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = ExecutionLog()
        // Queue both paused so nothing is picked before both are queued.
        let engine = try JobEngine(workspace: ws, executors: WorkspaceFixture.executors(log))
        try engine.start(run: "low", paused: true)
        try engine.start(run: "high", paused: true)
        usleep(100_000)
        #expect(log.jobs.isEmpty)
        engine.resume(run: "low"); engine.resume(run: "high")
        #expect(engine.wait(run: "low", timeout: 20) && engine.wait(run: "high", timeout: 20))
        engine.shutdown()
        // Every job of "high" started before the first of "low" (records' start times).
        func started(_ run: String, _ j: JobID) throws -> Date { try #require(try ws.layout(run).record(j).started) }
        let highLast = try started("high", .consensus)
        let lowFirst = try started("low", .train(0))
        #expect(highLast <= lowFirst)
    }

    @Test func cancelStopsRunningJobAndSkipsDependents() throws {
        let (dir, ws) = try makeWorkspace([WorkspaceFixture.spec("r", seeds: [0, 1], profile: false)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = ExecutionLog()
        let engine = try JobEngine(workspace: ws, executors: WorkspaceFixture.executors(log, train: FakeTrain(log: log, stallAt: 3)))
        try engine.start(run: "r")
        #expect(WorkspaceFixture.waitFor { engine.snapshot().jobs.first { $0.job == .train(0) }?.progress?.step == 3 })
        engine.cancel(run: "r")
        #expect(engine.wait(run: "r", timeout: 10))
        engine.shutdown()
        let snap = engine.snapshot().jobs(of: "r")
        #expect(snap.allSatisfy { $0.status == .cancelled })
        let l = ws.layout("r")
        #expect(try l.record(.train(0)).status == .cancelled)
        #expect(try l.record(.consensus).status == .cancelled)
        #expect(!FileManager.default.fileExists(atPath: l.checkpointDir(0).path))
        #expect(!FileManager.default.fileExists(atPath: JobEngine.workDir(l.checkpointDir(0)).path))
        #expect(!FileManager.default.fileExists(atPath: JobEngine.stagingDir(l.checkpointDir(0)).path))
    }

    @Test func pauseHoldsProgressAndResumeFinishes() throws {
        let (dir, ws) = try makeWorkspace([WorkspaceFixture.spec("r", seeds: [0], steps: 200, profile: false)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = ExecutionLog()
        let engine = try JobEngine(workspace: ws, executors: WorkspaceFixture.executors(log, train: FakeTrain(log: log, stepDelay: 0.002)))
        try engine.start(run: "r")
        #expect(WorkspaceFixture.waitFor { (engine.snapshot().jobs.first?.progress?.step ?? 0) >= 5 })
        engine.pause(run: "r")
        usleep(300_000)   // the job blocks at its next checkpoint (one ~2 ms step away)
        let a = engine.snapshot().jobs.first!
        #expect(a.status == .paused)
        usleep(200_000)
        let b = engine.snapshot().jobs.first!
        #expect(a.progress!.step == b.progress!.step)
        #expect(b.progress!.step < 200)
        engine.resume(run: "r")
        #expect(engine.wait(run: "r", timeout: 20))
        engine.shutdown()
        #expect(try ws.layout("r").record(.train(0)).status == .done)
        #expect(log.steps.withLock { $0[0] } == 200)
    }

    @Test func missingExecutorFailsWithoutFakingResults() throws {
        let (dir, ws) = try makeWorkspace([WorkspaceFixture.spec("r", seeds: [0, 1], profile: false)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = ExecutionLog()
        var ex = WorkspaceFixture.executors(log)
        ex.match = nil
        let engine = try JobEngine(workspace: ws, executors: ex)
        try engine.start(run: "r")
        #expect(engine.wait(run: "r", timeout: 20))
        engine.shutdown()
        let l = ws.layout("r")
        let m = try l.record(.match(SeedPair(a: 0, b: 1)))
        #expect(m.status == .failed && m.error == "no matcher available in this build")
        #expect(!FileManager.default.fileExists(atPath: l.matchDir(SeedPair(a: 0, b: 1)).path))
        #expect(try l.record(.consensus).status == .cancelled)
        // And the product registry's messages for a native run without a trainer.
        let e2 = try JobEngine(workspace: ws, executors: PhaseExecutors())
        try ws.createRun(WorkspaceFixture.spec("n", seeds: [0], profile: false))
        try e2.start(run: "n")
        #expect(e2.wait(run: "n", timeout: 10))
        e2.shutdown()
        #expect(try ws.layout("n").record(.train(0)).error == "no trainer available in this build")
    }

    @Test func refusesJobThatDoesNotFitInMemory() throws {
        // The estimate needs the dataset's d: write a tiny real activation file.
        let dataDir = TestPaths.tempDir("data")
        defer { try? FileManager.default.removeItem(at: dataDir) }
        var w = SafetensorsWriter()
        w.add("activations", floats: [Float](repeating: 0.5, count: 8 * 4), shape: [8, 4])
        let data = dataDir.appendingPathComponent("acts.safetensors")
        try w.write(to: data)
        var spec = WorkspaceFixture.spec("r", seeds: [0], profile: false)
        spec.dataset = data.path
        let (dir, ws) = try makeWorkspace([spec])
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = ExecutionLog()
        let huge: Int64 = 1 << 60
        let engine = try JobEngine(workspace: ws, executors: WorkspaceFixture.executors(log, train: FakeTrain(log: log, memory: huge)))
        try engine.start(run: "r")
        #expect(engine.wait(run: "r", timeout: 10))
        engine.shutdown()
        let r = try ws.layout("r").record(.train(0))
        #expect(r.status == .failed)
        #expect(r.error?.contains("of memory") == true && r.error?.contains("available") == true)
        #expect(log.jobs.isEmpty)
    }

    @Test func crashMidTrainingResumesWithoutRecomputing() throws {
        // Reference: an uninterrupted run.
        let (refDir, refWS) = try makeWorkspace([WorkspaceFixture.spec("r", seeds: [0, 1], steps: 40, profile: false)])
        defer { try? FileManager.default.removeItem(at: refDir) }
        let refLog = ExecutionLog()
        let ref = try JobEngine(workspace: refWS, executors: WorkspaceFixture.executors(refLog))
        try ref.start(run: "r"); #expect(ref.wait(run: "r", timeout: 20)); ref.shutdown()

        let (dir, ws) = try makeWorkspace([WorkspaceFixture.spec("r", seeds: [0, 1], steps: 40, profile: false)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let log1 = ExecutionLog()
        let e1 = try JobEngine(workspace: ws, executors: WorkspaceFixture.executors(log1, train: FakeTrain(log: log1, stepDelay: 0.001)))
        try e1.start(run: "r")
        // Let seed 0 finish and seed 1 get part-way, then "kill -9".
        #expect(WorkspaceFixture.waitFor { (e1.snapshot().jobs.first { $0.job == .train(1) }?.progress?.step ?? 0) >= 10 })
        e1.simulateCrash()
        let l = ws.layout("r")
        #expect(try l.record(.train(0)).status == .done)
        #expect(try l.record(.train(1)).status == .running)          // interrupted, as kill -9 leaves it
        let stepsBefore = log1.steps.withLock { $0[1] ?? 0 }
        #expect(stepsBefore > 0 && stepsBefore < 40)
        ws.close()

        let ws2 = try Workspace.open(dir)
        #expect(!ws2.isReadOnly)
        let log2 = ExecutionLog()
        let e2 = try JobEngine(workspace: ws2, executors: WorkspaceFixture.executors(log2))
        let queued = try e2.start(run: "r")
        #expect(!queued.contains(.train(0)))
        #expect(e2.wait(run: "r", timeout: 20)); e2.shutdown()
        #expect(!log2.jobs.contains("train-seed0"))                   // nothing recomputed
        #expect(log2.resumes.withLock { $0["train-seed1"] } == true)  // resumed from the work folder
        let stepsAfter = log2.steps.withLock { $0[1] ?? 0 }
        #expect(stepsBefore + stepsAfter <= 41)                       // at most one step redone
        // Same results as the uninterrupted run.
        for s in [0, 1] {
            let a = try String(contentsOf: l.checkpointDir(s).appendingPathComponent("weights.txt"), encoding: .utf8)
            let b = try String(contentsOf: refWS.layout("r").checkpointDir(s).appendingPathComponent("weights.txt"), encoding: .utf8)
            #expect(a == b)
        }
        let pa = try Data(contentsOf: l.matchDir(SeedPair(a: 0, b: 1)).appendingPathComponent("summary.json"))
        let pb = try Data(contentsOf: refWS.layout("r").matchDir(SeedPair(a: 0, b: 1)).appendingPathComponent("summary.json"))
        #expect(pa == pb)
        let all = FileManager.default.enumerator(atPath: l.dir.path)!.allObjects as! [String]
        #expect(all.filter { $0.contains(".partial") || $0.contains(".work") || $0.contains(".tmp-") }.isEmpty)
    }

    @Test func crashAfterCommitRenameIsRecognisedAsDone() throws {
        let (dir, ws) = try makeWorkspace([WorkspaceFixture.spec("r", seeds: [0], profile: false)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let l = ws.layout("r")
        // State left by a crash between the rename of the staging folder and the "done" record.
        try FileManager.default.createDirectory(at: l.checkpointDir(0), withIntermediateDirectories: true)
        try AtomicFile.write("seed 0 state 1\n", to: l.checkpointDir(0).appendingPathComponent("weights.txt"))
        try l.writeRecord(JobRecord(job: "train-seed0", status: .running, attempts: 1), .train(0))
        let log = ExecutionLog()
        let e = try JobEngine(workspace: ws, executors: WorkspaceFixture.executors(log))
        #expect(try e.start(run: "r").isEmpty)
        e.shutdown()
        #expect(try l.record(.train(0)).status == .done)
        #expect(log.jobs.isEmpty)
    }

    @Test func snapshotReportsProgressAndETA() throws {
        let (dir, ws) = try makeWorkspace([WorkspaceFixture.spec("r", seeds: [0], steps: 100, profile: false)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = ExecutionLog()
        let e = try JobEngine(workspace: ws, executors: WorkspaceFixture.executors(log, train: FakeTrain(log: log, stepDelay: 0.003)))
        try e.start(run: "r")
        #expect(WorkspaceFixture.waitFor { (e.snapshot().jobs.first?.progress?.step ?? 0) >= 20 })
        let j = e.snapshot().jobs.first!
        #expect(j.status == .running && j.progress?.total == 100)
        let eta = try #require(j.progress?.eta)
        #expect(eta > 0 && eta < 30)
        #expect(j.progress?.loss != nil)
        // The monitor persists progress for other processes within ~1 s.
        #expect(WorkspaceFixture.waitFor(5) { ((try? ws.layout("r").record(.train(0)).step) ?? nil ?? 0) > 0 })
        #expect(e.wait(run: "r", timeout: 20)); e.shutdown()
    }
}
