import ArgumentParser
import Foundation
import SAEKit
import Synchronization

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train SAEs with several init seeds on the same activations (TopK, BatchTopK, ReLU+L1, JumpReLU).",
        discussion: """
        Writes RUN/seed{N}/ (cfg.json + sae.safetensors in sparsify layout, train.jsonl, checkpoint/) and
        RUN/checkpoint.json. All seeds see identical batches (order fixed by --shuffle-seed). --resume continues
        a run exactly where its last checkpoint stopped.
        """)

    @Option(help: "Activation dataset (.safetensors with `activations`, or a folder holding activations.safetensors).")
    var data: String
    @Option(help: "Held-out activations file; without it the last --heldout fraction of the data's windows is held out.")
    var evalData: String?
    @Option(help: "Fraction of windows held out for evaluation when --eval-data is not given.")
    var heldout: Double = 0.1
    @Option(help: "topk, batchtopk, relu or jumprelu.")
    var arch: String = "topk"
    @Option(help: "Active latents per token (topk; average per token for batchtopk).")
    var k: Int = 32
    @Option(help: "Number of latents.")
    var latents: Int = 4608
    @Option(help: "Sparsity coefficient λ: L1 (relu) or L0 (jumprelu), SAELens units (see docs/DECISIONS.md).")
    var l1: Double = 5
    @Option(help: "Comma-separated init seeds, e.g. 0,1,2.")
    var seeds: String = "0"
    @Option(help: "Optimizer steps.")
    var steps: Int = 1000
    @Option(help: "Tokens per batch.")
    var batch: Int = 1024
    @Option(help: "Learning rate (default: sparsify's 2e-4/√(m/2¹⁴) for adam, 5e-3/√(m/2¹⁴) for signum).")
    var lr: Double?
    @Option(help: "adam (warm-up + linear decay) or signum (SignSGD + Schedule-Free, sparsify's default).")
    var optimizer: String = "adam"
    @Option(help: "Adam warm-up steps (default min(1000, steps/10)).")
    var warmup: Int?
    @Option(help: "Seed of the data order (identical for every init seed).")
    var shuffleSeed: UInt64 = 42
    @Option(help: "AuxK coefficient (topk/batchtopk); 0 disables AuxK.")
    var auxkAlpha: Double = 1.0 / 32.0
    @Option(help: "Tokens without firing after which a latent counts as dead (default min(10M, total tokens/10)).")
    var deadTokens: Int?
    @Option(help: "Write a resumable checkpoint every N steps (0: only when stopped early).")
    var checkpointEvery: Int = 500
    @Option(help: "Output run folder.")
    var out: String
    @Flag(help: "Continue the run in --out from its last checkpoint (its stored settings win).")
    var resume = false
    @Flag(help: "JSON lines on stdout (one per step, held-out evaluation and save).")
    var json = false

    func run() throws {
        try runReportingErrors {
            guard let a = SAEArchitecture(rawValue: arch), a != .gated else {
                throw SeedScopeError.usage("--arch must be topk, batchtopk, relu or jumprelu (got \"\(arch)\")")
            }
            guard let opt = TrainingOptimizer(rawValue: optimizer) else {
                throw SeedScopeError.usage("--optimizer must be adam or signum (got \"\(optimizer)\")")
            }
            let seedList = try seeds.split(separator: ",").map { s -> UInt64 in
                guard let v = UInt64(s.trimmingCharacters(in: .whitespaces)) else { throw SeedScopeError.usage("--seeds: \"\(s)\" is not a seed") }
                return v
            }
            guard heldout >= 0 && heldout < 1 else { throw SeedScopeError.usage("--heldout must be in [0, 1)") }
            var cfg = TrainingConfig()
            cfg.architecture = a; cfg.k = k; cfg.latents = latents; cfg.sparsityCoefficient = l1; cfg.steps = steps
            cfg.batchSize = batch; cfg.learningRate = lr; cfg.optimizer = opt; cfg.warmupSteps = warmup
            cfg.shuffleSeed = shuffleSeed; cfg.auxkAlpha = auxkAlpha; cfg.deadTokens = deadTokens
            cfg.checkpointEvery = checkpointEvery
            let ds = try ActivationDataset(path: data)
            let td: TrainingData
            if let e = evalData {
                td = try TrainingData.separate(train: ds, eval: try ActivationDataset(path: e))
            } else {
                td = TrainingData.split(ds, heldOutFraction: heldout)
            }
            let json = self.json
            let tty = isatty(2) != 0 && !json
            let clock = StepClock()
            let observer: @Sendable (TrainingEvent) -> Void = { ev in
                switch ev {
                case let .step(step, total, mets, tps):
                    if json {
                        let seeds = mets.map { m in JSONValue.object([("fvu", .double(m.fvu)), ("l0", .double(m.l0)),
                            ("dead_fraction", .double(m.deadFraction)), ("auxk_loss", .double(m.auxkLoss)), ("loss", .double(m.loss))]) }
                        print(JSONValue.object([("event", .string("step")), ("step", .int(Int64(step))), ("total", .int(Int64(total))),
                                                ("lr", .double(mets.first?.learningRate ?? 0)), ("tokens_per_s", .double(tps)),
                                                ("seeds", .array(seeds))]).serialized())
                    } else if tty && (step % 5 == 0 || step == total) {
                        let width = 30, filled = width * step / max(total, 1)
                        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                        let fvus = mets.map { String(format: "%.3f", $0.fvu) }.joined(separator: " ")
                        let l0 = mets.first.map { String(format: "%.1f", $0.l0) } ?? "-"
                        let eta = clock.eta(step: step, total: total)
                        FileHandle.standardError.write(Data(String(format: "\r%@ %d/%d  fvu %@  L0 %@  %.0f tok/s  eta %.0fs ", bar, step, total, fvus, l0, tps, eta).utf8))
                        if step == total { FileHandle.standardError.write(Data("\n".utf8)) }
                    }
                case let .heldOut(seed, step, h):
                    if json {
                        print(JSONValue.object([("event", .string("heldout")), ("seed", .int(Int64(bitPattern: seed))), ("step", .int(Int64(step))),
                                                ("fvu", .double(h.fvu)), ("l0", .double(h.l0)), ("dead_fraction", .double(h.deadFraction)),
                                                ("tokens", .int(Int64(h.tokens)))]).serialized())
                    } else if !tty {
                        print(String(format: "seed %llu step %d: held-out FVU %.4f, L0 %.1f, dead %.3f", seed, step, h.fvu, h.l0, h.deadFraction))
                    }
                case let .checkpoint(step):
                    if json { print(JSONValue.object([("event", .string("checkpoint")), ("step", .int(Int64(step)))]).serialized()) }
                case let .saved(seed, path):
                    if json { print(JSONValue.object([("event", .string("saved")), ("seed", .int(Int64(bitPattern: seed))), ("path", .string(path))]).serialized()) }
                }
            }
            let run = try TrainingRun(config: cfg, seeds: seedList, data: td, outDir: URL(fileURLWithPath: out),
                                      resume: resume, observer: observer)
            run.provenance = [("data", .string(ds.path))] + (ds.metadata["hookpoint"].map { [("hookpoint", .string($0))] } ?? [])
            if !json {
                print("training \(run.config.architecture.rawValue) m=\(run.config.latents) k=\(run.config.k) on \(td.trainRows.count) rows (held out \(td.evalRows.count)), seeds \(run.seeds.map(String.init).joined(separator: ",")), \(run.config.steps) steps × \(run.config.batchSize), \(run.config.optimizer.rawValue) lr \(run.config.lr)")
            }
            let res = try run.run()
            if !json {
                for s in res.seeds {
                    let h = s.heldOut.map { String(format: "held-out FVU %.4f  L0 %.1f  dead %.3f", $0.fvu, $0.l0, $0.deadFraction) } ?? "no held-out rows"
                    print("seed \(s.seed): \(s.path.path)  \(h)")
                }
                print(String(format: "%.0f tokens/s", res.tokensPerSecond))
            } else {
                print(JSONValue.object([("event", .string("done")), ("steps", .int(Int64(res.step))), ("tokens_per_s", .double(res.tokensPerSecond)),
                                        ("seeds", .array(res.seeds.map { s in .object([("seed", .int(Int64(bitPattern: s.seed))), ("path", .string(s.path.path)),
                                            ("heldout_fvu", s.heldOut.map { .double($0.fvu) } ?? .null)]) }))]).serialized())
            }
        }
    }
}

/// Remaining-time estimate from the steps seen by this process.
final class StepClock: Sendable {
    private let first = Mutex<(step: Int, t: Double)?>(nil)
    func eta(step: Int, total: Int) -> Double {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        return first.withLock { f in
            guard let f0 = f else { f = (step, now); return 0 }
            let done = step - f0.step
            return done > 0 ? (now - f0.t) / Double(done) * Double(total - step) : 0
        }
    }
}
