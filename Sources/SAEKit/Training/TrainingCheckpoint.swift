import Foundation

/// Resumable checkpoints of a training run.
///
/// Layout: `RUN/seed{N}/checkpoint/state-{step}.safetensors` per seed (every parameter, its
/// optimizer state as `{name}.s1`/`{name}.s2`, `tokens_since_fired` I64, and the scalar state as
/// JSON in `__metadata__["seedscope_state"]`), then `RUN/checkpoint.json` (step, seeds, config,
/// data position) written last: it is the commit point. Each file is written atomically (temp file
/// + rename), so a kill -9 at any moment leaves either the previous or the new checkpoint valid;
/// older state files are deleted only after the new checkpoint.json is in place.
enum TrainingCheckpoint {
    static func stateURL(_ out: URL, seed: UInt64, step: Int) -> URL {
        out.appendingPathComponent("seed\(seed)/checkpoint/state-\(String(format: "%08d", step)).safetensors")
    }

    static func write(_ out: URL, trainers: [SeedTrainer], shuffler: EpochShuffler, config: TrainingConfig) throws {
        guard let step = trainers.first?.step else { return }
        for t in trainers {
            var w = SafetensorsWriter()
            for p in t.params {
                let shape = p.cols == 1 ? [p.rows] : (p.rows == 1 ? [p.cols] : [p.rows, p.cols])
                w.add(p.name, floats: p.value.array, shape: shape)
                w.add(p.name + ".s1", floats: p.s1.array, shape: shape)
                w.add(p.name + ".s2", floats: p.s2.array, shape: shape)
            }
            w.add("tokens_since_fired", ints: t.tokensSinceFired, shape: [t.m])
            var st: [(String, JSONValue)] = [("step", .int(Int64(t.step))), ("seed", .int(Int64(bitPattern: t.seed))),
                                             ("input_scale", .double(t.inputScale)), ("sf_weight_sum", .double(t.sfWeightSum))]
            if let b = t.batchThreshold { st.append(("batch_threshold", .double(b))) }
            w.metadata["seedscope_state"] = JSONValue.object(st).serialized()
            try w.write(to: stateURL(out, seed: t.seed, step: step))
        }
        let run: JSONValue = .object([
            ("step", .int(Int64(step))), ("seeds", .array(trainers.map { .int(Int64(bitPattern: $0.seed)) })),
            ("epoch", .int(Int64(shuffler.epoch))), ("offset", .int(Int64(shuffler.offset))),
            ("train_rows", .int(Int64(shuffler.rows.count))), ("config", config.json),
        ])
        try AtomicFile.write(run.serialized(pretty: true) + "\n", to: out.appendingPathComponent("checkpoint.json"))
        // Drop older states now that the new one is committed.
        for t in trainers {
            let dir = out.appendingPathComponent("seed\(t.seed)/checkpoint")
            let keep = stateURL(out, seed: t.seed, step: step).lastPathComponent
            for f in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] where f != keep {
                try? FileManager.default.removeItem(at: dir.appendingPathComponent(f))
            }
        }
    }

    struct RunState {
        var step: Int
        var seeds: [UInt64]
        var epoch: Int
        var offset: Int
        var trainRows: Int
        var config: TrainingConfig
    }

    static func readRun(_ out: URL) throws -> RunState {
        let url = out.appendingPathComponent("checkpoint.json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SeedScopeError.io(file: url.path, message: "no checkpoint to resume from")
        }
        let j: JSONValue
        do { j = try JSONValue.parse(contentsOf: url) } catch {
            throw SeedScopeError.invalid(file: url.path, message: "invalid checkpoint JSON: \(error)")
        }
        guard let step = j["step"]?.intValue, let seeds = j["seeds"]?.arrayValue?.compactMap({ $0.intValue }),
              let epoch = j["epoch"]?.intValue, let offset = j["offset"]?.intValue,
              let rows = j["train_rows"]?.intValue, let cfg = j["config"] else {
            throw SeedScopeError.invalid(file: url.path, message: "checkpoint lacks step/seeds/epoch/offset/train_rows/config")
        }
        return RunState(step: Int(step), seeds: seeds.map { UInt64(bitPattern: $0) }, epoch: Int(epoch),
                        offset: Int(offset), trainRows: Int(rows), config: try TrainingConfig(json: cfg, file: url.path))
    }

    static func load(_ out: URL, into t: SeedTrainer, step: Int) throws {
        let url = stateURL(out, seed: t.seed, step: step)
        let f = try SafetensorsFile(path: url.path)
        for p in t.params {
            for (name, buf) in [(p.name, p.value), (p.name + ".s1", p.s1), (p.name + ".s2", p.s2)] {
                let v = try f.floats(name)
                guard v.count == buf.count else {
                    throw SeedScopeError.invalid(file: url.path, message: "\(name) has \(v.count) values, expected \(buf.count)")
                }
                buf.set(v)
            }
        }
        let tsf = try f.int64s("tokens_since_fired")
        guard tsf.count == t.m else { throw SeedScopeError.invalid(file: url.path, message: "tokens_since_fired has \(tsf.count) values, expected \(t.m)") }
        t.tokensSinceFired = tsf
        guard let s = f.metadata?["seedscope_state"], let j = try? JSONValue.parse(s),
              let st = j["step"]?.intValue, let scale = j["input_scale"]?.doubleValue, let sw = j["sf_weight_sum"]?.doubleValue else {
            throw SeedScopeError.invalid(file: url.path, message: "missing or invalid seedscope_state metadata")
        }
        guard Int(st) == step else { throw SeedScopeError.invalid(file: url.path, message: "state is at step \(st), checkpoint.json says \(step)") }
        t.step = Int(st); t.inputScale = scale; t.sfWeightSum = sw
        t.batchThreshold = j["batch_threshold"]?.doubleValue
    }
}
