import Foundation
import Testing
@testable import SAEKit

/// Checks against the real `seedscope` binary in another process (skipped when it is not built).
@Suite("WorkspaceCLI")
struct WorkspaceCLITests {
    static let binary = TestPaths.root.appendingPathComponent(".build/release/seedscope")
    static var haveBinary: Bool { FileManager.default.isExecutableFile(atPath: binary.path) }

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ args: [String]) throws -> Output {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test(.enabled(if: haveBinary)) func secondProcessGetsReadOnlyMessage() throws {
        let dir = TestPaths.tempDir("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.create(at: dir)
        try ws.createRun(RunSpec(name: "r", kind: .external, seeds: [0], external: ExternalTrainer(command: "true {out}", cwd: "/")))
        let o = try Self.run(["run", "start", "r", "--workspace", dir.path, "--wait"])
        #expect(o.status == 1)
        #expect(o.stderr == "seedscope: cannot start run r: workspace \(dir.path) is open in process \(getpid()) (read-only)\n")
        // Read-only commands work meanwhile and see this process as the holder.
        let st = try Self.run(["run", "status", "--workspace", dir.path, "--json"])
        #expect(st.status == 0)
        #expect(try JSONValue.parse(st.stdout)["engine_pid"]?.intValue == Int64(getpid()))
        #expect(try ws.layout("r").record(.train(0)).status == .pending)
    }

    @Test(.enabled(if: haveBinary)) func cliAndEngineAPIGiveIdenticalResults() throws {
        let dir = TestPaths.tempDir("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixture = TestPaths.fixture("sparsify/run")
        // CLI in a separate process.
        let o = try Self.run(["import", fixture.path, "--workspace", dir.appendingPathComponent("cli").path, "--run", "r", "--copy", "--json"])
        #expect(o.status == 0, "\(o.stderr)")
        // The same through the API.
        let ws = try Workspace.create(at: dir.appendingPathComponent("api"))
        let seeds = [0, 1].map { ImportSource(seed: $0, path: fixture.appendingPathComponent("layers.3/seed\($0)").path, copy: true) }
        try ws.createRun(RunSpec(name: "r", kind: .imported, architecture: "topk", latents: 128, seeds: [0, 1], imports: seeds))
        let e = try JobEngine(workspace: ws, executors: PhaseExecutors())
        try e.start(run: "r", only: [.train])
        #expect(e.wait(run: "r", timeout: 20)); e.shutdown()
        ws.close()
        let cliWS = try Workspace.open(dir.appendingPathComponent("cli"), mode: .readOnly)
        #expect(try cliWS.spec("r").imports == seeds)
        for s in [0, 1] {
            for f in ["sae.safetensors", "cfg.json", "metrics.json"] {
                let a = try Data(contentsOf: cliWS.layout("r").checkpointDir(s).appendingPathComponent(f))
                let b = try Data(contentsOf: ws.layout("r").checkpointDir(s).appendingPathComponent(f))
                #expect(a == b, "seed \(s) \(f) differs")
            }
        }
        func normalized(_ w: Workspace) throws -> String {
            var r = try RunReport.build(workspace: w, run: "r")
            r.generated = Date(timeIntervalSince1970: 0)
            for i in r.jobs.indices { r.jobs[i].seconds = nil }
            for i in r.seeds.indices { r.seeds[i].checkpoint = nil }
            return try r.json()
        }
        #expect(try normalized(cliWS) == normalized(ws))
    }
}
