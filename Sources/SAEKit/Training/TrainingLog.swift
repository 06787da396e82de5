import Foundation

/// `train.jsonl`: one JSON object per step ({"step","lr","fvu","l0","dead_fraction","auxk_loss",
/// "sparsity_loss","loss"}) and per held-out evaluation ({"step","heldout_fvu","heldout_l0",
/// "heldout_dead_fraction","heldout_tokens"}). Appended in batches; on resume the lines after the
/// checkpoint's step are dropped so the log matches an uninterrupted run.
struct TrainingLog {
    let url: URL
    private var pending = ""

    init(url: URL) throws {
        self.url = url
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw SeedScopeError.io(file: url.path, message: "cannot create log")
            }
        }
    }

    static func line(_ m: StepMetrics) -> String {
        JSONValue.object([("step", .int(Int64(m.step))), ("lr", .double(m.learningRate)), ("fvu", .double(m.fvu)),
                          ("l0", .double(m.l0)), ("dead_fraction", .double(m.deadFraction)),
                          ("auxk_loss", .double(m.auxkLoss)), ("sparsity_loss", .double(m.sparsityLoss)),
                          ("loss", .double(m.loss))]).serialized()
    }

    mutating func append(_ m: StepMetrics) throws {
        pending += Self.line(m) + "\n"
        if pending.utf8.count > 1 << 16 { try flush() }
    }

    mutating func appendHeldOut(step: Int, _ h: HeldOutMetrics) throws {
        pending += JSONValue.object([("step", .int(Int64(step))), ("heldout_fvu", .double(h.fvu)), ("heldout_l0", .double(h.l0)),
                                     ("heldout_dead_fraction", .double(h.deadFraction)), ("heldout_tokens", .int(Int64(h.tokens)))]).serialized() + "\n"
        try flush()
    }

    mutating func flush() throws {
        if pending.isEmpty { return }
        defer { pending = "" }
        guard let fh = FileHandle(forWritingAtPath: url.path) else { throw SeedScopeError.io(file: url.path, message: "cannot open log for appending") }
        defer { try? fh.close() }
        do { try fh.seekToEnd(); try fh.write(contentsOf: Data(pending.utf8)) } catch {
            throw SeedScopeError.io(file: url.path, message: "cannot append to log: \(error)")
        }
    }

    /// Keeps only lines whose "step" ≤ `step` (atomic rewrite).
    static func truncate(_ url: URL, afterStep step: Int) throws {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n").filter { l in
            guard let j = try? JSONValue.parse(String(l)), let s = j["step"]?.intValue else { return false }
            return Int(s) <= step
        }
        try AtomicFile.write(kept.map { $0 + "\n" }.joined(), to: url)
    }
}
