import Foundation

/// Locations of committed fixtures, the examples and the optional `../shared/data` folder.
enum TestPaths {
    /// The repository root (this file is Tests/SAEKitTests/Support/TestPaths.swift).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A committed fixture under Tests/Fixtures.
    static func fixture(_ rel: String) -> URL { root.appendingPathComponent("Tests/Fixtures").appendingPathComponent(rel) }

    /// A file under Examples.
    static func example(_ rel: String) -> URL { root.appendingPathComponent("Examples").appendingPathComponent(rel) }

    /// A file in ../shared/data, or nil when that folder is absent (fresh clone without it).
    static func shared(_ rel: String) -> URL? {
        let u = root.deletingLastPathComponent().appendingPathComponent("shared/data").appendingPathComponent(rel)
        return FileManager.default.fileExists(atPath: u.path) ? u : nil
    }

    /// A fresh temporary directory.
    static func tempDir(_ tag: String = "t") -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("seedscope-\(tag)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}
