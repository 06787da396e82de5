@preconcurrency import Foundation
import SAEKit

// seedscope benchmarks (`make bench`): every figure is printed with the OpenBLAS core in use and,
// where a peer exists (numpy/scipy/PyTorch from the venv under .build/), as a ratio against the peer
// measured in the same run. Usage: seedscope-bench [--python PATH] [NAME ...]
BLASKernel.reexecWithFastKernelIfNeeded()
setvbuf(stdout, nil, _IONBF, 0)

/// A named benchmark. Each lives in its own file and is listed here, one per line.
struct Bench {
    let name: String
    let run: (BenchContext) throws -> Void
}

/// What every benchmark gets: the Python interpreter of the venv (for peers) and a printer.
struct BenchContext {
    let python: String?
    func report(_ line: String) { print("[\(BLAS.coreName)] \(line)") }
}

let benches: [Bench] = [
    Bench(name: "sgemm", run: sgemmBench),
    Bench(name: "tui", run: tuiBench),
    Bench(name: "match", run: matchBench),
    Bench(name: "profile", run: profileBench),
    Bench(name: "train", run: trainBench),
    Bench(name: "groundtruth", run: groundTruthBench),
]

var args = Array(CommandLine.arguments.dropFirst())
var python: String? = nil
if let i = args.firstIndex(of: "--python"), i + 1 < args.count { python = args[i + 1]; args.removeSubrange(i...(i + 1)) }
print("seedscope-bench: OpenBLAS core \(BLAS.coreName), threads \(BLAS.threads)")
let ctx = BenchContext(python: python)
for b in benches where args.isEmpty || args.contains(b.name) {
    print("== \(b.name)")
    do { try b.run(ctx) } catch { print("\(b.name) failed: \(error)") }
}
