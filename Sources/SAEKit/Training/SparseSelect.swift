/// Selection kernels of the sparse trainer.
enum SparseSelect {
    /// The (up to) `k` largest **positive** values of `row` (ReLU then top-k, as sparsify), scanning
    /// `candidates` (latent indices, increasing) or all `count` entries. Ties go to the lower index.
    /// Writes `k` slots' worth at most; returns how many were filled (entries ≤ 0 are never selected:
    /// sparsify would select zeros when fewer than k are positive, which changes nothing).
    /// - Complexity: O(count + s·log k) with s the number of heap insertions.
    @inline(__always)
    static func topKPositive(_ row: UnsafePointer<Float>, candidates: UnsafePointer<Int32>?, count: Int, k: Int,
                             outIdx hi: UnsafeMutablePointer<Int32>, outVal hv: UnsafeMutablePointer<Float>) -> Int {
        if k <= 0 { return 0 }
        var n = 0
        // Min-heap on (value, then larger index is worse) at hv/hi[0..<n]. Candidates arrive in
        // increasing index order, so a new value equal to the root is worse than it: `>` suffices.
        @inline(__always) func worse(_ a: Int, _ b: Int) -> Bool { hv[a] < hv[b] || (hv[a] == hv[b] && hi[a] > hi[b]) }
        for c in 0..<count {
            let i = candidates.map { Int($0[c]) } ?? c
            let v = row[i]
            if !(v > 0) { continue }
            if n < k {
                hv[n] = v; hi[n] = Int32(i); n += 1
                var ch = n - 1
                while ch > 0 {
                    let p = (ch - 1) >> 1
                    if worse(ch, p) { swap(&hv[ch], &hv[p]); swap(&hi[ch], &hi[p]); ch = p } else { break }
                }
            } else if v > hv[0] {
                hv[0] = v; hi[0] = Int32(i)
                var ch = 0
                while true {
                    let l = 2 * ch + 1, rr = l + 1
                    var s = ch
                    if l < k && worse(l, s) { s = l }
                    if rr < k && worse(rr, s) { s = rr }
                    if s == ch { break }
                    swap(&hv[ch], &hv[s]); swap(&hi[ch], &hi[s]); ch = s
                }
            }
        }
        return n
    }

    struct KthValue { var value: Float }

    /// The k-th largest positive value among `count` floats (exact, two-pass radix select on the
    /// IEEE bit patterns, which order like the values for positive floats), or 0 when fewer than k
    /// values are positive.
    /// - Complexity: O(count), two passes plus 2·65,536 histogram bins.
    static func kthLargestPositive(_ p: UnsafePointer<Float>, count: Int, k: Int) -> KthValue {
        if k <= 0 { return KthValue(value: .infinity) }
        var hist = [Int](repeating: 0, count: 65536)
        var positives = 0
        for j in 0..<count where p[j] > 0 { hist[Int(p[j].bitPattern >> 16)] += 1; positives += 1 }
        if positives < k { return KthValue(value: 0) }
        var need = k, bin = 65535
        while bin > 0 && hist[bin] < need { need -= hist[bin]; bin -= 1 }
        var low = [Int](repeating: 0, count: 65536)
        let hiBits = UInt32(bin)
        for j in 0..<count where p[j] > 0 && p[j].bitPattern >> 16 == hiBits { low[Int(p[j].bitPattern & 0xFFFF)] += 1 }
        var lb = 65535
        while lb > 0 && low[lb] < need { need -= low[lb]; lb -= 1 }
        return KthValue(value: Float(bitPattern: (hiBits << 16) | UInt32(lb)))
    }
}
