import Foundation

extension JobEngine {
    func startThreadsIfNeeded() {
        let start = state.withLock { s -> Bool in
            if s.threadsStarted { return false }
            s.threadsStarted = true
            s.liveThreads = workerCount + 1
            return true
        }
        guard start else { return }
        for i in 0..<workerCount {
            let t = Thread { [self] in workerLoop(); state.withLock { $0.liveThreads -= 1 } }
            t.name = "seedscope-worker-\(i)"
            t.start()
        }
        let m = Thread { [self] in monitorLoop(); state.withLock { $0.liveThreads -= 1 } }
        m.name = "seedscope-monitor"
        m.start()
    }

    /// Picks the next runnable job: queued, not paused, all dependencies done; highest priority, then the
    /// run started first, then pipeline order. A job whose dependency failed or was cancelled is
    /// cancelled with the reason.
    func pick() -> (Entry, JobControl)? {
        var skipped: [(RunLayout, JobID, String)] = []
        let chosen: (Entry, JobControl)? = state.withLock { s in
            var best: Entry? = nil
            for e in s.entries.values where e.status == .queued && !e.paused {
                var ready = true
                for d in e.planned.dependencies {
                    // A dependency outside this engine's queue (filtered start) counts only if done on disk.
                    let ds = s.entries["\(e.run)/\(d)"]?.status
                        ?? ((try? workspace.layout(e.run).record(d).status) == .done ? .done : .cancelled)
                    if ds == .failed || ds == .cancelled {
                        s.entries[e.key]!.status = .cancelled
                        s.entries[e.key]!.error = "not run: \(d) \(ds.rawValue)"
                        skipped.append((workspace.layout(e.run), e.planned.id, "not run: \(d) \(ds.rawValue)"))
                        ready = false; break
                    }
                    if ds != .done { ready = false; break }
                }
                guard ready else { continue }
                if let b = best, (b.priority, -b.seq) > (e.priority, -e.seq) || ((b.priority, -b.seq) == (e.priority, -e.seq) && b.planned.id < e.planned.id) { continue }
                best = e
            }
            guard let b = best else { return nil }
            let c = JobControl()
            s.entries[b.key]!.status = .running
            s.entries[b.key]!.control = c
            s.entries[b.key]!.attempts += 1
            return (s.entries[b.key]!, c)
        }
        for (l, id, why) in skipped { writeStatus(l, id, .cancelled, error: why) }
        return chosen
    }

    func workerLoop() {
        while true {
            if state.withLock({ $0.stopping }) { return }
            guard let (e, control) = pick() else { usleep(20_000); continue }
            let outcome = execute(e, control: control)
            let halted = state.withLock { s -> Bool in
                guard !s.halted else { return true }
                s.entries[e.key]!.control = nil
                switch outcome {
                case .done: s.entries[e.key]!.status = .done; s.entries[e.key]!.error = nil
                case let .failed(msg): s.entries[e.key]!.status = .failed; s.entries[e.key]!.error = msg
                case .cancelled: s.entries[e.key]!.status = .cancelled; s.entries[e.key]!.error = "cancelled"
                case .interrupted: s.entries[e.key]!.status = .queued; s.entries[e.key]!.resumed = true
                }
                return false
            }
            if halted { return }
        }
    }

    /// Persists running jobs' progress about once a second (so `run status` in another process and a
    /// reader of the records see it) and picks up `cancel.request` files written by `seedscope run cancel`.
    func monitorLoop() {
        var lastVersion: [String: Int] = [:]
        while !state.withLock({ $0.stopping }) {
            for _ in 0..<10 where !state.withLock({ $0.stopping }) { usleep(100_000) }
            let running = state.withLock { s in s.entries.values.filter { $0.status == .running || $0.status == .paused } }
            for e in running {
                guard let c = e.control, c.version != lastVersion[e.key] else { continue }
                lastVersion[e.key] = c.version
                let p = c.progress()
                let l = workspace.layout(e.run)
                records.withLock { recs in
                    guard var r = recs[e.key], r.status == .running else { return }
                    r.step = p.step; r.total = p.total; r.loss = p.loss; r.message = p.message; r.eta = p.eta
                    recs[e.key] = r
                    try? l.writeRecord(r, e.planned.id)
                }
            }
            let runs = Set(state.withLock { s in s.entries.values.filter { [.queued, .running, .paused].contains($0.status) }.map(\.run) })
            for r in runs {
                let u = workspace.layout(r).cancelRequestURL
                if FileManager.default.fileExists(atPath: u.path) {
                    cancel(run: r)
                    try? FileManager.default.removeItem(at: u)
                }
            }
        }
    }
}
