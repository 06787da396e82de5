import Foundation
import Testing
@testable import SAEKit

@Suite("RunReport")
struct WorkspaceReportTests {
    @Test func reportRendersEverySection() throws {
        let dir = TestPaths.tempDir("report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.create(at: dir)
        try ws.createRun(WorkspaceFixture.spec("r"))
        let log = ExecutionLog()
        let e = try JobEngine(workspace: ws, executors: WorkspaceFixture.executors(log))
        try e.start(run: "r")
        #expect(e.wait(run: "r", timeout: 20)); e.shutdown()
        let r = try RunReport.build(workspace: ws, run: "r")
        #expect(r.pairs.map(\.seeds) == [[0, 1], [0, 2], [1, 2]])
        let avg = try #require(r.averages)
        // FakeMatch: fraction of "shared" = 0.4 + 0.01(a+b) → mean over pairs (1, 2, 3) = 0.42.
        #expect(abs(avg.criteria["shared"]! - 0.42) < 1e-12)
        #expect(abs(avg.pwMcc - 0.62) < 1e-12)
        let md = r.markdown()
        for s in ["## Training", "## Dead latents", "## Pairwise matching", "PW-MCC", "Excluding dead latents", "only in 1", "in all 3", "42.0%"] {
            #expect(md.contains(s), "markdown lacks \(s)")
        }
        #expect(!md.contains("Unfinished jobs"))
        let csv = r.csv().split(separator: "\n")
        #expect(csv.count == 4)
        #expect(csv[0].hasPrefix("seed_a,seed_b,threshold,shared,equal_threshold"))
        #expect(csv[1].hasPrefix("0,1,0.700000,0.410000,"))
        let j = try JSONValue.parse(try r.json())
        #expect(j["schema"]?.stringValue == RunReport.schemaID)
        #expect(j["pairs"]?.arrayValue?.count == 3)
        #expect(j["consensus"]?["bases"]?.arrayValue?.first?["shared_in"]?.arrayValue?.count == 3)
    }

    @Test func wrongSchemaIsRejected() throws {
        let dir = TestPaths.tempDir("report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ws = try Workspace.create(at: dir)
        try ws.createRun(WorkspaceFixture.spec("r", seeds: [0, 1], profile: false))
        let log = ExecutionLog()
        let e = try JobEngine(workspace: ws, executors: WorkspaceFixture.executors(log))
        try e.start(run: "r")
        #expect(e.wait(run: "r", timeout: 20)); e.shutdown()
        let u = ws.layout("r").matchDir(SeedPair(a: 0, b: 1)).appendingPathComponent("summary.json")
        var s = try WorkspaceJSON.read(PairSummary.self, from: u)
        s.schema = "other/9"
        try WorkspaceJSON.write(s, to: u)
        #expect(throws: SeedScopeError.self) { _ = try RunReport.build(workspace: ws, run: "r") }
    }
}
