/// SAEKit: the seedscope engine (formats, models, training, matching, profiling, workspace).
/// It never imports curses or ArgumentParser.
public enum SAEKitInfo {
    /// The seedscope version recorded in results' provenance.
    public static let version = "0.1.0"
}
