import Foundation

/// OpenBLAS kernel selection.
///
/// OpenBLAS picks its kernel when the library loads, from the CPU model. On virtual CPUs that report
/// a generic model (this project's machines say "Intel Xeon Processor"), 0.3.21 falls back to the SSE3
/// `Prescott` kernel, several times slower than the AVX-512 one the hardware supports. The only knob is
/// the `OPENBLAS_CORETYPE` environment variable, read at load time, so the executable re-executes itself
/// once with it set. A value already in the environment is always respected.
///
/// The same re-exec sets `OPENBLAS_THREAD_TIMEOUT` (also read only at load time). By default an
/// OpenBLAS worker spins with `sched_yield` for 2^28 cycles (~0.1 s) after every call; on a 2-core
/// machine that spinning thread competes with the work seedscope does between sgemms (the
/// profiler's selection and bookkeeping ran 2× slower; perf showed 10% of samples in `__schedule`
/// and `sched_yield`). 2^12 cycles lets workers sleep almost at once; a wake-up costs microseconds
/// against sgemms of tens of milliseconds (training measured 12.1K → 13.1K tokens/s with it).
public enum BLASKernel {
    /// log2 of the cycles an idle OpenBLAS worker spins before sleeping (OpenBLAS accepts 4...30).
    static let threadTimeout = "12"

    /// The kernel this CPU's flags support, or nil when OpenBLAS's own choice should stand.
    public static func preferredCore() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// Kernels that OpenBLAS uses as a generic fallback (older than AVX2).
    static let fallbackCores: Set<String> = ["prescott", "katmai", "coppermine", "northwood", "banias", "core2", "penryn", "dunnington", "nehalem", "atom"]

    /// Re-executes the current program once, with `OPENBLAS_CORETYPE` set when OpenBLAS chose a
    /// fallback kernel on a CPU that supports a faster one, and `OPENBLAS_THREAD_TIMEOUT` set when
    /// unset. Returns normally when nothing needs to change. Set `SEEDSCOPE_KEEP_BLAS_CORE=1` to disable.
    public static func reexecWithFastKernelIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        guard env["SEEDSCOPE_KEEP_BLAS_CORE"] == nil else { return }
        var changed = false
        if env["OPENBLAS_CORETYPE"] == nil, fallbackCores.contains(BLAS.coreName.lowercased()), let core = preferredCore() {
            setenv("OPENBLAS_CORETYPE", core, 1); changed = true
        }
        if env["OPENBLAS_THREAD_TIMEOUT"] == nil, BLAS.threads > 1 {
            setenv("OPENBLAS_THREAD_TIMEOUT", threadTimeout, 1); changed = true
        }
        guard changed else { return }
        setenv("SEEDSCOPE_KEEP_BLAS_CORE", "1", 1)
        let args = CommandLine.arguments
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cargs.append(nil)
        execv("/proc/self/exe", &cargs)
        // execv returned: keep running with the slower kernel.
    }
}
