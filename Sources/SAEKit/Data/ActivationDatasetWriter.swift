import Foundation

/// Writes datasets in seedscope's schema (see `ActivationDataset`): `activations` `[N, d]` with rows
/// `window * T + position`, `tokens` `[W, T]` (or `[N]` without windows) as I32, and `__metadata__`
/// with `ctx` set — the same layout as the shared SmolLM2 files and Examples/harvest/harvest.py.
public enum ActivationDatasetWriter {
    /// Writes `activations` (`[N × d]`) and optional `tokens` (N ids) to `url` atomically; `extra`
    /// may add further tensors (e.g. a generator's `true_directions`).
    /// - Complexity: O(N · d).
    public static func write(to url: URL, activations: Matrix, windowLength: Int?, tokens: [Int32]?,
                             dtype: DType = .F32, metadata: [String: String] = [:],
                             extra: (inout SafetensorsWriter) -> Void = { _ in }) throws {
        var meta = metadata
        if let t = windowLength {
            precondition(t > 0 && activations.rows % t == 0, "rows must be a whole number of windows")
            meta["ctx"] = String(t)
            meta["row_order"] = meta["row_order"] ?? "row = window*\(t) + position"
        }
        meta["d_model"] = meta["d_model"] ?? String(activations.cols)
        var w = SafetensorsWriter(metadata: meta)
        w.add("activations", matrix: activations, dtype: dtype)
        if let tokens {
            precondition(tokens.count == activations.rows, "one token per activation row")
            let shape = windowLength.map { [activations.rows / $0, $0] } ?? [tokens.count]
            w.add("tokens", ints: tokens.map { Int64($0) }, shape: shape, dtype: .I32)
        }
        extra(&w)
        try w.write(to: url)
    }
}
