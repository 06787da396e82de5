import Foundation

/// Paths inside `runs/<name>/`. Pure path arithmetic; nothing here touches the disk except
/// `checkpoint(seed:)`, which resolves referenced imports.
public struct RunLayout: Sendable {
    public let dir: URL
    public init(dir: URL) { self.dir = dir }

    public var specURL: URL { dir.appendingPathComponent("run.json") }
    public var jobsDir: URL { dir.appendingPathComponent("jobs") }
    /// Written by `seedscope run cancel` from another process; the engine polls and removes it.
    public var cancelRequestURL: URL { dir.appendingPathComponent("cancel.request") }
    public func seedDir(_ seed: Int) -> URL { dir.appendingPathComponent("seed\(seed)") }
    /// The seed's checkpoint folder (cfg.json + sae.safetensors, or source.json for a reference).
    public func checkpointDir(_ seed: Int) -> URL { seedDir(seed).appendingPathComponent("checkpoint") }
    public func trainLog(_ seed: Int) -> URL { seedDir(seed).appendingPathComponent("train.log") }
    public func profileDir(_ seed: Int) -> URL { seedDir(seed).appendingPathComponent("profile") }
    public func matchDir(_ pair: SeedPair) -> URL { dir.appendingPathComponent("matches/\(pair.a)-\(pair.b)") }
    public var consensusDir: URL { dir.appendingPathComponent("consensus") }
    public func reportURL(_ ext: String) -> URL { dir.appendingPathComponent("report.\(ext)") }

    /// The folder to load seed `seed`'s SAE from: the copied checkpoint, or the path a referenced import
    /// points to (`checkpoint/source.json`).
    public func checkpoint(seed: Int) throws -> URL {
        let c = checkpointDir(seed)
        let ref = c.appendingPathComponent(CheckpointReference.fileName)
        if FileManager.default.fileExists(atPath: ref.path) {
            return URL(fileURLWithPath: try WorkspaceJSON.read(CheckpointReference.self, from: ref).path)
        }
        return c
    }
}

/// `checkpoint/source.json` of a seed imported by reference: where it lives and what it looked like, so
/// a later change of the referenced files can be detected.
public struct CheckpointReference: Codable, Sendable, Equatable {
    public static let fileName = "source.json"
    public var path: String
    public var format: String
    public var latents: Int
    public var dIn: Int
    /// Size and modification time of every file in the folder when imported (name → "size@mtime").
    public var fingerprint: [String: String]

    /// Fingerprints the regular files directly inside `dir` (or `dir` itself when it is a file).
    public static func fingerprint(_ url: URL) -> [String: String] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { return [:] }
        let files = isDir.boolValue ? ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).sorted().map { url.appendingPathComponent($0) } : [url]
        var out: [String: String] = [:]
        for f in files {
            guard let a = try? fm.attributesOfItem(atPath: f.path), (a[.type] as? FileAttributeType) == .typeRegular else { continue }
            let size = (a[.size] as? NSNumber)?.int64Value ?? -1
            let mtime = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            out[f.lastPathComponent] = "\(size)@\(Int64(mtime))"
        }
        return out
    }
}
