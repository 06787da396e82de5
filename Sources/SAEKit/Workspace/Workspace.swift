import Foundation

/// `<workspace>/seedscope.json`: the manifest naming the workspace's runs.
public struct WorkspaceManifest: Codable, Sendable, Equatable {
    public static let currentVersion = 1
    public var version: Int
    public var created: Date
    /// Run names in creation order.
    public var runs: [String]
    /// The seedscope version that last wrote the manifest.
    public var writer: String
}

/// A workspace folder:
///
/// ```
/// seedscope.json                 manifest (version, created, runs)
/// .lock                          flock(2) lock + holder PID
/// runs/<name>/run.json           RunSpec
/// runs/<name>/jobs/<job>.json    JobRecord per pipeline job (status, attempts, progress, timings)
/// runs/<name>/seed<N>/checkpoint/  cfg.json + sae.safetensors (or source.json for a referenced import)
/// runs/<name>/seed<N>/train.log  training / external command log
/// runs/<name>/seed<N>/profile/   profiler output (summary.json + arrays)
/// runs/<name>/matches/<a>-<b>/   matcher output (summary.json + arrays)
/// runs/<name>/consensus/         consensus output (consensus.json + arrays)
/// runs/<name>/report.md|json     written by `seedscope report`
/// ```
///
/// Opening takes the workspace lock; when another process holds it the workspace opens read-only and
/// `readOnlyReason` says who holds it. Writers clean stale `.*.tmp-*` files left by a crash on open.
public final class Workspace: Sendable {
    /// The workspace folder.
    public let root: URL
    /// The lock, nil in read-only mode.
    private let lock: WorkspaceLock?
    /// Why the workspace is read-only ("workspace … is open in process PID (read-only)"), nil if writable.
    public let readOnlyReason: String?

    public var isReadOnly: Bool { lock == nil }
    public var manifestURL: URL { root.appendingPathComponent("seedscope.json") }
    public var lockURL: URL { root.appendingPathComponent(".lock") }
    public var runsURL: URL { root.appendingPathComponent("runs") }

    /// How to open.
    public enum Mode: Sendable {
        /// Take the lock; fall back to read-only when another opener holds it.
        case writableIfPossible
        /// Never take the lock (status readers, reports).
        case readOnly
    }

    private init(root: URL, lock: WorkspaceLock?, readOnlyReason: String?) {
        self.root = root; self.lock = lock; self.readOnlyReason = readOnlyReason
    }

    /// Creates a new workspace at `url` (the folder may exist but must not already be a workspace) and
    /// opens it writable.
    public static func create(at url: URL) throws -> Workspace {
        let root = url.standardizedFileURL
        let fm = FileManager.default
        if fm.fileExists(atPath: root.appendingPathComponent("seedscope.json").path) {
            throw SeedScopeError.usage("\(root.path): already a seedscope workspace")
        }
        do { try fm.createDirectory(at: root.appendingPathComponent("runs"), withIntermediateDirectories: true) } catch {
            throw SeedScopeError.io(file: root.path, message: "cannot create workspace folder: \(WorkspaceJSON.reason(error))")
        }
        let manifest = WorkspaceManifest(version: WorkspaceManifest.currentVersion, created: Date(), runs: [], writer: SAEKitInfo.version)
        // Lock first so two concurrent creators cannot both write a manifest.
        guard case let .acquired(lock) = try WorkspaceLock.tryAcquire(root.appendingPathComponent(".lock")) else {
            throw SeedScopeError.usage("\(root.path): being created by another process")
        }
        try WorkspaceJSON.write(manifest, to: root.appendingPathComponent("seedscope.json"))
        return Workspace(root: root, lock: lock, readOnlyReason: nil)
    }

    /// Opens an existing workspace. In `.writableIfPossible` mode a second opener (any process, or a
    /// second open in this one) gets a read-only workspace whose `readOnlyReason` names the holder.
    public static func open(_ url: URL, mode: Mode = .writableIfPossible) throws -> Workspace {
        let root = url.standardizedFileURL
        let manifestURL = root.appendingPathComponent("seedscope.json")
        guard FileManager.default.fileExists(atPath: manifestURL.path) else {
            throw SeedScopeError.io(file: root.path, message: "not a seedscope workspace (no seedscope.json); create one with `seedscope run create … --workspace \(root.path)`")
        }
        let manifest = try WorkspaceJSON.read(WorkspaceManifest.self, from: manifestURL)
        guard manifest.version <= WorkspaceManifest.currentVersion else {
            throw SeedScopeError.invalid(file: manifestURL.path, message: "workspace version \(manifest.version) is newer than this seedscope (\(WorkspaceManifest.currentVersion))")
        }
        if mode == .readOnly { return Workspace(root: root, lock: nil, readOnlyReason: "opened read-only") }
        switch try WorkspaceLock.tryAcquire(root.appendingPathComponent(".lock")) {
        case let .acquired(lock):
            let ws = Workspace(root: root, lock: lock, readOnlyReason: nil)
            ws.removeStaleTemporaries()
            return ws
        case let .heldBy(holder):
            let who = holder.pid.map { "process \($0)" } ?? "another process"
            return Workspace(root: root, lock: nil, readOnlyReason: "workspace \(root.path) is open in \(who) (read-only)")
        }
    }

    /// Opens `url` if it is a workspace, else creates it.
    public static func openOrCreate(_ url: URL) throws -> Workspace {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("seedscope.json").path) { return try open(url) }
        return try create(at: url)
    }

    /// Releases the lock now (also released when the workspace is deallocated or the process dies).
    public func close() { lock?.release() }

    /// Throws unless writable, with the read-only reason.
    public func requireWritable(_ action: String) throws {
        if let r = readOnlyReason { throw SeedScopeError.usage("cannot \(action): \(r)") }
    }

    // MARK: Manifest and runs

    public func manifest() throws -> WorkspaceManifest { try WorkspaceJSON.read(WorkspaceManifest.self, from: manifestURL) }

    /// Run names in creation order.
    public func runNames() throws -> [String] { try manifest().runs }

    /// The folder layout of run `name`.
    public func layout(_ name: String) -> RunLayout { RunLayout(dir: runsURL.appendingPathComponent(name)) }

    /// Loads `runs/<name>/run.json`.
    public func spec(_ name: String) throws -> RunSpec {
        let l = layout(name)
        guard FileManager.default.fileExists(atPath: l.specURL.path) else {
            let known = (try? runNames())?.joined(separator: ", ") ?? ""
            throw SeedScopeError.usage("no run \"\(name)\" in workspace \(root.path)" + (known.isEmpty ? "" : " (runs: \(known))"))
        }
        return try WorkspaceJSON.read(RunSpec.self, from: l.specURL)
    }

    /// Creates run `spec.name` (validated; the name must be new) and adds it to the manifest.
    public func createRun(_ spec: RunSpec) throws {
        try requireWritable("create run \(spec.name)")
        try spec.validate()
        var m = try manifest()
        let l = layout(spec.name)
        if m.runs.contains(spec.name) || FileManager.default.fileExists(atPath: l.specURL.path) {
            throw SeedScopeError.usage("run \"\(spec.name)\" already exists in workspace \(root.path)")
        }
        // Spec before manifest: a crash in between leaves an unlisted run folder, which `runNames`
        // ignores and a second create reports as existing; never a listed run without a spec.
        try WorkspaceJSON.write(spec, to: l.specURL)
        m.runs.append(spec.name)
        m.writer = SAEKitInfo.version
        try WorkspaceJSON.write(m, to: manifestURL)
    }

    /// Replaces an existing run's spec (e.g. `import` adding seeds).
    public func updateRun(_ spec: RunSpec) throws {
        try requireWritable("update run \(spec.name)")
        try spec.validate()
        _ = try self.spec(spec.name)
        try WorkspaceJSON.write(spec, to: layout(spec.name).specURL)
    }

    /// Letters, digits, `.`, `_`, `-`; not starting with `.`.
    public static func isValidRunName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 100 && !s.hasPrefix(".") &&
            s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) }
    }

    // MARK: Crash leftovers

    /// Deletes `.*.tmp-*` files (AtomicFile temporaries) anywhere under `runs/` and in the root: only a
    /// crashed writer leaves them, and we hold the lock, so none belongs to a live writer.
    /// Returns the number removed.
    @discardableResult
    public func removeStaleTemporaries() -> Int {
        var removed = 0
        let fm = FileManager.default
        func sweep(_ dir: URL, recursive: Bool) {
            guard let names = try? fm.contentsOfDirectory(atPath: dir.path) else { return }
            for n in names {
                let u = dir.appendingPathComponent(n)
                if n.hasPrefix("."), n.contains(".tmp-") {
                    if (try? fm.removeItem(at: u)) != nil { removed += 1 }
                    continue
                }
                var isDir: ObjCBool = false
                // Do not descend into checkpoints referenced elsewhere (symlinks) or huge data folders.
                if recursive, fm.fileExists(atPath: u.path, isDirectory: &isDir), isDir.boolValue,
                   (try? fm.destinationOfSymbolicLink(atPath: u.path)) == nil {
                    sweep(u, recursive: true)
                }
            }
        }
        sweep(root, recursive: false)
        sweep(runsURL, recursive: true)
        return removed
    }
}
