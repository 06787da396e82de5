import Foundation

/// The train phase of an `external` run: runs the user's command template for one seed (a sparsify
/// `torchrun … --save_dir {out}`, an `sbatch --wait` script, …) with `/bin/sh -c` in its own process
/// group, appends its output to `seed<N>/train.log`, follows "step N/M" and "loss X" in that log for
/// progress, and when the command exits 0 imports the one SAE checkpoint it wrote under `{out}`.
///
/// Cancel sends SIGTERM (then SIGKILL) to the group, pause SIGSTOP / SIGCONT. An interrupted attempt
/// starts the command over (`{out}` is emptied): resuming is the external trainer's business.
public struct ExternalTrainExecutor: Sendable {
    public init() {}

    /// The placeholder values for one seed.
    public static func placeholders(seed: Int, out: URL, spec: RunSpec, workDir: URL) -> [String: String] {
        var v: [String: String] = ["seed": String(seed), "out": out.path, "run": spec.name, "workdir": workDir.path,
                                   "data": spec.dataset ?? ""]
        if let k = spec.k { v["k"] = String(k) }
        if let m = spec.latents { v["latents"] = String(m) }
        if let s = spec.steps { v["steps"] = String(s) }
        return v
    }

    /// Substitutes `{name}` placeholders. Values made only of `[A-Za-z0-9_./:=+,-]` go in as they are
    /// (so `"{out}"` inside the user's own quotes still works); others are single-quoted for the shell.
    /// An unknown placeholder is an error naming it.
    public static func expand(_ template: String, _ values: [String: String]) throws -> String {
        var out = ""
        var i = template.startIndex
        while i < template.endIndex {
            let c = template[i]
            if c == "{", let close = template[i...].firstIndex(of: "}") {
                let name = String(template[template.index(after: i)..<close])
                if name.allSatisfy({ $0.isLetter }) && !name.isEmpty {
                    guard let v = values[name] else {
                        throw SeedScopeError.usage("unknown placeholder {\(name)} in external command (known: \(values.keys.sorted().map { "{\($0)}" }.joined(separator: " ")))")
                    }
                    out += shellSafe(v) ? v : "'" + v.replacingOccurrences(of: "'", with: "'\\''") + "'"
                    i = template.index(after: close)
                    continue
                }
            }
            out.append(c)
            i = template.index(after: i)
        }
        return out
    }

    static func shellSafe(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "_./:=+,-".unicodeScalars.contains($0) }
    }

    public func train(seed: Int, context: JobContext) throws {
        guard let ext = context.spec.external else { throw SeedScopeError.usage("run \(context.spec.name): no external command") }
        let fm = FileManager.default
        let out = context.workDir.appendingPathComponent("out")
        // An interrupted attempt's output is incomplete: the command starts over.
        try? fm.removeItem(at: out)
        try fm.createDirectory(at: out, withIntermediateDirectories: true)
        let values = Self.placeholders(seed: seed, out: out, spec: context.spec, workDir: context.workDir)
        let command = try Self.expand(ext.command, values)
        let log = context.layout.trainLog(seed)
        try fm.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        let header = "=== seedscope: \(Date()) seed \(seed)\(context.resume ? " (restart after interruption)" : ""): \(command)\n"
        try appendToLog(header, log)
        var env: [String: String] = [:]
        for (k, v) in values { env["SEEDSCOPE_\(k.uppercased())"] = v }
        let started = Date()
        // Start following before the child can write anything.
        var tail = LogFollower(url: log, total: context.spec.steps)
        let child = try ChildProcess.spawnShell(command, cwd: ext.cwd, environment: env, log: log)
        if let t = ChildProcess.startTicks(child.pid) { context.control.setChild(ChildRecord(pid: child.pid, startTicks: t)) }
        var stopped = false
        var exit: ChildProcess.Exit
        while true {
            if let e = child.poll() { exit = e; break }
            if context.control.isCancelled {
                _ = child.terminate()
                context.control.setChild(nil)
                try? appendToLog("=== seedscope: cancelled\n", log)
                throw JobCancelled()
            }
            let p = context.control.isPaused
            if p != stopped { child.signalGroup(p ? SIGSTOP : SIGCONT); stopped = p }
            if let u = tail.poll() { context.control.report(step: u.step ?? context.control.progress().step, total: u.total, loss: u.loss, message: u.line) }
            usleep(100_000)
        }
        context.control.setChild(nil)
        if let u = tail.poll() { context.control.report(step: u.step ?? context.control.progress().step, total: u.total, loss: u.loss, message: u.line) }
        guard exit == .exited(0) else {
            throw SeedScopeError.io(file: log.path, message: "external trainer for seed \(seed) failed (\(exit)); see the log")
        }
        let ckpt = try Self.findCheckpoint(in: out, log: log)
        // Move the checkpoint folder into the staging folder the engine commits.
        try fm.removeItem(at: context.outputDir)
        guard rename(ckpt.path, context.outputDir.path) == 0 else {
            throw SeedScopeError.io(file: ckpt.path, message: "cannot move checkpoint: \(String(cString: strerror(errno)))")
        }
        let metricsURL = context.outputDir.appendingPathComponent(TrainMetrics.fileName)
        var metrics = (try? WorkspaceJSON.readIfPresent(TrainMetrics.self, from: metricsURL)) ?? TrainMetrics()
        metrics.source = "external"
        metrics.command = command
        metrics.seconds = metrics.seconds ?? Date().timeIntervalSince(started)
        if metrics.finalLoss == nil { metrics.finalLoss = tail.lastLoss }
        if metrics.steps == nil { metrics.steps = tail.lastStep }
        try WorkspaceJSON.write(metrics, to: metricsURL)
        try appendToLog("=== seedscope: \(exit), imported \(ckpt.path)\n", log)
    }

    /// The single SAE checkpoint folder under `out` (any folder `SAELoader.load` accepts, searched four
    /// levels deep — sparsify writes `<save_dir>/<run>/<hookpoint>/`).
    static func findCheckpoint(in out: URL, log: URL) throws -> URL {
        var found: [URL] = []
        var errors: [String] = []
        func visit(_ dir: URL, depth: Int) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return }
            if names.contains(where: { $0.hasSuffix(".safetensors") || $0.hasSuffix(".npz") }) {
                do { _ = try SAELoader.load(dir); found.append(dir); return } catch { errors.append("\(error)") }
            }
            guard depth < 4 else { return }
            for n in names.sorted() where !n.hasPrefix(".") {
                var isDir: ObjCBool = false
                let u = dir.appendingPathComponent(n)
                if FileManager.default.fileExists(atPath: u.path, isDirectory: &isDir), isDir.boolValue { visit(u, depth: depth + 1) }
            }
        }
        visit(out, depth: 0)
        // sparsify also saves its best-so-far SAE under <run>/best/<hookpoint>: the final one wins.
        let finals = found.filter { !$0.path.dropFirst(out.path.count).split(separator: "/").contains("best") }
        if found.count > 1, finals.count == 1 { return finals[0] }
        if found.count == 1 { return found[0] }
        if found.isEmpty {
            let why = errors.first.map { " (\($0))" } ?? ""
            throw SeedScopeError.invalid(file: out.path, message: "the external command exited 0 but wrote no loadable SAE checkpoint\(why); log: \(log.path)")
        }
        throw SeedScopeError.invalid(file: out.path, message: "the external command wrote \(found.count) checkpoints (\(found.map { $0.path.replacingOccurrences(of: out.path + "/", with: "") }.joined(separator: ", "))); make it write one per seed")
    }

    func appendToLog(_ s: String, _ log: URL) throws {
        let fd = open(log.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw SeedScopeError.io(file: log.path, message: "cannot open log: \(String(cString: strerror(errno)))") }
        _ = s.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }
}

/// Follows a growing log file and extracts the latest "step N[/M]" and "loss X" (case-insensitive, `=`,
/// `:` or space separated; tqdm's "N/M" counters too).
struct LogFollower {
    let url: URL
    let total: Int?
    var offset: UInt64 = 0
    var partial = ""
    var lastStep: Int? = nil
    var lastLoss: Double? = nil

    init(url: URL, total: Int?) {
        self.url = url; self.total = total
        // Skip what earlier attempts wrote.
        offset = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    struct Update { var step: Int?; var total: Int?; var loss: Double?; var line: String }

    static let stepRE = try! NSRegularExpression(pattern: #"(?i)\bstep\b[\s:=]*(\d+)(?:\s*/\s*(\d+))?"#)
    static let fracRE = try! NSRegularExpression(pattern: #"\b(\d+)\s*/\s*(\d+)\b"#)
    static let lossRE = try! NSRegularExpression(pattern: #"(?i)\bloss\b[\s:=]*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"#)

    mutating func poll() -> Update? {
        guard let h = FileHandle(forReadingAtPath: url.path) else { return nil }
        defer { try? h.close() }
        try? h.seek(toOffset: offset)
        guard let data = try? h.readToEnd(), !data.isEmpty else { return nil }
        offset += UInt64(data.count)
        let text = partial + String(decoding: data, as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init)
        partial = lines.removeLast()
        var upd: Update? = nil
        for line in lines where !line.isEmpty && !line.hasPrefix("=== seedscope") {
            var u = Update(step: nil, total: total, loss: nil, line: String(line.prefix(200)))
            let r = NSRange(line.startIndex..., in: line)
            if let m = Self.stepRE.firstMatch(in: line, range: r) ?? Self.fracRE.firstMatch(in: line, range: r) {
                u.step = Range(m.range(at: 1), in: line).flatMap { Int(line[$0]) }
                if let tr = Range(m.range(at: 2), in: line) { u.total = Int(line[tr]) ?? total }
            }
            if let m = Self.lossRE.firstMatch(in: line, range: r), let lr = Range(m.range(at: 1), in: line) { u.loss = Double(line[lr]) }
            if let s = u.step { lastStep = s }
            if let l = u.loss { lastLoss = l }
            upd = u
        }
        return upd
    }
}
