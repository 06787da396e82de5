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
        var heap = TopKHeap(k: k, idx: hi, val: hv)
        if let cand = candidates {
            for c in 0..<count {
                let i = Int(cand[c])
                let v = row[i]
                if v > heap.admit { heap.insert(Int32(i), v) }
            }
            return heap.n
        }
        // Dense scan, 16 lanes at a time: most blocks hold nothing above the admission threshold
        // (0 until the heap is full, then the heap minimum) and are skipped with one compare.
        var c = 0
        while c + 16 <= count {
            let v = UnsafeRawPointer(row + c).loadUnaligned(as: SIMD16<Float>.self)
            if any(v .> SIMD16<Float>(repeating: heap.admit)) {
                for l in 0..<16 where v[l] > heap.admit { heap.insert(Int32(c + l), v[l]) }
            }
            c += 16
        }
        while c < count {
            if row[c] > heap.admit { heap.insert(Int32(c), row[c]) }
            c += 1
        }
        return heap.n
    }

    /// A bounded min-heap on (value, larger index worse) over caller memory. Candidates arrive in
    /// increasing index order, so a new value equal to the root is worse than it: `v > admit`
    /// is the exact admission test.
    struct TopKHeap {
        let k: Int
        let idx: UnsafeMutablePointer<Int32>
        let val: UnsafeMutablePointer<Float>
        var n = 0
        /// Values must exceed this to enter: 0 (positives only) until full, then the root.
        var admit: Float = 0

        init(k: Int, idx: UnsafeMutablePointer<Int32>, val: UnsafeMutablePointer<Float>) { self.k = k; self.idx = idx; self.val = val }

        @inline(__always) func worse(_ a: Int, _ b: Int) -> Bool { val[a] < val[b] || (val[a] == val[b] && idx[a] > idx[b]) }

        @inline(__always) mutating func insert(_ i: Int32, _ v: Float) {
            if n < k {
                val[n] = v; idx[n] = i; n += 1
                var ch = n - 1
                while ch > 0 {
                    let p = (ch - 1) >> 1
                    if worse(ch, p) { swap(&val[ch], &val[p]); swap(&idx[ch], &idx[p]); ch = p } else { break }
                }
                if n == k { admit = val[0] }
            } else {
                val[0] = v; idx[0] = i
                var ch = 0
                while true {
                    let l = 2 * ch + 1, rr = l + 1
                    var s = ch
                    if l < k && worse(l, s) { s = l }
                    if rr < k && worse(rr, s) { s = rr }
                    if s == ch { break }
                    swap(&val[ch], &val[s]); swap(&idx[ch], &idx[s]); ch = s
                }
                admit = val[0]
            }
        }
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
