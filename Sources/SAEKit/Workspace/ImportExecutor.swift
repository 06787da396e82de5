import Foundation

/// The train phase of an `imported` run: validates the source checkpoint with `SAELoader.load` (so a
/// corrupt or mismatched file fails here, naming the file) and either copies its files into the seed's
/// checkpoint folder or writes `checkpoint/source.json` referencing it in place.
public struct ImportExecutor: Sendable {
    public init() {}

    public func importSeed(_ source: ImportSource, context: JobContext) throws {
        let src = URL(fileURLWithPath: source.path)
        context.control.report(step: 0, total: 2, message: "validating \(src.path)")
        let sae = try SAELoader.load(src)
        try context.control.checkpoint()
        if let m = context.spec.latents, m != sae.numLatents {
            throw SeedScopeError.invalid(file: src.path, message: "has \(sae.numLatents) latents but run \(context.spec.name) has \(m)")
        }
        let fm = FileManager.default
        if source.copy {
            context.control.report(step: 1, total: 2, message: "copying")
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: src.path, isDirectory: &isDir)
            let files = isDir.boolValue ? try fm.contentsOfDirectory(atPath: src.path).sorted() : [src.lastPathComponent]
            let base = isDir.boolValue ? src : src.deletingLastPathComponent()
            for f in files {
                let from = base.appendingPathComponent(f)
                var sub: ObjCBool = false
                // Only the checkpoint's own files; sub-folders of a sparsify run are other SAEs.
                guard fm.fileExists(atPath: from.path, isDirectory: &sub), !sub.boolValue, !f.hasPrefix(".") else { continue }
                do { try fm.copyItem(at: from, to: context.outputDir.appendingPathComponent(f)) } catch {
                    throw SeedScopeError.io(file: from.path, message: "cannot copy: \(WorkspaceJSON.reason(error))")
                }
                try context.control.checkpoint()
            }
            if !files.contains(TrainMetrics.fileName) {
                try WorkspaceJSON.write(TrainMetrics(source: "import", importedFrom: src.path),
                                        to: context.outputDir.appendingPathComponent(TrainMetrics.fileName))
            }
        } else {
            let ref = CheckpointReference(path: src.path, format: sae.info.format, latents: sae.numLatents, dIn: sae.dIn,
                                          fingerprint: CheckpointReference.fingerprint(src))
            try WorkspaceJSON.write(ref, to: context.outputDir.appendingPathComponent(CheckpointReference.fileName))
        }
        context.control.report(step: 2, total: 2, message: "imported \(sae.numLatents) latents, d=\(sae.dIn)")
    }
}
