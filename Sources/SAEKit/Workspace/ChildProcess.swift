import Foundation

/// A child process started with `posix_spawn` in its own process group, stdin from /dev/null and
/// stdout + stderr appended to a log file.
///
/// Not Foundation's `Process`: we need the new process group (so cancel, pause and crash cleanup reach
/// the whole tree a `sh -c 'torchrun …'` starts) and the log written by the child itself, with no pipe
/// to pump — the log stays complete even when the engine is killed.
public struct ChildProcess: Sendable {
    public let pid: Int32

    /// How a child ended.
    public enum Exit: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)
        public var description: String {
            switch self {
            case let .exited(c): return "exit status \(c)"
            case let .signaled(s): return "killed by signal \(s)"
            }
        }
    }

    /// Starts `/bin/sh -c command` in `cwd` with extra environment variables.
    public static func spawnShell(_ command: String, cwd: String?, environment extra: [String: String], log: URL) throws -> ChildProcess {
        // posix_spawn_file_actions_addchdir_np is not visible to Swift here; let the shell change directory.
        let script = cwd.map { "cd '" + $0.replacingOccurrences(of: "'", with: "'\\''") + "' || exit 127\n" + command } ?? command
        return try spawn(["/bin/sh", "-c", script], environment: extra, log: log)
    }

    /// Starts `argv` (argv[0] is an absolute path) with extra environment variables.
    public static func spawn(_ argv: [String], environment extra: [String: String], log: URL) throws -> ChildProcess {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in extra { env[k] = v }
        var fa = posix_spawn_file_actions_t()
        var attr = posix_spawnattr_t()
        posix_spawn_file_actions_init(&fa)
        posix_spawnattr_init(&attr)
        defer { posix_spawn_file_actions_destroy(&fa); posix_spawnattr_destroy(&attr) }
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 1, log.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&fa, 1, 2)
        // New process group; and a clean signal state: the spawning thread may block or ignore signals
        // (the test runner does), which the child would inherit and then shrug off our SIGTERM.
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attr, 0)
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        let cargs = argv.map { strdup($0) } + [nil]
        let cenv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cargs.forEach { free($0) }; cenv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &fa, &attr, cargs, cenv)
        guard rc == 0 else {
            throw SeedScopeError.io(file: argv[0], message: "cannot start: \(String(cString: strerror(rc)))")
        }
        return ChildProcess(pid: pid)
    }

    /// Non-blocking wait: the exit when the child has ended, nil while it runs.
    public func poll() -> Exit? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(status & 0x7f)
    }

    /// Sends `sig` to the child's whole process group.
    public func signalGroup(_ sig: Int32) { kill(-pid, sig) }

    /// SIGTERM to the group, then SIGKILL after `grace` seconds; waits for the child.
    public func terminate(grace: Double = 5) -> Exit {
        signalGroup(SIGCONT)
        signalGroup(SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline {
            if let e = poll() { signalGroup(SIGKILL); return e }
            usleep(20_000)
        }
        signalGroup(SIGKILL)
        while true {
            if let e = poll() { return e }
            usleep(10_000)
        }
    }

    /// The kernel start time of `pid` (field 22 of /proc/PID/stat), nil when it does not exist.
    public static func startTicks(_ pid: Int32) -> UInt64? {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = s.lastIndex(of: ")") else { return nil }
        let fields = s[s.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = s.lastIndex(of: ")") else { return true }
        return s[s.index(after: close)...].split(separator: " ").first == "Z"
    }

    /// Kills the process group of a child recorded by an engine that died (kill -9) while it ran, if that
    /// exact process (same PID and start time) still exists. Returns whether something was killed.
    @discardableResult
    public static func killOrphan(_ rec: ChildRecord) -> Bool {
        guard rec.pid > 0, let t = startTicks(rec.pid), t == rec.startTicks else { return false }
        kill(-rec.pid, SIGCONT)
        kill(-rec.pid, SIGKILL)
        kill(rec.pid, SIGKILL)
        // Not our child: poll until it is gone (it is reaped by init).
        for _ in 0..<200 where startTicks(rec.pid) == t && !isZombie(rec.pid) { usleep(10_000) }
        return true
    }
}
