import Foundation

/// An exclusive, advisory lock on `<workspace>/.lock` (`flock(2)`), held for the lifetime of a writable
/// `Workspace`. The holder writes its PID into the file so a second opener can say who holds it.
///
/// flock locks belong to the open file description, so a second `open` of the same workspace inside one
/// process is refused exactly like one from another process (tests rely on this), and the kernel drops
/// the lock when the holder dies, even by `kill -9`: a crashed engine never leaves a stale lock.
public final class WorkspaceLock: @unchecked Sendable {
    /// The lock file.
    public let url: URL
    private var fd: Int32

    private init(url: URL, fd: Int32) { self.url = url; self.fd = fd }

    /// Who holds a lock that could not be taken.
    public struct Holder: Sendable, Equatable {
        /// The holder's PID as written in the lock file, nil when unreadable.
        public var pid: Int32?
    }

    /// The outcome of `tryAcquire`.
    public enum Attempt: Sendable {
        case acquired(WorkspaceLock)
        case heldBy(Holder)
    }

    /// Tries to take the lock without blocking.
    public static func tryAcquire(_ url: URL) throws -> Attempt {
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SeedScopeError.io(file: url.path, message: "cannot open lock file: \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let err = errno
            close(fd)
            guard err == EWOULDBLOCK else {
                throw SeedScopeError.io(file: url.path, message: "cannot lock: \(String(cString: strerror(err)))")
            }
            return .heldBy(Holder(pid: readPID(url)))
        }
        // Record our PID (tiny write; readers tolerate a torn value and only use it for messages).
        let text = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        return .acquired(WorkspaceLock(url: url, fd: fd))
    }

    /// The PID written in a lock file, if parseable.
    public static func readPID(_ url: URL) -> Int32? {
        guard let s = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        return Int32(s.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The PID of the live process holding the workspace lock, or nil when nobody holds it.
    /// Does not take the lock (a status reader must never make a starting engine read-only): it checks
    /// that the recorded PID is alive and still has the lock file open.
    public static func liveHolder(_ url: URL) -> Int32? {
        guard let pid = readPID(url), pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return nil }
        // /proc/PID/fd links to the lock file when that process still holds it open.
        let fdDir = "/proc/\(pid)/fd"
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: fdDir) else { return pid }
        let target = url.resolvingSymlinksInPath().path
        for f in fds {
            if let dest = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fdDir)/\(f)"), dest == target { return pid }
        }
        return nil
    }

    /// Releases the lock (also done on deinit).
    public func release() {
        if fd >= 0 { flock(fd, LOCK_UN); close(fd); fd = -1 }
    }

    deinit { release() }
}
