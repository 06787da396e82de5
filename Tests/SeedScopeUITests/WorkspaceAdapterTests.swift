import Foundation
import Testing
import SAEKit
@testable import SeedScopeUI

/// `WorkspaceExplorerData` over a real (small, untrained) workspace: three imported checkpoints
/// (sparsify fixtures seed0/seed1 and a permuted copy of seed0), real matcher output in the run
/// layout's match folders, real profiles on a generated d=32 dataset.
@Suite(.serialized) struct WorkspaceAdapterTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/sparsify/run/layers.3")

    struct Built {
        var root: URL
        var saes: [SparseAutoencoder]
        var perm: [Int]
        var m01: SAEKit.PairMatch
        var m21: SAEKit.PairMatch
    }

    static func build() throws -> Built {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("seedscope-adapter-\(UUID().uuidString)")
        var cfg = SyntheticConfig()
        cfg.dim = 32; cfg.features = 64; cfg.tokens = 4096; cfg.windowLength = 64; cfg.seed = 3
        let data = root.appendingPathComponent("data")
        try SyntheticGenerator.generate(cfg).write(to: data)
        let s0 = try SAELoader.load(fixtures.appendingPathComponent("seed0"))
        let s1 = try SAELoader.load(fixtures.appendingPathComponent("seed1"))
        var rng = SeededRNG(seed: 11)
        let perm = rng.permutation(s0.numLatents)
        let s2 = MatchControls.permuted(s0, perm: perm)
        let ws = try Workspace.create(at: root.appendingPathComponent("ws"))
        let spec = RunSpec(name: "fixture-run", kind: .imported, dataset: data.appendingPathComponent("activations.safetensors").path,
                           architecture: "topk", k: 8, seeds: [0, 1, 2],
                           imports: [0, 1, 2].map { ImportSource(seed: $0, path: "/dev/null", copy: true) })
        try ws.createRun(spec)
        let l = ws.layout(spec.name)
        let ds = try ActivationDataset(path: data.appendingPathComponent("activations.safetensors").path)
        for (s, sae) in [s0, s1, s2].enumerated() {
            try SAECheckpoint.writeSparsifyLayout(sae, to: l.checkpointDir(s))
            try FileManager.default.createDirectory(at: l.profileDir(s), withIntermediateDirectories: true)
            try Profiler.profile(sae, dataset: ds).write(to: l.profileDir(s).appendingPathComponent(WorkspaceExplorerData.profileFileName))
        }
        let m01 = try PairMatcher.match(s0, s1), m02 = try PairMatcher.match(s0, s2), m21 = try PairMatcher.match(s2, s1)
        try m01.save(to: l.matchDir(SeedPair(a: 0, b: 1)))
        try m02.save(to: l.matchDir(SeedPair(a: 0, b: 2)))
        try m21.save(to: l.matchDir(SeedPair(a: 2, b: 1)))  // only the reverse of pair 1-2 exists
        for p in JobPlan.jobs(for: spec, layout: l) { try l.writeRecord(JobRecord(job: p.id.description, status: .done), p.id) }
        ws.close()
        return Built(root: root, saes: [s0, s1, s2], perm: perm, m01: m01, m21: m21)
    }

    @Test func adapterOutputsAndViews() throws {
        let b = try Self.build()
        defer { try? FileManager.default.removeItem(at: b.root) }
        let d = try WorkspaceExplorerData(url: b.root.appendingPathComponent("ws"), startEngine: false, pollInterval: 0)
        let runs = d.runs()
        #expect(runs.count == 1)
        let r = try #require(runs.first)
        #expect(r.status == .ready && r.width == 128 && r.seeds == [0, 1, 2] && r.architecture == "topk k=8" && r.dataset == "data")

        let run = try #require(d.run("fixture-run"))
        #expect(run.latents.count == 3 && run.profiledTokens > 0 && run.method == b.m01.provenance.method)
        for s in run.latents {
            #expect(s.firingFrequency.count == 128 && s.maxActivation.count == 128 && s.dead.count == 128 && s.topTokens.count == 128)
        }
        let alive = try #require((0..<128).first { !run.latents[0].dead[$0] })
        #expect(!run.latents[0].topTokens[alive].isEmpty)
        // Permuted copy: same statistics in permuted order.
        #expect(run.latents[2].maxActivation[0] == run.latents[0].maxActivation[b.perm[0]])

        // Forward pair: partner = decoder assignment.
        let p01 = try #require(d.pair("fixture-run", from: 0, to: 1))
        #expect(p01.partner == b.m01.decoder.assignment.map { Int32($0) })
        #expect(p01.decoderMaxCos == b.m01.decoder.maxA.value && p01.agreement.allSatisfy(\.isNaN))
        // Permuted control: latent perm[i] of seed 0 is latent i of seed 2, cosine 1.
        let p02 = try #require(d.pair("fixture-run", from: 0, to: 2))
        for i in 0..<128 { #expect(p02.partner[b.perm[i]] == Int32(i)) }
        #expect(p02.decoderCos.allSatisfy { $0 > 0.999 })
        // Reverse only on disk: inverted assignment.
        let p12 = try #require(d.pair("fixture-run", from: 1, to: 2))
        for (i, j) in b.m21.decoder.assignment.enumerated() { #expect(p12.partner[j] == Int32(i)) }
        #expect(p12.decoderMaxCos == b.m21.decoder.maxB.value)

        // Card: top window tokens are the tokenizer's display forms of the profile's span.
        let card = try #require(d.latentCard("fixture-run", seed: 0, latent: alive))
        let raw = try ProfileStore(url: b.root.appendingPathComponent("ws/runs/fixture-run/seed0/profile/profile.safetensors")).card(alive)
        let tok = try Tokenizer(path: b.root.appendingPathComponent("data/tokenizer.json").path)
        let w0 = try #require(card.topWindows.first)
        #expect(w0.tokens == tok.displayForms(Array(raw.top[0].spanTokens)) && w0.activations == raw.top[0].activations)
        #expect(w0.tokens[raw.top[0].spanArgmax] == run.latents[0].topTokens[alive])
        #expect(card.histogramCounts.reduce(0, +) > 0 && card.intervals.count == raw.intervals.count)

        // Baseline computed in the background: revision bumps, then 128 samples each.
        let deadline = Date().addingTimeInterval(20)
        while d.run("fixture-run")?.baselineDecoderMaxCos.isEmpty ?? true, Date() < deadline { usleep(20_000) }
        let withBase = try #require(d.run("fixture-run"))
        #expect(withBase.baselineDecoderMaxCos.count == 128 && withBase.baselineEncoderMaxCos.count == 128)
        #expect(FileManager.default.fileExists(atPath: b.root.appendingPathComponent("ws/runs/fixture-run/baseline-random-init.json").path))

        // Through the TUI: runs → overview → table → latent card.
        let a = UITest.app(160, 40, provider: d, ticks: 3)
        #expect(UITest.render(a).text.contains("fixture-run"))
        a.send("<Enter>"); #expect(a.topKind == .overview)
        a.send("t"); #expect(a.topKind == .table)
        a.send("<Enter>"); #expect(a.topKind == .latent)
        let crumb = try #require(a.breadcrumbs.last)
        let latent = try #require(Int(crumb.split(separator: "/").last ?? ""))
        let shown = UITest.render(a).text
        if let c = d.latentCard("fixture-run", seed: 0, latent: latent), let w = c.topWindows.first {
            #expect(shown.contains(w.tokens[w.activations.firstIndex(of: w.activations.max()!)!].trimmingCharacters(in: .whitespaces)))
        }
    }

    @Test func launchCreatesAndEnqueuesRun() throws {
        let b = try Self.build()
        defer { try? FileManager.default.removeItem(at: b.root) }
        let d = try WorkspaceExplorerData(url: b.root.appendingPathComponent("ws"), pollInterval: 0)
        #expect(d.engine != nil && d.jobs().isEmpty, "a finished run must not be restarted on open")
        let data = b.root.appendingPathComponent("data/activations.safetensors").path
        #expect(throws: (any Error).self) { try d.launch(LaunchRequest(dataset: data, architecture: "topk", sparsity: 2.5, width: 64, seeds: [0], steps: 10)) }
        let job = try d.launch(LaunchRequest(dataset: data, architecture: "topk", sparsity: 8, width: 64, seeds: [0, 1], steps: 10))
        #expect(job == "data-topk-m64/train-seed0")
        let r = try #require(d.runs().first { $0.id == "data-topk-m64" })
        #expect(r.seeds == [0, 1] && r.width == 64 && r.architecture == "topk k=8")
        #expect(d.jobs().contains { $0.id == job })
        d.cancel(job: job)
        _ = d.engine?.wait(run: "data-topk-m64", timeout: 10)
        let st = d.jobs().first { $0.id == job }?.state
        #expect(st == .cancelled || st == .failed)
    }

    @Test func readOnlyShowsNoticeAndDiskJobs() throws {
        let b = try Self.build()
        defer { try? FileManager.default.removeItem(at: b.root) }
        let holder = try Workspace.open(b.root.appendingPathComponent("ws"))
        defer { holder.close() }
        let d = try WorkspaceExplorerData(url: b.root.appendingPathComponent("ws"))
        #expect(d.engine == nil && d.readOnlyReason != nil)
        let jobs = d.jobs()
        #expect(jobs.first?.id == "read-only")
        #expect(jobs.contains { $0.id == "fixture-run/match-seed0-seed1" && $0.state == .done })
        #expect(throws: (any Error).self) { try d.launch(LaunchRequest(dataset: "x", architecture: "topk", sparsity: 8, width: 64, seeds: [0], steps: 10)) }
    }
}

/// Timing of `run(_:)` at 8 seeds × 32K latents (d=32 random-init SAEs profiled on 8K generated
/// tokens; the profile is copied to all 8 seeds). Opt-in: SEEDSCOPE_ADAPTER_TIMING=1.
@Suite struct WorkspaceAdapterTiming {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SEEDSCOPE_ADAPTER_TIMING"] == "1"))
    func runAt8x32K() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("seedscope-adapter-t-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var cfg = SyntheticConfig()
        cfg.dim = 32; cfg.features = 64; cfg.tokens = 8192; cfg.windowLength = 64; cfg.seed = 5
        let data = root.appendingPathComponent("data")
        try SyntheticGenerator.generate(cfg).write(to: data)
        let seeds = Array(0..<8)
        let sae = MatchControls.randomInit(numLatents: 32768, dIn: 32, k: 32, seed: 9)
        let ws = try Workspace.create(at: root.appendingPathComponent("ws"))
        let spec = RunSpec(name: "big", kind: .imported, dataset: data.appendingPathComponent("activations.safetensors").path,
                           architecture: "topk", k: 32, latents: 32768, seeds: seeds,
                           imports: seeds.map { ImportSource(seed: $0, path: "/dev/null", copy: true) })
        try ws.createRun(spec)
        let l = ws.layout("big")
        let ds = try ActivationDataset(path: data.appendingPathComponent("activations.safetensors").path)
        let t0 = Date()
        let store = try Profiler.profile(sae, dataset: ds)
        print("profile 32K latents: \(Date().timeIntervalSince(t0)) s")
        for s in seeds {
            try FileManager.default.createDirectory(at: l.profileDir(s), withIntermediateDirectories: true)
            try store.write(to: l.profileDir(s).appendingPathComponent(WorkspaceExplorerData.profileFileName))
        }
        ws.close()
        let d = try WorkspaceExplorerData(url: root.appendingPathComponent("ws"), startEngine: false, pollInterval: 0)
        for label in ["first (opens 8 profiles)", "second (stores kept)"] {
            let t = Date()
            let r = try #require(d.run("big"))
            print("run() \(label): \(String(format: "%.1f", Date().timeIntervalSince(t) * 1000)) ms, \(r.latents.count)×\(r.latents[0].topTokens.count)")
        }
    }
}
