import Foundation

/// What a finished (or stopped) run produced, per seed in seed order.
public struct TrainingResult: Sendable {
    public struct Seed: Sendable {
        public var seed: UInt64
        /// The SAE folder (`RUN/seed{N}`), written only when the run reached its last step.
        public var path: URL
        public var last: StepMetrics?
        public var heldOut: HeldOutMetrics?
    }
    public var seeds: [Seed]
    /// Steps completed.
    public var step: Int
    public var finished: Bool
    public var tokensPerSecond: Double
}

/// Trains one SAE per init seed on the same batches (sparsify `--init_seeds`), writing
/// `RUN/seed{N}/{cfg.json, sae.safetensors, train.jsonl, checkpoint/}` and `RUN/checkpoint.json`.
///
/// Per step: one batch read (the `EpochShuffler` order, fixed by `shuffleSeed`), then for each
/// seed forward + backward + optimizer step. Deterministic: the same config, seeds and data give
/// bit-identical weights, and resuming from a checkpoint gives the same weights as not stopping
/// (same OpenBLAS kernel and thread count; see docs/DECISIONS.md).
public final class TrainingRun {
    public let config: TrainingConfig
    public let seeds: [UInt64]
    public let data: TrainingData
    public let outDir: URL
    let trainers: [SeedTrainer]
    var shuffler: EpochShuffler
    let progress: TrainingProgress?
    let observer: (@Sendable (TrainingEvent) -> Void)?
    /// Extra provenance merged into every cfg.json under "seedscope" (e.g. the dataset path).
    public var provenance: [(String, JSONValue)] = []

    /// Starts a new run in `outDir` (which must not already hold a checkpoint) or, with
    /// `resume`, continues the one there (its stored config and seeds win over the arguments).
    public init(config: TrainingConfig, seeds: [UInt64], data: TrainingData, outDir: URL, resume: Bool = false,
                progress: TrainingProgress? = nil, observer: (@Sendable (TrainingEvent) -> Void)? = nil) throws {
        let d = data.source.dim
        var cfg = config, sd = seeds
        var resumeState: TrainingCheckpoint.RunState? = nil
        if resume {
            let st = try TrainingCheckpoint.readRun(outDir)
            guard st.trainRows == data.trainRows.count else {
                throw SeedScopeError.invalid(file: outDir.appendingPathComponent("checkpoint.json").path,
                                             message: "checkpoint was trained on \(st.trainRows) rows but the data has \(data.trainRows.count)")
            }
            cfg = st.config; sd = st.seeds; resumeState = st
        } else if FileManager.default.fileExists(atPath: outDir.appendingPathComponent("checkpoint.json").path) {
            throw SeedScopeError.usage("\(outDir.path) already holds a training run; use --resume or another --out")
        }
        try cfg.validate(dim: d)
        guard !sd.isEmpty, Set(sd).count == sd.count else { throw SeedScopeError.usage("--seeds must be distinct and non-empty") }
        guard !data.trainRows.isEmpty else { throw SeedScopeError.usage("no training rows in the data") }
        self.config = cfg; self.seeds = sd; self.data = data; self.outDir = outDir
        self.progress = progress; self.observer = observer
        trainers = sd.map { SeedTrainer(seed: $0, config: cfg, dim: d) }
        shuffler = EpochShuffler(rows: data.trainRows, seed: cfg.shuffleSeed, epoch: resumeState?.epoch ?? 0,
                                 offset: resumeState?.offset ?? 0)
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        if let st = resumeState {
            for t in trainers { try TrainingCheckpoint.load(outDir, into: t, step: st.step) }
            for t in trainers { try TrainingLog.truncate(logURL(t.seed), afterStep: st.step) }
        } else {
            for t in trainers { try? FileManager.default.removeItem(at: logURL(t.seed)) }
        }
    }

    func logURL(_ seed: UInt64) -> URL { outDir.appendingPathComponent("seed\(seed)/train.jsonl") }

    /// The SAE of each seed as it stands now (for tests and the engine).
    public func currentSAEs() -> [SparseAutoencoder] { trainers.map { $0.currentSAE() } }

    /// Raw parameter values per seed (name → values), for exact comparisons in tests.
    public func parameterValues() -> [[String: [Float]]] {
        trainers.map { t in Dictionary(uniqueKeysWithValues: t.params.map { ($0.name, $0.value.array) }) }
    }

    /// Trains until `config.steps` (or `stopAfter` steps, or a stop request — both leave a checkpoint
    /// and no final SAE). Returns the per-seed results.
    public func run(stopAfter: Int? = nil) throws -> TrainingResult {
        let B = config.batchSize, d = data.source.dim
        let ws = TrainWorkspace(B: B, d: d, m: config.latents, activeCapacity: config.k * B)
        let batch = TrainBatch(rows: B, d: d)
        var logs = try trainers.map { try TrainingLog(url: logURL($0.seed)) }
        var last = [StepMetrics?](repeating: nil, count: trainers.count)
        let t0 = DispatchTime.now().uptimeNanoseconds
        var stepsThisRun = 0
        var tps = 0.0
        progress?.update { $0.totalSteps = config.steps; $0.seeds = seeds; $0.step = trainers[0].step
            $0.heldOut = Array(repeating: nil, count: seeds.count) }
        while trainers[0].step < config.steps {
            let rows = shuffler.next(B)
            let x = try TrainingEvaluation.gatherContiguous(data.source, rows)
            x.data.withUnsafeBufferPointer { batch.x.p.update(from: $0.baseAddress!, count: B * d) }
            if x.hasNonFinite {
                throw SeedScopeError.invalid(file: (data.source as? ActivationDataset)?.path ?? "data",
                                             message: "NaN or infinite activation in training row \(rows[(x.firstNonFiniteRow() ?? 0)])")
            }
            batch.computeStatistics()
            for (si, t) in trainers.enumerated() {
                if t.step == 0 { t.initialiseFromFirstBatch(mean: batch.mean, totalVariance: batch.totalVariance, tokens: B) }
                let met = (config.architecture == .topk || config.architecture == .batchtopk)
                    ? t.sparseForwardBackward(batch, ws) : t.denseForwardBackward(batch, ws)
                guard met.loss.isFinite else {
                    throw SeedScopeError.invalid(file: outDir.path, message: "seed \(t.seed): loss became \(met.loss) at step \(met.step) (learning rate \(met.learningRate) too high?)")
                }
                t.optimizerStep()
                last[si] = met
                try logs[si].append(met)
            }
            stepsThisRun += 1
            let step = trainers[0].step
            tps = Double(stepsThisRun * B) / (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            let mets = last.compactMap { $0 }
            progress?.update { $0.step = step; $0.latest = mets; $0.tokensPerSecond = tps }
            observer?(.step(step: step, totalSteps: config.steps, metrics: mets, tokensPerSecond: tps))
            let stopping = step == stopAfter || (progress?.stopRequested ?? false)
            let periodic = config.checkpointEvery > 0 && step % config.checkpointEvery == 0 && step < config.steps
            if periodic || (stopping && step < config.steps) {
                for i in logs.indices { try logs[i].flush() }
                try TrainingCheckpoint.write(outDir, trainers: trainers, shuffler: shuffler, config: config)
                observer?(.checkpoint(step: step))
                if periodic && !data.evalRows.isEmpty {
                    for (si, t) in trainers.enumerated() { try heldOut(t, si, &logs[si]) }
                }
            }
            if stopping && step < config.steps {
                for i in logs.indices { try logs[i].flush() }
                return result(last, held: [], finished: false, tps: tps)
            }
        }
        // Finished: held-out evaluation and the final SAEs.
        var held: [HeldOutMetrics?] = []
        for (si, t) in trainers.enumerated() {
            let h = data.evalRows.isEmpty ? nil : try heldOut(t, si, &logs[si])
            held.append(h)
            var extra: [(String, JSONValue)] = [("training", config.json), ("init_seed", .int(Int64(bitPattern: t.seed))),
                                                ("steps_done", .int(Int64(t.step))), ("tokens", .int(Int64(t.step * B)))]
            if let l = last[si] { extra += [("train_fvu", .double(l.fvu)), ("train_l0", .double(l.l0)), ("dead_fraction", .double(l.deadFraction))] }
            if let h { extra += [("heldout_fvu", .double(h.fvu)), ("heldout_l0", .double(h.l0)),
                                 ("heldout_dead_fraction", .double(h.deadFraction)), ("heldout_tokens", .int(Int64(h.tokens)))] }
            extra += provenance
            var sae = t.currentSAE()
            sae.info.hookpoint = provenance.first { $0.0 == "hookpoint" }?.1.stringValue
            let dir = outDir.appendingPathComponent("seed\(t.seed)")
            try SAECheckpoint.writeSparsifyLayout(sae, to: dir, extra: extra)
            try logs[si].flush()
            observer?(.saved(seed: t.seed, path: dir.path))
        }
        progress?.update { $0.finished = true }
        return result(last, held: held, finished: true, tps: tps)
    }

    @discardableResult
    private func heldOut(_ t: SeedTrainer, _ si: Int, _ log: inout TrainingLog) throws -> HeldOutMetrics {
        let h = try TrainingEvaluation.evaluate(t.currentSAE(), source: data.evalSource, rows: data.evalRows)
        try log.appendHeldOut(step: t.step, h)
        progress?.update { if si < $0.heldOut.count { $0.heldOut[si] = h } }
        observer?(.heldOut(seed: t.seed, step: t.step, metrics: h))
        return h
    }

    private func result(_ last: [StepMetrics?], held: [HeldOutMetrics?], finished: Bool, tps: Double) -> TrainingResult {
        TrainingResult(seeds: trainers.enumerated().map { si, t in
            TrainingResult.Seed(seed: t.seed, path: outDir.appendingPathComponent("seed\(t.seed)"), last: last[si],
                                heldOut: si < held.count ? held[si] : nil)
        }, step: trainers[0].step, finished: finished, tokensPerSecond: tps)
    }
}
