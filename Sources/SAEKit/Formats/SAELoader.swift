import Foundation

/// The on-disk formats seedscope reads.
public enum SAEFormat: String, Sendable, Codable, CaseIterable {
    /// EleutherAI sparsify: `cfg.json` + `sae.safetensors`.
    case sparsify
    /// seedscope's own: sparsify's layout plus a `"seedscope"` object in `cfg.json`.
    case seedscope
    /// SAELens (v3 … v6): `cfg.json` + `sae_weights.safetensors` (+ optional `sparsity.safetensors`).
    case saelens
    /// Gemma Scope: `params.npz` (no config).
    case gemmascope
}

/// One SAE found under a folder by `SAELoader.list`.
public struct SAERef: Sendable, Equatable {
    /// The SAE's folder (or `.npz` file).
    public var url: URL
    public var format: SAEFormat
    /// Path relative to the listed folder, e.g. `layers.15/seed0` ("." for the folder itself).
    public var name: String
    /// Hookpoint if the layout says (sparsify: the folder name above `seedN`).
    public var hookpoint: String?
    /// Seed if the layout says (`seedN` folder, or seedscope's cfg).
    public var seed: Int?
}

/// What `load` checks beyond shapes.
public struct SAELoadOptions: Sendable {
    /// Accept NaN/infinite weights (`inspect` uses this to report them instead of refusing).
    public var allowNonFinite = false
    public init(allowNonFinite: Bool = false) { self.allowNonFinite = allowNonFinite }
}

/// Opens SAE checkpoints from disk, detecting the format (reference/formats.md §0):
/// sparsify and seedscope folders, SAELens folders (v6 and older configs), Gemma Scope `params.npz`.
/// A run folder holding exactly one SAE loads that SAE; `list` enumerates all SAEs under a folder
/// (hookpoints × seeds). Every failure is a one-line `SeedScopeError`/`SafetensorsError` naming the file.
public enum SAELoader {
    /// Loads the SAE in folder (or file) `url`.
    public static func load(_ url: URL) throws -> SparseAutoencoder {
        try load(url, options: SAELoadOptions())
    }

    /// Loads the SAE in folder (or file) `url` with `options`.
    public static func load(_ url: URL, options: SAELoadOptions) throws -> SparseAutoencoder {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw SeedScopeError.io(file: url.path, message: "no such file or folder")
        }
        var dir = url
        if !isDir.boolValue {
            // A file inside an SAE folder, or a Gemma Scope .npz itself.
            if url.pathExtension == "npz" { return try checked(loadGemmaScope(url), options) }
            let known = ["cfg.json", "sae.safetensors", "sae_weights.safetensors", "params.npz"]
            guard known.contains(url.lastPathComponent) else { throw notAnSAE(url) }
            dir = url.deletingLastPathComponent()
        }
        if let f = detectFormat(dir) { return try checked(loadFolder(dir, format: f), options) }
        let found = try list(dir)
        if found.count == 1 { return try checked(loadFolder(found[0].url, format: found[0].format), options) }
        if found.count > 1 {
            let names = found.prefix(6).map(\.name).joined(separator: ", ") + (found.count > 6 ? ", …" : "")
            throw SeedScopeError.invalid(file: dir.path, message: "holds \(found.count) SAEs (\(names)); pass one of their folders")
        }
        throw notAnSAE(dir)
    }

    static func notAnSAE(_ url: URL) -> SeedScopeError {
        .invalid(file: url.path, message: "not an SAE checkpoint (expected cfg.json + sae.safetensors for sparsify/seedscope, cfg.json + sae_weights.safetensors for SAELens, or params.npz for Gemma Scope)")
    }

    /// The format of SAE folder `dir`, or nil when it holds none (its subfolders are not searched).
    public static func detectFormat(_ dir: URL) -> SAEFormat? {
        let fm = FileManager.default
        func has(_ n: String) -> Bool { fm.fileExists(atPath: dir.appendingPathComponent(n).path) }
        if has("sae.safetensors") {
            let cfg = try? JSONValue.parse(contentsOf: dir.appendingPathComponent("cfg.json"))
            return cfg?["seedscope"] != nil ? .seedscope : .sparsify
        }
        if has("sae_weights.safetensors") { return .saelens }
        if has("params.npz") { return .gemmascope }
        return nil
    }

    static func loadFolder(_ dir: URL, format: SAEFormat) throws -> SparseAutoencoder {
        switch format {
        case .sparsify, .seedscope: return try loadSparsify(dir)
        case .saelens: return try loadSAELens(dir)
        case .gemmascope: return try loadGemmaScope(dir.appendingPathComponent("params.npz"))
        }
    }

    /// Every SAE at or below `root` (depth ≤ 5, hidden folders skipped, SAE folders not descended into),
    /// in natural order (`layers.2` before `layers.10`, as sparsify's `load_many` sorts).
    public static func list(_ root: URL) throws -> [SAERef] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir) else {
            throw SeedScopeError.io(file: root.path, message: "no such file or folder")
        }
        guard isDir.boolValue else {
            if root.pathExtension == "npz" {
                return [SAERef(url: root, format: .gemmascope, name: root.lastPathComponent, hookpoint: nil, seed: nil)]
            }
            throw notAnSAE(root)
        }
        var out: [SAERef] = []
        func walk(_ dir: URL, _ rel: [String], depth: Int) {
            if let f = detectFormat(dir) {
                out.append(ref(dir, format: f, rel: rel))
                return
            }
            guard depth < 5, let items = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return }
            for name in items where !name.hasPrefix(".") {
                let u = dir.appendingPathComponent(name)
                var d: ObjCBool = false
                if FileManager.default.fileExists(atPath: u.path, isDirectory: &d), d.boolValue {
                    walk(u, rel + [name], depth: depth + 1)
                }
            }
        }
        walk(root, [], depth: 0)
        return out.sorted { $0.name.compare($1.name, options: .numeric) == .orderedAscending }
    }

    static func ref(_ dir: URL, format: SAEFormat, rel: [String]) -> SAERef {
        let last = dir.lastPathComponent
        var seed = seedFromFolderName(last)
        var hook: String? = seed != nil ? dir.deletingLastPathComponent().lastPathComponent : (format == .gemmascope ? nil : last)
        if format == .seedscope, let cfg = try? JSONValue.parse(contentsOf: dir.appendingPathComponent("cfg.json")) {
            seed = cfg["seedscope"]?["seed"]?.intValue.map(Int.init) ?? seed
            hook = cfg["seedscope"]?["hookpoint"]?.stringValue ?? hook
        }
        return SAERef(url: dir, format: format, name: rel.isEmpty ? "." : rel.joined(separator: "/"), hookpoint: hook, seed: seed)
    }

    /// "seed3" → 3.
    static func seedFromFolderName(_ name: String) -> Int? {
        guard name.hasPrefix("seed") else { return nil }
        return Int(name.dropFirst(4))
    }

    /// Reads and parses a JSON config, with one-line errors naming it.
    static func readConfig(_ url: URL) throws -> JSONValue {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SeedScopeError.io(file: url.path, message: "missing (an SAE folder needs cfg.json next to its weights)")
        }
        do { return try JSONValue.parse(contentsOf: url) } catch let e as JSONParseError {
            throw SeedScopeError.invalid(file: url.path, message: "invalid JSON: \(e)")
        } catch {
            throw SeedScopeError.io(file: url.path, message: "cannot read")
        }
    }

    /// Rejects non-finite parameters unless allowed.
    static func checked(_ sae: SparseAutoencoder, _ options: SAELoadOptions) throws -> SparseAutoencoder {
        if !options.allowNonFinite, let problem = sae.firstNonFiniteParameter() {
            throw SeedScopeError.invalid(file: sae.info.weightsFile ?? sae.info.path, message: "NaN or infinite weights: \(problem)")
        }
        return sae
    }
}

extension SparseAutoencoder {
    /// A description of the first NaN/infinite parameter ("latent 3 of the decoder", …), or nil.
    /// - Complexity: O(m·d).
    public func firstNonFiniteParameter() -> String? {
        if let r = encoder.firstNonFiniteRow() { return "encoder row \(r)" }
        if let r = decoder.firstNonFiniteRow() { return "decoder row \(r)" }
        if let i = encoderBias.firstIndex(where: { !$0.isFinite }) { return "encoder bias \(i)" }
        if let i = decoderBias.firstIndex(where: { !$0.isFinite }) { return "decoder bias \(i)" }
        if let i = thresholds?.firstIndex(where: { !$0.isFinite }) { return "threshold \(i)" }
        if let g = gated {
            if let i = g.bMag.firstIndex(where: { !$0.isFinite }) { return "b_mag \(i)" }
            if let i = g.rMag.firstIndex(where: { !$0.isFinite }) { return "r_mag \(i)" }
        }
        if let b = batchThreshold, !b.isFinite { return "batch threshold" }
        if let s = skip, let r = s.firstNonFiniteRow() { return "W_skip row \(r)" }
        return nil
    }
}
