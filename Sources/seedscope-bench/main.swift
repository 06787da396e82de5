import Foundation
import SAEKit

// seedscope benchmarks (`make bench`): every figure is printed with the OpenBLAS core in use and,
// where a peer exists, as a ratio against the peer measured in the same run.
print("OpenBLAS core: \(BLAS.coreName), threads: \(BLAS.threads)")
