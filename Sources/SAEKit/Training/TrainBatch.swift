import Foundation

/// One training batch `[B × d]` with the statistics every seed needs (computed once and shared).
final class TrainBatch: @unchecked Sendable {
    let rows: Int
    let d: Int
    /// `[B × d]` activations.
    let x: FBuf
    /// Column means x̄ `[d]` (Double accumulation, row order).
    private(set) var mean: [Float] = []
    /// Σ_{n,j} (x_nj − x̄_j)², sparsify's FVU denominator.
    private(set) var totalVariance: Double = 0

    init(rows: Int, d: Int) { self.rows = rows; self.d = d; x = FBuf(rows * d) }

    /// Recomputes `mean` and `totalVariance` from `x` (deterministic: serial, in row order).
    func computeStatistics() {
        var sum = [Double](repeating: 0, count: d)
        for n in 0..<rows { for j in 0..<d { sum[j] += Double(x[n * d + j]) } }
        let mu = sum.map { $0 / Double(max(rows, 1)) }
        var tv = 0.0
        for n in 0..<rows {
            var s = 0.0
            for j in 0..<d { let e = Double(x[n * d + j]) - mu[j]; s += e * e }
            tv += s
        }
        mean = mu.map { Float($0) }
        totalVariance = tv
    }
}

/// Scratch memory for one step, shared by the seeds of a run (they train one after another).
final class TrainWorkspace: @unchecked Sendable {
    let B: Int, d: Int, m: Int
    /// x̃ = x − b_dec `[B×d]`
    let xt: FBuf
    /// Pre-activations `[B×m]` (dense archs: then their activations F in `act`).
    let pre: FBuf
    /// Residual r = x̂ − x, then the gradient g = 2r/TV `[B×d]`.
    let r: FBuf
    /// AuxK: ê + r, then its gradient `[B×d]` (allocated lazily).
    var aux: FBuf?
    /// Per-row Σr² (Double).
    let rowSq: Buf<Double>
    let rowAux: Buf<Double>
    // Sparse activations in CSR form per token (TopK/BatchTopK).
    let actStart: Buf<Int32>
    var actIdx: Buf<Int32>
    var actVal: FBuf
    var actDelta: FBuf
    // AuxK selections: fixed kAux slots per token.
    var auxIdx: Buf<Int32>
    var auxVal: FBuf
    var auxDelta: FBuf
    // Per-latent buckets of (token, entry) for the encoder/decoder gradients.
    let latStart: Buf<Int32>
    var entTok: Buf<Int32>
    /// Entry id: ≥ 0 → index into act arrays; < 0 → −1 − index into aux arrays.
    var entRef: Buf<Int32>
    // Dense archs: activations F, dF/dPre `[B×m]` (allocated lazily).
    var act: FBuf?
    var dAct: FBuf?

    init(B: Int, d: Int, m: Int, activeCapacity: Int) {
        self.B = B; self.d = d; self.m = m
        xt = FBuf(B * d); pre = FBuf(B * m); r = FBuf(B * d)
        rowSq = Buf(B, 0); rowAux = Buf(B, 0)
        actStart = Buf(B + 1, 0)
        actIdx = Buf(activeCapacity, 0); actVal = FBuf(activeCapacity); actDelta = FBuf(activeCapacity)
        auxIdx = Buf(1, 0); auxVal = FBuf(1); auxDelta = FBuf(1)
        latStart = Buf(m + 1, 0)
        entTok = Buf(activeCapacity, 0); entRef = Buf(activeCapacity, 0)
    }

    func ensureAux(kAux: Int) {
        if auxIdx.count < B * kAux {
            auxIdx = Buf(B * kAux, 0); auxVal = FBuf(B * kAux); auxDelta = FBuf(B * kAux)
        }
        if aux == nil { aux = FBuf(B * d) }
        let need = actIdx.count + B * kAux
        if entTok.count < need { entTok = Buf(need, 0); entRef = Buf(need, 0) }
    }

    func ensureDense() {
        if act == nil { act = FBuf(B * m); dAct = FBuf(B * m) }
    }
}
