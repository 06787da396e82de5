import Foundation

extension JobEngine {
    enum Outcome { case done, failed(String), cancelled, interrupted }

    /// Runs one job attempt: estimate and memory check, stage, execute, commit.
    ///
    /// Commit protocol (crash safety): the executor writes into `.<out>.partial`; on success that folder
    /// is renamed to `<out>` (atomic) and only then the record says `done`. A crash before the rename
    /// leaves the record `running` → the next start resumes (with `.<out>.work`); a crash after it is
    /// recognised by `start` (output present, staging gone) and recorded as done without recomputing.
    func execute(_ e: Entry, control: JobControl) -> Outcome {
        let fm = FileManager.default
        let layout = workspace.layout(e.run)
        let id = e.planned.id
        let out = e.planned.outputDir
        let staging = Self.stagingDir(out)
        let work = Self.workDir(out)
        let isHalted = { self.state.withLock { $0.halted } }
        var rec: JobRecord
        let spec: RunSpec
        do {
            spec = try workspace.spec(e.run)
            rec = try layout.record(id)
        } catch { return fail(layout, id, JobRecord(job: id.description), "\(error)") }
        // A trainer orphaned by a killed engine would keep writing into our folders: stop it first.
        if let c = rec.child { ChildProcess.killOrphan(c); rec.child = nil }
        if let missing = missingExecutor(id.phase, spec) { return fail(layout, id, rec, missing) }

        let est = JobEstimator.estimate(id, spec: spec, layout: layout, executors: executors)
        state.withLock { $0.entries[e.key]?.estimate = est }
        if let need = est.memoryBytes, let avail = MemoryProbe.available(), need > avail {
            return fail(layout, id, rec, "needs ~\(MemoryProbe.format(need)) of memory (\(est.formula)) but only \(MemoryProbe.format(avail)) is available; free memory or lower latents/batch size")
        }
        let resume = (try? fm.contentsOfDirectory(atPath: work.path).isEmpty == false) ?? false
        do {
            if fm.fileExists(atPath: out.path) { try fm.removeItem(at: out) }
            if fm.fileExists(atPath: staging.path) { try fm.removeItem(at: staging) }
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            try fm.createDirectory(at: work, withIntermediateDirectories: true)
            rec.status = .running
            rec.attempts += 1
            rec.started = Date(); rec.finished = nil; rec.error = nil; rec.seconds = nil
            rec.step = nil; rec.total = nil; rec.loss = nil; rec.eta = nil; rec.message = resume ? "resuming" : nil
            rec.memoryEstimate = est.memoryBytes; rec.estimateFormula = est.formula
            let r = rec
            try records.withLock { recs in recs[e.key] = r; try layout.writeRecord(r, id) }
        } catch { return fail(layout, id, rec, "\(error)") }
        state.withLock { $0.entries[e.key]?.resumed = resume }

        control.childHook.withLock { hook in
            hook = { [self] child in
                guard !state.withLock({ $0.halted }) else { return }
                records.withLock { recs in
                    guard var r = recs[e.key], r.status == .running else { return }
                    r.child = child
                    recs[e.key] = r
                    try? layout.writeRecord(r, id)
                }
            }
        }
        if state.withLock({ $0.entries[e.key]?.paused ?? false }) { control.setPaused(true) }
        let ctx = JobContext(workspace: workspace.root, spec: spec, layout: layout, job: id, outputDir: staging,
                             workDir: work, resume: resume, control: control)
        let started = Date()
        var failure: String? = nil
        var cancelled = false
        do { try run(id, spec: spec, ctx) } catch is JobCancelled { cancelled = true } catch { failure = "\(error)" }
        control.childHook.withLock { $0 = nil }
        if isHalted() { return .interrupted }   // simulated kill -9: leave everything as it is
        let wasInterrupted = state.withLock { $0.entries[e.key]?.interrupted ?? false }
        let finalRecord = records.withLock { $0.removeValue(forKey: e.key) } ?? rec
        var r = finalRecord
        r.child = nil
        r.seconds = Date().timeIntervalSince(started)
        let p = control.progress()
        r.step = p.step; r.total = p.total; r.loss = p.loss; r.message = p.message; r.eta = nil
        if cancelled {
            try? fm.removeItem(at: staging)
            if wasInterrupted {
                r.message = "interrupted; resumes on the next start"
                try? layout.writeRecord(r, id)      // status stays "running": resumable
                return .interrupted
            }
            try? fm.removeItem(at: work)
            r.status = .cancelled; r.error = "cancelled"; r.finished = Date()
            try? layout.writeRecord(r, id)
            return .cancelled
        }
        if let failure {
            // Work is kept so a retry can resume; staging is discarded.
            try? fm.removeItem(at: staging)
            return fail(layout, id, r, failure)
        }
        do {
            try commit(staging: staging, to: out)
            r.status = .done; r.finished = Date(); r.error = nil
            try layout.writeRecord(r, id)
            try? fm.removeItem(at: work)
            return .done
        } catch { return fail(layout, id, r, "\(error)") }
    }

    /// Renames the staging folder into place and syncs the parent directory so the rename is durable.
    func commit(staging: URL, to out: URL) throws {
        guard rename(staging.path, out.path) == 0 else {
            throw SeedScopeError.io(file: out.path, message: "cannot commit job output: \(String(cString: strerror(errno)))")
        }
        let fd = open(out.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    func fail(_ layout: RunLayout, _ id: JobID, _ rec: JobRecord, _ msg: String) -> Outcome {
        var r = rec
        r.status = .failed; r.error = msg; r.finished = Date(); r.child = nil
        _ = records.withLock { recs in try? layout.writeRecord(r, id) }
        return .failed(msg)
    }

    func missingExecutor(_ phase: Phase, _ spec: RunSpec) -> String? {
        switch phase {
        case .train: return spec.kind == .native && executors.train == nil ? PhaseExecutors.missing(.train) : nil
        case .profile: return executors.profile == nil ? PhaseExecutors.missing(.profile) : nil
        case .match: return executors.match == nil ? PhaseExecutors.missing(.match) : nil
        case .consensus: return executors.consensus == nil ? PhaseExecutors.missing(.consensus) : nil
        }
    }

    func run(_ id: JobID, spec: RunSpec, _ ctx: JobContext) throws {
        switch id.phase {
        case .train:
            let seed = id.seed!
            switch spec.kind {
            case .native: try executors.train!.train(seed: seed, context: ctx)
            case .external: try ExternalTrainExecutor().train(seed: seed, context: ctx)
            case .imported:
                guard let src = spec.imports.first(where: { $0.seed == seed }) else {
                    throw SeedScopeError.usage("run \(spec.name): seed \(seed) has no import source")
                }
                try ImportExecutor().importSeed(src, context: ctx)
            }
        case .profile:
            try executors.profile!.profile(seed: id.seed!, checkpoint: ctx.checkpoint(seed: id.seed!), context: ctx)
        case .match:
            let p = id.pair!
            let inputs = MatchInputs(pair: p, checkpointA: try ctx.checkpoint(seed: p.a), checkpointB: try ctx.checkpoint(seed: p.b),
                                     profileA: ctx.profile(seed: p.a), profileB: ctx.profile(seed: p.b))
            try executors.match!.match(inputs, context: ctx)
        case .consensus:
            try executors.consensus!.consensus(matches: ctx.matches(), context: ctx)
        }
    }
}
