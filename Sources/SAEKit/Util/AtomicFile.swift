import Foundation

/// Atomic file writes: write to a temporary file in the same directory, flush, then rename over
/// the destination, so a reader (or a crash) never sees a half-written file.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating parent directories as needed.
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw SeedScopeError.io(file: url.path, message: "cannot create temporary file: \(String(cString: strerror(errno)))") }
            var ok = true
            data.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = Foundation.write(fd, raw.baseAddress! + off, raw.count - off)
                    if n <= 0 { if errno == EINTR { continue }; ok = false; break }
                    off += n
                }
            }
            if ok { ok = fsync(fd) == 0 }
            close(fd)
            guard ok else { throw SeedScopeError.io(file: url.path, message: "write failed: \(String(cString: strerror(errno)))") }
            guard rename(tmp.path, url.path) == 0 else {
                throw SeedScopeError.io(file: url.path, message: "rename failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(tmp.path)
            throw error
        }
    }

    /// Writes a UTF-8 string atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}

/// The general error type for I/O and validation problems outside a specific format.
/// Every message names the file and the problem on one line.
public enum SeedScopeError: Error, CustomStringConvertible, Sendable {
    case io(file: String, message: String)
    case invalid(file: String, message: String)
    case usage(String)

    public var description: String {
        switch self {
        case let .io(file, m): return "\(file): \(m)"
        case let .invalid(file, m): return "\(file): \(m)"
        case let .usage(m): return m
        }
    }
}
