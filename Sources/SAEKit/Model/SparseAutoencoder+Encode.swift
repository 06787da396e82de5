/// Batched encoding: one dense sgemm for the pre-activations, then the activation function.
extension SparseAutoencoder {
    /// Pre-activations `[B × m]` = (norm(x) − b_dec·[subtractDecoderBias])·encoderᵀ + encoderBias, for
    /// x `[B × d]`, where norm is the SAE's per-token `inputNormalization` (identity for most SAEs).
    /// For a gated SAE these are the gate pre-activations (`encoderBias` = `b_gate`).
    /// - Complexity: O(B·m·d) in one sgemm.
    public func preActivations(_ x: Matrix) -> Matrix {
        encoderProduct(encoderInput(x).input, bias: encoderBias)
    }

    /// The encoder's input x̃ `[B × d]` (normalised, b_dec subtracted when the format does) and the
    /// per-token scaling needed to undo the normalisation after decoding.
    /// - Complexity: O(B·d).
    public func encoderInput(_ x: Matrix) -> EncoderInput {
        precondition(x.cols == dIn, "input has \(x.cols) columns, SAE expects d=\(dIn)")
        var input = x
        let scaling = inputNormalization.normalize(&input)
        if subtractDecoderBias {
            let d = dIn
            input.data.withUnsafeMutableBufferPointer { p in
                decoderBias.withUnsafeBufferPointer { b in
                    for r in 0..<x.rows { for j in 0..<d { p[r * d + j] -= b[j] } }
                }
            }
        }
        return EncoderInput(input: input, scaling: scaling)
    }

    /// x̃·encoderᵀ + bias (`[B × m]`); `bias` nil means no bias.
    /// - Complexity: O(B·m·d) in one sgemm.
    func encoderProduct(_ input: Matrix, bias: [Float]?) -> Matrix {
        var pre = Matrix(rows: input.rows, cols: numLatents)
        // Broadcast the bias into C, then C = A·Bᵀ + C.
        if let bias {
            pre.data.withUnsafeMutableBufferPointer { p in
                for r in 0..<input.rows { for i in 0..<numLatents { p[r * numLatents + i] = bias[i] } }
            }
        }
        input.data.withUnsafeBufferPointer { a in
            encoder.data.withUnsafeBufferPointer { w in
                pre.data.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transA: false, transB: true, m: input.rows, n: numLatents, k: dIn, alpha: 1,
                              a: a.baseAddress!, lda: dIn, b: w.baseAddress!, ldb: dIn, beta: bias == nil ? 0 : 1,
                              c: c.baseAddress!, ldc: numLatents)
                }
            }
        }
        return pre
    }

    /// TopK of ReLU(pre) per row, as sparsify computes it (`fused_encoder`: ReLU, then `topk`).
    /// Ties are broken towards the lower latent index. Values are sorted descending.
    /// - Complexity: O(B·m·log k).
    public static func topK(_ pre: Matrix, k: Int) -> SparseCodes {
        let m = pre.cols
        let kk = min(k, m)
        var values = [Float](repeating: 0, count: pre.rows * k)
        var indices = [Int32](repeating: -1, count: pre.rows * k)
        pre.data.withUnsafeBufferPointer { p in
            var heapV = [Float](repeating: 0, count: kk)
            var heapI = [Int32](repeating: 0, count: kk)
            for r in 0..<pre.rows {
                let row = p.baseAddress! + r * m
                // Min-heap of the kk best (value desc, index asc) seen so far.
                var n = 0
                for i in 0..<m {
                    let v = Swift.max(row[i], 0)
                    if n < kk {
                        heapV[n] = v; heapI[n] = Int32(i); n += 1
                        var c = n - 1
                        while c > 0 {
                            let par = (c - 1) / 2
                            if worse(heapV[c], heapI[c], than: heapV[par], heapI[par]) {
                                heapV.swapAt(c, par); heapI.swapAt(c, par); c = par
                            } else { break }
                        }
                    } else if worse(heapV[0], heapI[0], than: v, Int32(i)) {
                        heapV[0] = v; heapI[0] = Int32(i)
                        var c = 0
                        while true {
                            let l = 2 * c + 1, rr = l + 1
                            var s = c
                            if l < kk && worse(heapV[l], heapI[l], than: heapV[s], heapI[s]) { s = l }
                            if rr < kk && worse(heapV[rr], heapI[rr], than: heapV[s], heapI[s]) { s = rr }
                            if s == c { break }
                            heapV.swapAt(c, s); heapI.swapAt(c, s); c = s
                        }
                    }
                }
                let order = (0..<n).sorted { a, b in worse(heapV[b], heapI[b], than: heapV[a], heapI[a]) }
                for (slot, h) in order.enumerated() {
                    values[r * k + slot] = heapV[h]
                    indices[r * k + slot] = heapI[h]
                }
            }
        }
        return SparseCodes(rows: pre.rows, k: k, values: values, indices: indices)
    }

    /// Ordering for top-k: (value desc, index asc). `worse(a, than: b)` means a ranks after b.
    @inline(__always)
    static func worse(_ va: Float, _ ia: Int32, than vb: Float, _ ib: Int32) -> Bool {
        va < vb || (va == vb && ia > ib)
    }

    /// Encodes a TopK SAE: pre-activations (rescaled by decoder norms when the SAE says so) then
    /// `topK`. Requires `k`.
    public func encodeTopK(_ x: Matrix) -> SparseCodes {
        precondition(k != nil, "encodeTopK needs k")
        return topKCodes(input: encoderInput(x).input)
    }

    /// Sparse decode `[B × d]`: x̂ = Σ_slots value·decoder[index] + b_dec — a gather of the k active
    /// decoder rows per token (sparsify's `embedding_bag` decode). With `rescaleActsByDecoderNorm`
    /// each value is first divided by its decoder row norm (SAELens topk). Input normalisation is
    /// not undone here (it needs the input; see `forward`).
    /// - Complexity: O(B·k·d).
    public func decode(_ codes: SparseCodes) -> Matrix {
        let d = dIn
        let invNorms = rescaleActsByDecoderNorm ? decoder.rowNorms().map { 1 / $0 } : nil
        var out = Matrix(rows: codes.rows, cols: d)
        out.data.withUnsafeMutableBufferPointer { o in
            decoder.data.withUnsafeBufferPointer { w in
                for r in 0..<codes.rows {
                    let dst = o.baseAddress! + r * d
                    for j in 0..<d { dst[j] = decoderBias[j] }
                    for s in 0..<codes.k {
                        let idx = codes.indices[r * codes.k + s]
                        var v = codes.values[r * codes.k + s]
                        if idx < 0 || v == 0 { continue }
                        if let invNorms { v *= invNorms[Int(idx)] }
                        Vec.axpy(v, w.baseAddress! + Int(idx) * d, dst, d)
                    }
                }
            }
        }
        return out
    }
}
