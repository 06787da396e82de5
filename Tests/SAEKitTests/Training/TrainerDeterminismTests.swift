import Foundation
import Testing
@testable import SAEKit

/// Same seeds → bitwise-equal weights; different init seeds → different weights on the same
/// batches; stopping after step s and resuming from the checkpoint → the uninterrupted run's weights.
@Suite("Trainer determinism and resume")
struct TrainerDeterminismTests {
    static let data = TinyFeatureData(d: 16, features: 48, l0: 3, rows: 6000, seed: 11)

    static func tdata() -> TrainingData {
        let src = InMemoryActivations(data.activations)
        return TrainingData(source: src, trainRows: Array(0..<5000), evalRows: Array(5000..<6000))
    }

    static func config(_ arch: SAEArchitecture, _ opt: TrainingOptimizer = .adam) -> TrainingConfig {
        var c = TrainingConfig()
        c.architecture = arch; c.optimizer = opt; c.latents = 64; c.k = 3; c.steps = 40; c.batchSize = 128
        c.learningRate = 3e-3; c.deadTokens = 512; c.sparsityCoefficient = 2; c.checkpointEvery = 15
        return c
    }

    func full(_ cfg: TrainingConfig, seeds: [UInt64]) throws -> [[String: [Float]]] {
        let out = TestPaths.tempDir("det")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try TrainingRun(config: cfg, seeds: seeds, data: Self.tdata(), outDir: out)
        _ = try run.run()
        return run.parameterValues()
    }

    @Test(arguments: [SAEArchitecture.topk, .batchtopk, .relu, .jumprelu])
    func sameSeedsSameWeights(_ arch: SAEArchitecture) throws {
        let cfg = Self.config(arch)
        let a = try full(cfg, seeds: [0, 1])
        let b = try full(cfg, seeds: [0, 1])
        #expect(a == b)
        #expect(a[0]["encoder.weight"] != a[1]["encoder.weight"], "different init seeds must differ")
        // Thread count of seedscope's own kernels does not change the result.
        let saved = TrainParallel.threads
        TrainParallel.threads = 1
        defer { TrainParallel.threads = saved }
        let c = try full(cfg, seeds: [0, 1])
        #expect(a == c, "1-thread and \(saved)-thread kernels differ")
    }

    @Test(arguments: [(SAEArchitecture.topk, TrainingOptimizer.adam), (.batchtopk, .signum), (.jumprelu, .adam), (.relu, .signum)])
    func resumeEqualsUninterrupted(_ arch: SAEArchitecture, _ opt: TrainingOptimizer) throws {
        var cfg = Self.config(arch, opt)
        if arch == .topk { cfg.deadTokens = 128 }   // AuxK active across the resume
        let reference = try full(cfg, seeds: [3, 4])
        let out = TestPaths.tempDir("resume")
        defer { try? FileManager.default.removeItem(at: out) }
        print("resume \(arch)/\(opt): stop after 23, resume from its checkpoint")
        let first = try TrainingRun(config: cfg, seeds: [3, 4], data: Self.tdata(), outDir: out)
        let partial = try first.run(stopAfter: 23)
        #expect(!partial.finished && partial.step == 23)
        #expect(throws: SeedScopeError.self) { try TrainingRun(config: cfg, seeds: [3, 4], data: Self.tdata(), outDir: out) }
        let second = try TrainingRun(config: TrainingConfig(), seeds: [], data: Self.tdata(), outDir: out, resume: true)
        let res = try second.run()
        #expect(res.finished && res.step == 40)
        #expect(second.parameterValues() == reference)
        // The log has exactly one line per step plus held-out lines (checkpoints 15 and 30, and the end).
        let log = try String(contentsOf: out.appendingPathComponent("seed3/train.jsonl"), encoding: .utf8)
        let lines = log.split(separator: "\n").map { try! JSONValue.parse(String($0)) }
        #expect(lines.filter { $0["fvu"] != nil }.compactMap { $0["step"]?.intValue } == (1...40).map(Int64.init))
        #expect(lines.filter { $0["heldout_fvu"] != nil }.compactMap { $0["step"]?.intValue } == [15, 30, 40])
        let sae = try SAELoader.load(out.appendingPathComponent("seed3"))
        #expect(sae.architecture == arch)
        #expect(sae.info.seed == 3)
    }
}
