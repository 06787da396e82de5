import Foundation
import Testing
@testable import SAEKit

@Suite("Workspace")
struct WorkspaceTests {
    @Test func createOpenAndManifest() throws {
        let dir = TestPaths.tempDir("ws")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.create(at: dir.appendingPathComponent("w"))
        #expect(!ws.isReadOnly)
        try ws.createRun(WorkspaceFixture.spec("a"))
        try ws.createRun(WorkspaceFixture.spec("b", seeds: [3, 4]))
        #expect(try ws.runNames() == ["a", "b"])
        #expect(try ws.spec("b").seeds == [3, 4])
        // Human-readable JSON that our strict parser accepts, with snake_case keys.
        let manifest = try JSONValue.parse(contentsOf: ws.manifestURL)
        #expect(manifest["runs"]?.arrayValue?.count == 2)
        let specText = try String(contentsOf: ws.layout("a").specURL, encoding: .utf8)
        #expect(specText.contains("\n  \"architecture\" : \"topk\""))
        #expect(try JSONValue.parse(specText)["seeds"]?.arrayValue?.count == 3)
        #expect(throws: SeedScopeError.self) { try ws.createRun(WorkspaceFixture.spec("a")) }
        #expect(throws: SeedScopeError.self) { try ws.createRun(WorkspaceFixture.spec("../evil")) }
        #expect(throws: SeedScopeError.self) { try ws.spec("missing") }
        ws.close()
        let again = try Workspace.open(dir.appendingPathComponent("w"))
        #expect(!again.isReadOnly)
        #expect(throws: SeedScopeError.self) { try Workspace.create(at: dir.appendingPathComponent("w")) }
    }

    @Test func secondOpenerIsReadOnlyWithReason() throws {
        let dir = TestPaths.tempDir("ws")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try Workspace.create(at: dir)
        // flock is per open file description: a second open in this process is refused like another process.
        let second = try Workspace.open(dir)
        #expect(second.isReadOnly)
        let reason = try #require(second.readOnlyReason)
        #expect(reason.contains("is open in process \(getpid()) (read-only)"))
        #expect(WorkspaceLock.liveHolder(first.lockURL) == getpid())
        do { try second.createRun(WorkspaceFixture.spec("x")); Issue.record("read-only workspace accepted a write") } catch {
            #expect("\(error)".contains("read-only"))
        }
        #expect(throws: SeedScopeError.self) { _ = try JobEngine(workspace: second) }
        // Reads still work and see the writer's changes.
        try first.createRun(WorkspaceFixture.spec("y"))
        #expect(try second.runNames() == ["y"])
        first.close()
        #expect(WorkspaceLock.liveHolder(first.lockURL) == nil)
        let third = try Workspace.open(dir)
        #expect(!third.isReadOnly)
    }

    @Test func staleTemporariesRemovedOnOpen() throws {
        let dir = TestPaths.tempDir("ws")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.create(at: dir)
        try ws.createRun(WorkspaceFixture.spec("r"))
        let l = ws.layout("r")
        try FileManager.default.createDirectory(at: l.jobsDir, withIntermediateDirectories: true)
        let stale = [l.jobsDir.appendingPathComponent(".train-seed0.json.tmp-123-456"), dir.appendingPathComponent(".seedscope.json.tmp-1-2")]
        for s in stale { try Data("{\"half".utf8).write(to: s) }
        let keep = l.jobsDir.appendingPathComponent("train-seed0.json")
        try WorkspaceJSON.write(JobRecord(job: "train-seed0"), to: keep)
        ws.close()
        let again = try Workspace.open(dir)
        for s in stale { #expect(!FileManager.default.fileExists(atPath: s.path)) }
        #expect(FileManager.default.fileExists(atPath: keep.path))
        _ = again
    }

    @Test func corruptManifestIsOneLineError() throws {
        let dir = TestPaths.tempDir("ws")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("{\"version\": 1, \"runs\": [".utf8).write(to: dir.appendingPathComponent("seedscope.json"))
        do { _ = try Workspace.open(dir); Issue.record("corrupt manifest accepted") } catch {
            let msg = "\(error)"
            #expect(msg.contains("seedscope.json") && !msg.contains("\n"))
        }
        #expect(throws: SeedScopeError.self) { _ = try Workspace.open(dir.appendingPathComponent("nope")) }
    }

    @Test func specValidation() {
        #expect(throws: SeedScopeError.self) { try RunSpec(name: "r", kind: .native, seeds: [0]).validate() }
        #expect(throws: SeedScopeError.self) { try WorkspaceFixture.spec("r", seeds: [1, 1]).validate() }
        #expect(throws: SeedScopeError.self) {
            try RunSpec(name: "r", kind: .external, seeds: [0], external: ExternalTrainer(command: "train --seed {seed}", cwd: "/")).validate()
        }
        #expect(throws: Never.self) {
            try RunSpec(name: "r", kind: .external, seeds: [0, 1], external: ExternalTrainer(command: "t {seed} {out}", cwd: "/")).validate()
        }
        let s = WorkspaceFixture.spec("r", seeds: [0, 1, 2, 3])
        #expect(s.pairs.count == 6)
        let plan = JobPlan.jobs(for: s, layout: RunLayout(dir: URL(fileURLWithPath: "/tmp/x")))
        #expect(plan.count == 4 + 4 + 6 + 1)
        let m = plan.first { $0.id == .match(SeedPair(a: 1, b: 3)) }!
        #expect(Set(m.dependencies) == [.train(1), .train(3), .profile(1), .profile(3)])
    }

    @Test func atomicWritesNeverExposePartialFiles() throws {
        // A reader racing a writer that rewrites a record 300 times must always parse a complete one.
        let dir = TestPaths.tempDir("ws")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("r.json")
        try WorkspaceJSON.write(JobRecord(job: "j", status: .running, attempts: 0), to: url)
        let writer = Thread {
            for i in 1...300 {
                var r = JobRecord(job: "j", status: .running, attempts: i)
                r.message = String(repeating: "x", count: i * 7)
                try? WorkspaceJSON.write(r, to: url)
            }
        }
        writer.start()
        var reads = 0, last = 0
        let deadline = Date().addingTimeInterval(20)
        while last < 300, Date() < deadline {
            let r = try WorkspaceJSON.read(JobRecord.self, from: url)
            #expect(r.attempts >= last)
            last = r.attempts; reads += 1
        }
        #expect(last == 300)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
        #expect(reads > 0)
    }
}

@Suite("WorkspaceEstimates")
struct WorkspaceEstimateTests {
    @Test func trainingModelMatchesItsFormula() {
        // m = 4608, d = 576, batch 4096: P = 2·m·d + m + d; memory = 16·P + 8·batch·(d+m).
        let e = ResourceModel.train(m: 4608, d: 576, k: 32, steps: 1000, batch: 4096)
        let p: Int64 = 2 * 4608 * 576 + 4608 + 576
        #expect(e.memoryBytes == 16 * p + 8 * 4096 * (576 + 4608))
        let perRow: Double = 2 * 576 * 4608 + 10 * 32 * 576
        let flops: Double = 1000 * 4096 * perRow
        #expect(abs(e.seconds! - flops / ResourceModel.flopsPerSecond) < 1e-9)
        // Matching memory grows with the block, not m².
        let small = ResourceModel.match(m: 131_072, d: 768, block: 1024).memoryBytes!
        let big = ResourceModel.match(m: 131_072, d: 768, block: 4096).memoryBytes!
        #expect(big - small == Int64(3072) * 131_072 * 4)
        #expect(big < Int64(131_072) * 131_072 * 4 / 10)   // far below one dense m×m fp32 matrix
    }

    @Test func memoryParsingAndFormatting() {
        #expect(MemoryProbe.parseBytes("512M") == 512 << 20)
        #expect(MemoryProbe.parseBytes("1.5g") == 3 << 29)
        #expect(MemoryProbe.parseBytes("123") == 123)
        #expect(MemoryProbe.parseBytes("lots") == nil)
        #expect(MemoryProbe.format(3 << 29) == "1.5 GiB")
        #expect((MemoryProbe.available() ?? 0) > 0)
        #expect((MemoryProbe.residentBytes() ?? 0) > 0)
    }

    @Test func estimatorUsesSpecShapeBeforeTraining() throws {
        let dir = TestPaths.tempDir("est")
        defer { try? FileManager.default.removeItem(at: dir) }
        var w = SafetensorsWriter()
        w.add("activations", floats: [Float](repeating: 0, count: 10 * 8), shape: [10, 8])
        let data = dir.appendingPathComponent("acts.safetensors")
        try w.write(to: data)
        var spec = WorkspaceFixture.spec("r", seeds: [0, 1])
        spec.dataset = data.path
        let est = JobEstimator.estimates(spec: spec, layout: RunLayout(dir: dir.appendingPathComponent("runs/r")), executors: PhaseExecutors())
        #expect(est.map(\.job) == [.train(0), .train(1), .profile(0), .profile(1), .match(SeedPair(a: 0, b: 1)), .consensus])
        #expect(est[0].estimate == ResourceModel.train(m: 100, d: 8, k: 4, steps: 10, batch: 4096))
        #expect(est[4].estimate == ResourceModel.match(m: 100, d: 8))
        #expect(est[2].estimate == ResourceModel.profile(m: 100, d: 8, rows: 10))
    }
}
