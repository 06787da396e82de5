import Foundation

/// The product's profile phase: one streaming pass of the run's dataset through the seed's SAE
/// (`Profiler.profile`), stored as `profile.safetensors` (memory-mapped by `ProfileStore`) plus the
/// workspace's `summary.json` (`ProfileSummary`).
public struct ProfilePhase: ProfileExecutor {
    /// The profile file inside a seed's profile folder.
    public static let fileName = "profile.safetensors"
    public init() {}

    public func profile(seed: Int, checkpoint: URL, context: JobContext) throws {
        guard let data = context.spec.dataset else {
            throw SeedScopeError.invalid(file: context.layout.dir.path, message: "run has no dataset to profile on")
        }
        let dataset = try ActivationDataset(path: data)
        var sae = try SAELoader.load(checkpoint)
        sae.info.seed = sae.info.seed ?? seed
        let control = context.control
        let store: ProfileStore
        do {
            store = try Profiler.profile(sae, dataset: dataset) { p in
                control.report(step: p.rowsDone, total: p.rowsTotal, message: "profiling")
                return (try? control.checkpoint()) != nil
            }
        } catch is CancellationError {
            try control.checkpoint()  // rethrows the engine's cancellation
            throw SeedScopeError.invalid(file: data, message: "profiling stopped")
        }
        try store.write(to: context.outputDir.appendingPathComponent(Self.fileName))
        let summary = ProfileSummary(seed: seed, latents: store.numLatents, tokens: store.tokenCount,
                                     dead: store.deadLatents.count,
                                     meanL0: store.tokenCount > 0 ? Double(store.counts.reduce(0, +)) / Double(store.tokenCount) : nil)
        try WorkspaceJSON.write(summary, to: context.outputDir.appendingPathComponent(ProfileSummary.fileName))
    }
}
