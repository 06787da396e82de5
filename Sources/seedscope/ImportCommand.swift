import ArgumentParser
import Foundation
import SAEKit

/// `seedscope import PATH… --workspace WS --run NAME [--copy]`: adds existing checkpoints as seeds of an
/// `imported` run. A sparsify run folder with several `seed<N>` checkpoints is listed and imported as
/// those seeds.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import SAE checkpoints (sparsify / seedscope folders; several seeds at once) into a workspace run.")

    @Argument(help: "Checkpoint folders, or run folders containing seed<N> checkpoints.") var paths: [String]
    @OptionGroup var ws: WorkspaceOption
    @Option(name: .customLong("run"), help: "The run to create or extend.") var runName: String
    @Flag(help: "Copy the checkpoints into the workspace (default: reference them in place).") var copy = false
    @Option(help: "Seeds to assign, comma separated, in the order found (default: from seed<N> folder names).") var seeds: String?
    @Option(help: "Shared threshold on matched cosines (new runs).") var threshold: Double = 0.7
    @Option(help: "Activation dataset for the profile phase (new runs).") var data: String?
    @Flag(help: "Machine-readable JSON output.") var json = false

    func run() throws {
        try runReportingErrors {
            var found: [URL] = []
            for p in paths { found += try Self.discover(URL(fileURLWithPath: p).standardizedFileURL) }
            var seen = Set<String>()
            found = found.filter { seen.insert($0.path).inserted }
            var assigned: [Int]
            if let seeds {
                assigned = try parseSeeds(seeds)
                guard assigned.count == found.count else {
                    throw SeedScopeError.usage("--seeds has \(assigned.count) values but \(found.count) checkpoints were found: \(found.map(\.path).joined(separator: ", "))")
                }
            } else {
                assigned = []
                var next = 0
                for u in found {
                    if let s = Self.seedFromName(u.lastPathComponent), !assigned.contains(s) { assigned.append(s); continue }
                    while assigned.contains(next) || found.contains(where: { Self.seedFromName($0.lastPathComponent) == next }) { next += 1 }
                    assigned.append(next)
                }
            }
            // Shapes from the headers: every seed of a run must have the same d and m.
            var shapes: [(m: Int, d: Int)?] = []
            for u in found {
                let st = u.appendingPathComponent("sae.safetensors")
                if FileManager.default.fileExists(atPath: st.path) {
                    let i = try SafetensorsFile(path: st.path).info("encoder.weight")
                    shapes.append(i.shape.count == 2 ? (i.shape[0], i.shape[1]) : nil)
                } else {
                    // Other layouts (SAELens, Gemma Scope): whatever SAELoader supports in this build.
                    let sae = try SAELoader.load(u)
                    shapes.append((sae.numLatents, sae.dIn))
                }
            }
            if let first = shapes.first ?? nil, let bad = zip(found, shapes).first(where: { $0.1.map { $0 != first } ?? true }) {
                throw SeedScopeError.invalid(file: bad.0.path, message: "shape \(bad.1.map { "m=\($0.m), d=\($0.d)" } ?? "?") differs from \(found[0].path) (m=\(first.m), d=\(first.d)); a run's seeds must match")
            }
            let w = try Workspace.openOrCreate(ws.url)
            try w.requireWritable("import into run \(runName)")
            let sources = zip(assigned, found).map { ImportSource(seed: $0.0, path: $0.1.path, copy: copy) }
            if (try w.runNames()).contains(runName) {
                var spec = try w.spec(runName)
                guard spec.kind == .imported else { throw SeedScopeError.usage("run \(runName) is \(spec.kind.rawValue), not an imported run") }
                for s in sources {
                    if let old = spec.imports.first(where: { $0.seed == s.seed }) {
                        guard old.path == s.path else { throw SeedScopeError.usage("run \(runName) already has seed \(s.seed) from \(old.path)") }
                        continue
                    }
                    spec.imports.append(s); spec.seeds.append(s.seed)
                }
                try w.updateRun(spec)
            } else {
                var dataPath: String? = nil
                if let data { let u = URL(fileURLWithPath: data).standardizedFileURL; _ = try ActivationDataset(path: u.path); dataPath = u.path }
                let spec = RunSpec(name: runName, kind: .imported, dataset: dataPath, architecture: "topk", latents: shapes.first??.m,
                                   seeds: assigned, threshold: threshold, imports: sources)
                try w.createRun(spec)
            }
            if !json {
                print("importing \(found.count) checkpoint(s) into run \(runName) (\(copy ? "copy" : "reference")):")
                for (s, u) in zip(assigned, found) { print("  seed \(s) ← \(u.path)") }
            }
            let engine = try JobEngine(workspace: w)
            try engine.start(run: runName, only: [.train])
            engine.wait(run: runName)
            engine.shutdown()
            let jobs = engine.snapshot().jobs(of: runName)
            let failed = jobs.filter { $0.status != .done }
            if json {
                let arr = zip(assigned, found).map { s, u -> JSONValue in
                    let j = jobs.first { $0.job == .train(s) }
                    return .object([("seed", .int(Int64(s))), ("path", .string(u.path)), ("status", .string(j?.status.rawValue ?? "done")),
                                    ("error", j?.error.map { .string($0) } ?? .null)])
                }
                print(JSONValue.object([("run", .string(runName)), ("copy", .bool(copy)), ("seeds", .array(arr))]).serialized(pretty: true))
            } else if failed.isEmpty {
                print("imported; start matching with: seedscope run start \(runName) --workspace \(w.root.path) --wait")
            }
            for f in failed { FileHandle.standardError.write(Data("seedscope: \(runName) \(f.job): \(f.error ?? f.status.rawValue)\n".utf8)) }
            if !failed.isEmpty { throw ExitCode(1) }
        }
    }

    static func seedFromName(_ n: String) -> Int? { n.hasPrefix("seed") ? Int(n.dropFirst(4)) : nil }

    /// Checkpoint folders at or under `url` (three levels deep), sorted. Several hookpoints in one run
    /// folder are ambiguous: the user must pick one.
    static func discover(_ url: URL) throws -> [URL] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { throw SeedScopeError.io(file: url.path, message: "no such file or folder") }
        // sparsify / seedscope, SAELens, Gemma Scope weight files.
        func isCheckpoint(_ u: URL) -> Bool {
            ["sae.safetensors", "sae_weights.safetensors", "params.npz"].contains { fm.fileExists(atPath: u.appendingPathComponent($0).path) }
        }
        if isCheckpoint(url) { return [url] }
        guard isDir.boolValue else { throw SeedScopeError.invalid(file: url.path, message: "not an SAE checkpoint folder") }
        var out: [URL] = []
        func visit(_ d: URL, depth: Int) {
            guard depth < 3, let names = try? fm.contentsOfDirectory(atPath: d.path) else { return }
            for n in names.sorted() where !n.hasPrefix(".") {
                let u = d.appendingPathComponent(n)
                var sub: ObjCBool = false
                guard fm.fileExists(atPath: u.path, isDirectory: &sub), sub.boolValue else { continue }
                if isCheckpoint(u) { out.append(u) } else { visit(u, depth: depth + 1) }
            }
        }
        visit(url, depth: 0)
        guard !out.isEmpty else { throw SeedScopeError.invalid(file: url.path, message: "no SAE checkpoint (sae.safetensors, sae_weights.safetensors or params.npz) found in this folder or below") }
        let groups = Set(out.map { seedFromName($0.lastPathComponent) != nil ? $0.deletingLastPathComponent().path : $0.path })
        if groups.count > 1, out.contains(where: { seedFromName($0.lastPathComponent) != nil }) {
            let names = groups.sorted().map { $0.replacingOccurrences(of: url.path + "/", with: "") }
            throw SeedScopeError.usage("\(url.path) holds checkpoints for several hookpoints (\(names.joined(separator: ", "))); pass one of those folders")
        }
        return out.sorted { (seedFromName($0.lastPathComponent) ?? Int.max, $0.path) < (seedFromName($1.lastPathComponent) ?? Int.max, $1.path) }
    }
}
