import Foundation

/// The product's native train phase: one seed of a run trained by `TrainingRun` on the run's dataset.
///
/// Every seed of a run uses the same shuffle seed (`hyper["shuffle_seed"]`, default 42), so the data
/// order is identical across init seeds as in Paulo & Belrose; only the init seed differs. Each seed is
/// its own job (the engine's unit of crash safety); the run's resumable state lives in `workDir`.
/// Hyper-parameters read from the run spec's `hyper`: `batch_size`, `lr`, `l1` (sparsity coefficient
/// for relu/jumprelu), `shuffle_seed`, `checkpoint_every`, `heldout` (fraction of windows), `optimizer`
/// (0 = adam, 1 = signum).
public struct NativeTrainPhase: TrainExecutor {
    public init() {}

    /// The training configuration a run spec asks for.
    public static func config(for spec: RunSpec) throws -> TrainingConfig {
        var c = TrainingConfig()
        guard let arch = SAEArchitecture(rawValue: spec.architecture) else {
            throw SeedScopeError.usage("unknown architecture \"\(spec.architecture)\"")
        }
        c.architecture = arch
        if let m = spec.latents { c.latents = m }
        if let k = spec.k { c.k = k }
        if let s = spec.steps { c.steps = s }
        let h = spec.hyper
        if let b = h["batch_size"] { c.batchSize = Int(b) }
        if let lr = h["lr"] { c.learningRate = lr }
        if let l1 = h["l1"] ?? h["sparsity_coefficient"] { c.sparsityCoefficient = l1 }
        if let s = h["shuffle_seed"] { c.shuffleSeed = UInt64(s) }
        c.checkpointEvery = Int(h["checkpoint_every"] ?? Double(max(50, c.steps / 10)))
        if let o = h["optimizer"], o == 1 { c.optimizer = .signum }
        return c
    }

    public func train(seed: Int, context: JobContext) throws {
        guard let dataPath = context.spec.dataset else {
            throw SeedScopeError.invalid(file: context.layout.dir.path, message: "native run has no dataset")
        }
        let ds = try ActivationDataset(path: dataPath)
        let data = TrainingData.split(ds, heldOutFraction: context.spec.hyper["heldout"] ?? 0.1)
        let config = try Self.config(for: context.spec)
        let resume = context.resume && FileManager.default.fileExists(atPath: context.workDir.appendingPathComponent("checkpoint.json").path)
        if !resume { try? FileManager.default.removeItem(at: context.workDir) }
        let progress = TrainingProgress()
        let control = context.control
        let run = try TrainingRun(config: config, seeds: [UInt64(seed)], data: data, outDir: context.workDir,
                                  resume: resume, progress: progress) { event in
            if case let .step(step, total, metrics, _) = event {
                control.report(step: step, total: total, loss: metrics.first?.fvu,
                               message: metrics.first.map { String(format: "FVU %.3f L0 %.1f", $0.fvu, $0.l0) })
                // Pause blocks here; cancel makes the run checkpoint and stop.
                if (try? control.checkpoint()) == nil { progress.requestStop() }
            }
        }
        run.provenance = [("dataset", .string(dataPath)), ("run", .string(context.spec.name))]
        let result = try run.run()
        guard result.finished else {
            try control.checkpoint()
            throw SeedScopeError.invalid(file: context.workDir.path, message: "training stopped at step \(result.step)")
        }
        let seedDir = context.workDir.appendingPathComponent("seed\(seed)")
        let fm = FileManager.default
        for f in ["cfg.json", "sae.safetensors", "train.jsonl"] where fm.fileExists(atPath: seedDir.appendingPathComponent(f).path) {
            try fm.copyItem(at: seedDir.appendingPathComponent(f), to: context.outputDir.appendingPathComponent(f))
        }
        let s = result.seeds.first
        var metrics = TrainMetrics(steps: result.step, tokens: result.step * config.batchSize,
                                   finalLoss: s?.last?.loss, fvu: s?.heldOut?.fvu ?? s?.last?.fvu,
                                   deadFraction: s?.heldOut?.deadFraction ?? s?.last?.deadFraction,
                                   source: "seedscope native (\(config.architecture.rawValue))")
        if ds.file.contains("true_directions") {
            let truth = try GroundTruth.load(from: ds)
            metrics.groundTruthRecovered = truth.recovered(directions: try SAELoader.load(seedDir).decoder)
        }
        try WorkspaceJSON.write(metrics, to: context.outputDir.appendingPathComponent(TrainMetrics.fileName))
    }
}
