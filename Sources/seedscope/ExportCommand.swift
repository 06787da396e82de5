import ArgumentParser
import Foundation
import SAEKit

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an SAE in SAELens v6 or sparsify/seedscope layout, so it opens in the Python tools.")

    enum Target: String, ExpressibleByArgument, CaseIterable { case saelens, sparsify }
    enum StoredDType: String, ExpressibleByArgument, CaseIterable {
        case f32, bf16, f16
        var dtype: DType { self == .f32 ? .F32 : (self == .bf16 ? .BF16 : .F16) }
    }

    @Argument(help: "SAE folder (sparsify, seedscope, SAELens) or Gemma Scope params.npz.")
    var sae: String

    @Option(help: "Output layout: saelens or sparsify.")
    var to: Target

    @Option(help: "Output folder (created; must not exist or be empty unless --force).")
    var out: String

    @Option(help: "Stored dtype: f32 (lossless), bf16 or f16.")
    var dtype: StoredDType = .f32

    @Flag(help: "Replace the output folder's files if it already exists.")
    var force = false

    func run() throws {
        try runReportingErrors {
            let model = try SAELoader.load(URL(fileURLWithPath: sae))
            let dest = URL(fileURLWithPath: out)
            let fm = FileManager.default
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: dest.path, isDirectory: &isDir) {
                guard isDir.boolValue else { throw SeedScopeError.invalid(file: dest.path, message: "exists and is not a folder") }
                let items = (try? fm.contentsOfDirectory(atPath: dest.path)) ?? []
                if !items.isEmpty && !force { throw SeedScopeError.invalid(file: dest.path, message: "folder is not empty (use --force to overwrite)") }
            }
            // Write into a hidden sibling, then move the files in, so a failure leaves nothing half-written.
            let tmp = dest.deletingLastPathComponent().appendingPathComponent(".\(dest.lastPathComponent).export-\(getpid())")
            try? fm.removeItem(at: tmp)
            defer { try? fm.removeItem(at: tmp) }
            switch to {
            case .saelens: try SAECheckpoint.writeSAELensLayout(model, to: tmp, dtype: dtype.dtype)
            case .sparsify: try SAECheckpoint.writeSparsifyLayout(model, to: tmp, dtype: dtype.dtype)
            }
            try fm.createDirectory(at: dest, withIntermediateDirectories: true)
            for name in try fm.contentsOfDirectory(atPath: tmp.path) {
                let target = dest.appendingPathComponent(name)
                if rename(tmp.appendingPathComponent(name).path, target.path) != 0 {
                    throw SeedScopeError.io(file: target.path, message: "cannot move into place: \(String(cString: strerror(errno)))")
                }
            }
            let what = to == .saelens ? "SAELens v6 (cfg.json + sae_weights.safetensors)" : "sparsify/seedscope (cfg.json + sae.safetensors)"
            print("wrote \(model.info.name) [\(model.architecture.rawValue), m=\(model.numLatents), d=\(model.dIn)] as \(what), \(dtype.rawValue), to \(dest.path)")
            if to == .sparsify && model.architecture != .topk && model.architecture != .batchtopk {
                print("note: sparsify itself only loads topk SAEs; this \(model.architecture.rawValue) SAE reopens in seedscope")
            }
        }
    }
}
