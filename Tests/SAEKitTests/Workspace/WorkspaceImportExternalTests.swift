import Foundation
import Testing
@testable import SAEKit

@Suite("WorkspaceImportExternal")
struct WorkspaceImportExternalTests {
    let fixtureSeed0 = TestPaths.fixture("sparsify/run/layers.3/seed0")
    let fixtureSeed1 = TestPaths.fixture("sparsify/run/layers.3/seed1")

    func importSpec(copy: Bool) -> RunSpec {
        RunSpec(name: "imp", kind: .imported, seeds: [0, 1],
                imports: [ImportSource(seed: 0, path: fixtureSeed0.path, copy: copy), ImportSource(seed: 1, path: fixtureSeed1.path, copy: copy)])
    }

    @Test(arguments: [false, true]) func importReferenceOrCopy(copy: Bool) throws {
        let dir = TestPaths.tempDir("imp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.create(at: dir)
        try ws.createRun(importSpec(copy: copy))
        let e = try JobEngine(workspace: ws, executors: PhaseExecutors())
        try e.start(run: "imp", only: [.train])
        #expect(e.wait(run: "imp", timeout: 20)); e.shutdown()
        let l = ws.layout("imp")
        for s in [0, 1] {
            #expect(try l.record(.train(s)).status == .done)
            let c = try l.checkpoint(seed: s)
            if copy {
                #expect(c == l.checkpointDir(s))
                #expect(try Data(contentsOf: c.appendingPathComponent("sae.safetensors")) ==
                        Data(contentsOf: (s == 0 ? fixtureSeed0 : fixtureSeed1).appendingPathComponent("sae.safetensors")))
            } else {
                #expect(c.path == (s == 0 ? fixtureSeed0 : fixtureSeed1).path)
                let ref = try WorkspaceJSON.read(CheckpointReference.self, from: l.checkpointDir(s).appendingPathComponent("source.json"))
                #expect(ref.latents == 128 && ref.dIn == 32 && ref.fingerprint["sae.safetensors"] != nil)
            }
            #expect(try SAELoader.load(c).numLatents == 128)
        }
        // The remaining phases have no executor in this engine: they fail honestly.
        let e2 = try JobEngine(workspace: ws, executors: PhaseExecutors())
        try e2.start(run: "imp")
        #expect(e2.wait(run: "imp", timeout: 20)); e2.shutdown()
        let r = try RunReport.build(workspace: ws, run: "imp")
        #expect(r.seeds.map(\.latents) == [128, 128])
        #expect(r.pairs.isEmpty)
        #expect(r.markdown().contains("no matcher available in this build"))
    }

    @Test func importOfCorruptCheckpointFailsNamingTheFile() throws {
        let dir = TestPaths.tempDir("imp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad/seed0")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixtureSeed0.appendingPathComponent("cfg.json"), to: bad.appendingPathComponent("cfg.json"))
        let full = try Data(contentsOf: fixtureSeed0.appendingPathComponent("sae.safetensors"))
        try full.prefix(full.count / 2).write(to: bad.appendingPathComponent("sae.safetensors"))
        let ws = try Workspace.create(at: dir.appendingPathComponent("ws"))
        try ws.createRun(RunSpec(name: "imp", kind: .imported, seeds: [0], imports: [ImportSource(seed: 0, path: bad.path, copy: true)]))
        let e = try JobEngine(workspace: ws, executors: PhaseExecutors())
        try e.start(run: "imp")
        #expect(e.wait(run: "imp", timeout: 20)); e.shutdown()
        let rec = try ws.layout("imp").record(.train(0))
        #expect(rec.status == .failed)
        #expect(rec.error?.contains("bad/seed0/sae.safetensors") == true)
        #expect(rec.error?.contains("\n") == false)
        #expect(!FileManager.default.fileExists(atPath: ws.layout("imp").checkpointDir(0).path))
    }

    @Test func placeholderExpansionQuotesOnlyWhenNeeded() throws {
        let v = ["seed": "3", "out": "/tmp/a b/it's", "data": "/d/acts.safetensors"]
        #expect(try ExternalTrainExecutor.expand("train --seed {seed} --data {data}", v) == "train --seed 3 --data /d/acts.safetensors")
        #expect(try ExternalTrainExecutor.expand("x {out}", v) == "x '/tmp/a b/it'\\''s'")
        #expect(try ExternalTrainExecutor.expand("awk '{print $1}' {seed}", v) == "awk '{print $1}' 3")
        #expect(throws: SeedScopeError.self) { try ExternalTrainExecutor.expand("x {nope}", v) }
    }

    @Test func logFollowerParsesSparsifyAndTqdmLines() throws {
        let dir = TestPaths.tempDir("log")
        defer { try? FileManager.default.removeItem(at: dir) }
        let u = dir.appendingPathComponent("train.log")
        try Data().write(to: u)
        var f = LogFollower(url: u, total: 100)
        let h = try FileHandle(forWritingTo: u)
        h.write(Data("loading model\nstep 12/100 loss=0.25\n".utf8))
        var p = f.poll()
        var up = try #require(p)
        #expect(up.step == 12 && up.total == 100 && up.loss == 0.25)
        h.write(Data(" 45%|████      | 45/100 [00:10<00:12, fvu 0.3, loss: 1.5e-2]\r".utf8))
        p = f.poll()
        up = try #require(p)
        #expect(up.step == 45 && up.loss == 0.015)
        h.write(Data("Step: 7 Loss 3".utf8))   // no newline yet: not parsed until complete
        #expect(f.poll() == nil)
        h.write(Data("\n".utf8))
        p = f.poll()
        up = try #require(p)
        #expect(up.step == 7 && up.loss == 3)
        try h.close()
    }

    func externalSpec(_ command: String, seeds: [Int] = [0, 1]) -> RunSpec {
        RunSpec(name: "ext", kind: .external, seeds: seeds, phases: [.train],
                external: ExternalTrainer(command: command, cwd: TestPaths.root.path))
    }

    @Test func externalCommandOutputIsImported() throws {
        let dir = TestPaths.tempDir("ext")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.create(at: dir)
        // A test-defined command: "trains" by copying the fixture of seed%2 into {out}/layers.3.
        // Like sparsify it also leaves a best-so-far copy under best/ (the final one is imported).
        let cmd = "for i in 1 2 3; do echo \"step $i/3 loss 0.$i\"; done; mkdir -p {out}/r/layers.3 {out}/r/best/layers.3 && cp Tests/Fixtures/sparsify/run/layers.3/seed$(({seed} % 2))/* {out}/r/layers.3/ && cp Tests/Fixtures/sparsify/run/layers.3/seed$((1 - {seed} % 2))/* {out}/r/best/layers.3/"
        try ws.createRun(externalSpec(cmd, seeds: [0, 1, 2]))
        let e = try JobEngine(workspace: ws, executors: PhaseExecutors())
        try e.start(run: "ext")
        #expect(e.wait(run: "ext", timeout: 20)); e.shutdown()
        let l = ws.layout("ext")
        for s in [0, 1, 2] {
            let r = try l.record(.train(s))
            #expect(r.status == .done, "\(r.error ?? "")")
            #expect(try SAELoader.load(l.checkpointDir(s)).numLatents == 128)
            let m = try WorkspaceJSON.read(TrainMetrics.self, from: l.checkpointDir(s).appendingPathComponent("metrics.json"))
            #expect(m.source == "external" && m.steps == 3 && m.finalLoss == 0.3)
            let log = try String(contentsOf: l.trainLog(s), encoding: .utf8)
            #expect(log.contains("step 3/3") && log.contains("exit status 0"))
        }
        #expect(try Data(contentsOf: l.checkpointDir(2).appendingPathComponent("sae.safetensors")) ==
                Data(contentsOf: fixtureSeed0.appendingPathComponent("sae.safetensors")))
    }

    @Test func externalFailureAndMissingOutputAreReported() throws {
        let dir = TestPaths.tempDir("ext")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.create(at: dir)
        try ws.createRun(externalSpec("echo boom; test {seed} = 0 && exit 7; echo nothing > {out}/x.txt"))
        let e = try JobEngine(workspace: ws, executors: PhaseExecutors())
        try e.start(run: "ext")
        #expect(e.wait(run: "ext", timeout: 20)); e.shutdown()
        let l = ws.layout("ext")
        let r0 = try l.record(.train(0)), r1 = try l.record(.train(1))
        #expect(r0.status == .failed && r0.error?.contains("exit status 7") == true && r0.error?.contains("train.log") == true)
        #expect(r1.status == .failed && r1.error?.contains("wrote no loadable SAE checkpoint") == true)
    }

    @Test func cancellingExternalKillsItsProcessGroup() throws {
        let dir = TestPaths.tempDir("ext")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.create(at: dir)
        // A grandchild (sleep) in the background: cancel must reach the whole group.
        try ws.createRun(externalSpec(": {out}; sleep 30 & echo $! > {workdir}/../grandchild.pid; wait", seeds: [0]))
        let e = try JobEngine(workspace: ws, executors: PhaseExecutors())
        try e.start(run: "ext")
        let pidFile = ws.layout("ext").seedDir(0).appendingPathComponent("grandchild.pid")
        #expect(WorkspaceFixture.waitFor { ((try? String(contentsOf: pidFile, encoding: .utf8)) ?? "").hasSuffix("\n") })
        let gpid = try #require(Int32(String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(WorkspaceFixture.waitFor { (try? ws.layout("ext").record(.train(0)).child) != nil })
        let t0 = Date()
        e.cancel(run: "ext")
        #expect(e.wait(run: "ext", timeout: 10)); e.shutdown()
        // SIGTERM must work even though the test runner's threads block signals (spawn resets them).
        #expect(Date().timeIntervalSince(t0) < 3)
        #expect(WorkspaceFixture.waitFor(5) { kill(gpid, 0) != 0 || ChildProcess.isZombie(gpid) })
        let r = try ws.layout("ext").record(.train(0))
        #expect(r.status == .cancelled && r.child == nil)
    }
}
