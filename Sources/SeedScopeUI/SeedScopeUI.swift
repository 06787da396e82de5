import SAEKit

/// SeedScopeUI: the terminal explorer. Views render into a `CellGrid`; only the Terminal layer calls curses.
public enum SeedScopeUIInfo {
    public static let name = "seedscope"
}
