import Foundation

/// A read-only memory-mapped file. The mapping lives as long as this object.
///
/// Mapping is lazy (pages load on first touch), so opening a multi-GB activation file costs well
/// under a millisecond. An empty file has a valid, empty `bytes` buffer.
public final class MappedFile: @unchecked Sendable {
    /// The path it was opened from.
    public let path: String
    /// The file contents.
    public let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?
    private let length: Int

    /// Maps `path` read-only. Throws `SeedScopeError.io` naming the file when it is missing,
    /// unreadable or a directory.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw SeedScopeError.io(file: path, message: errno == ENOENT ? "no such file" : "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SeedScopeError.io(file: path, message: "cannot stat: \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw SeedScopeError.io(file: path, message: "is a directory, expected a file") }
        length = Int(st.st_size)
        if length == 0 {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw SeedScopeError.io(file: path, message: "cannot map: \(String(cString: strerror(errno)))")
        }
        base = p
        bytes = UnsafeRawBufferPointer(start: p, count: length)
    }

    /// Tells the kernel the file will be read sequentially (readahead).
    public func adviseSequential() {
        if let b = base { madvise(b, length, MADV_SEQUENTIAL) }
    }

    deinit {
        if let b = base { munmap(b, length) }
    }
}
