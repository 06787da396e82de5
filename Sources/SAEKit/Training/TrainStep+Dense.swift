import Foundation

/// Forward and backward of ReLU (+ decoder-norm-weighted L1, Anthropic April 2024 update) and
/// JumpReLU (+ L0 with straight-through estimators, Rajamanoharan et al. 2024b) SAEs.
///
/// Their activity is dense early in training (about half the latents fire at init), so this path
/// uses four sgemms (encode, decode, g·W_decᵀ, the two weight gradients) rather than the sparse
/// kernels. Loss (see docs/DECISIONS.md "Training"): L = FVU + S with
/// relu:     S = (λ(t)/d)·mean_n Σ_i f_ni‖W_dec,i‖ / u
/// jumprelu: S = (λ(t)/d)·mean_n Σ_i H(h_ni − θ_i)
/// where u is the input scale (RMS per-dimension deviation of the first batch): for inputs
/// normalised as SAELens does (per-dimension scale ≈ 1) this is SAELens's loss divided by d.
extension SeedTrainer {
    func denseForwardBackward(_ batch: TrainBatch, _ ws: TrainWorkspace) -> StepMetrics {
        ws.ensureDense()
        let B = batch.rows, d = self.d, m = self.m
        let tv = max(batch.totalVariance, Double.leastNormalMagnitude)
        let jump = config.architecture == .jumprelu
        if normalizeDecoder { renormaliseDecoder() }
        let x = batch.x.p, xt = ws.xt.p, pre = ws.pre.p, r = ws.r.p, F = ws.act!.p, dF = ws.dAct!.p
        let E = enc.value.p, Eb = encB.value.p, D = dec.value.p, bd = decB.value.p
        let u = max(inputScale, 1e-30)
        let lam = config.sparsityCoefficient(at: step) / Double(d)
        // Encoder.
        TrainParallel.forRanges(B) { range in
            for n in range {
                for j in 0..<d { xt[n * d + j] = x[n * d + j] - bd[j] }
                (pre + n * m).update(from: Eb, count: m)
            }
        }
        BLAS.gemm(transA: false, transB: true, m: B, n: m, k: d, alpha: 1, a: xt, lda: d, b: E, ldb: d,
                  beta: 1, c: pre, ldc: m)
        // Activations and penalty.
        var theta = [Float](repeating: 0, count: m)
        if let lt = logTheta { for i in 0..<m { theta[i] = Float(exp(Double(lt.value[i]))) } }
        var w = [Float](repeating: 0, count: m)   // decoder row norms (relu penalty weights)
        if !jump { for i in 0..<m { w[i] = Float(Vec.sumSquares(D + i * d, d).squareRoot()) } }
        let rowPen = ws.rowAux.p
        let activeCount = Buf<Int32>(B, 0)
        theta.withUnsafeBufferPointer { th in
            w.withUnsafeBufferPointer { wp in
                TrainParallel.forRanges(B) { range in
                    for n in range {
                        var pen = 0.0
                        var c: Int32 = 0
                        for i in 0..<m {
                            let h = pre[n * m + i]
                            let on = jump ? h > th[i] : h > 0
                            F[n * m + i] = on ? h : 0
                            if on { c += 1; pen += jump ? 1 : Double(h * wp[i]) }
                        }
                        rowPen[n] = pen
                        activeCount[n] = c
                    }
                }
            }
        }
        // Decode x̂ = b_dec + F·W_dec, residual r, g = 2r/TV.
        TrainParallel.forRanges(B) { range in for n in range { (r + n * d).update(from: bd, count: d) } }
        BLAS.gemm(transA: false, transB: false, m: B, n: d, k: m, alpha: 1, a: F, lda: m, b: D, ldb: d,
                  beta: 1, c: r, ldc: d)
        let rowSq = ws.rowSq.p
        let g2 = Float(2 / tv)
        TrainParallel.forRanges(B) { range in
            for n in range {
                let rn = r + n * d
                for j in 0..<d { rn[j] -= x[n * d + j] }
                rowSq[n] = Vec.sumSquares(rn, d)
                for j in 0..<d { rn[j] *= g2 }
            }
        }
        var sq = 0.0, pen = 0.0, active = 0
        for n in 0..<B { sq += rowSq[n]; pen += rowPen[n]; active += Int(activeCount[n]) }
        let fvu = sq / tv
        let sparsity = lam * pen / Double(B) / (jump ? 1 : u)
        // ∂L/∂F = g·W_decᵀ.
        BLAS.gemm(transA: false, transB: true, m: B, n: m, k: d, alpha: 1, a: r, lda: d, b: D, ldb: d,
                  beta: 0, c: dF, ldc: m)
        // ∂W_dec = Fᵀ·g (+ relu penalty: λ'·Σ_n f_ni · W_dec,i/‖W_dec,i‖).
        BLAS.gemm(transA: true, transB: false, m: m, n: d, k: B, alpha: 1, a: F, lda: m, b: r, ldb: d,
                  beta: 0, c: dec.grad.p, ldc: d)
        let lamF = lam / Double(B) / (jump ? 1 : u)   // ∂S/∂(f·w) per entry (relu) or ∂S/∂H (jumprelu)
        let eps = config.jumpBandwidth * u
        var gTheta = [Double](repeating: 0, count: m)
        var fSum = [Double](repeating: 0, count: m)
        // ∂L/∂pre into dF (in place), per-latent reductions split by latent ranges (row order inside).
        theta.withUnsafeBufferPointer { th in
            w.withUnsafeBufferPointer { wp in
                gTheta.withUnsafeMutableBufferPointer { gt in
                    fSum.withUnsafeMutableBufferPointer { fs in
                        TrainParallel.forRanges(m, minPerThread: 16) { range in
                            for n in 0..<B {
                                for i in range {
                                    let h = pre[n * m + i], gf = dF[n * m + i]
                                    if jump {
                                        // Rectangle kernel K(z) = 1[|z| < ½], z = (h − θ)/ε.
                                        if abs(Double(h - th[i])) < eps / 2 {
                                            gt[i] += (Double(gf) * -Double(th[i]) - lamF) / eps
                                        }
                                        dF[n * m + i] = h > th[i] ? gf : 0
                                    } else if h > 0 {
                                        fs[i] += Double(h)
                                        dF[n * m + i] = gf + Float(lamF) * wp[i]
                                    } else {
                                        dF[n * m + i] = 0
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if !jump {
            for i in 0..<m where fSum[i] != 0 && w[i] > 0 {
                Vec.axpy(Float(lamF * fSum[i]) / w[i], D + i * d, dec.grad.p + i * d, d)
            }
        }
        // ∂E = dPreᵀ·x̃; ∂b_enc = column sums; ∂b_dec = Σ g − Eᵀ∂b_enc.
        BLAS.gemm(transA: true, transB: false, m: m, n: d, k: B, alpha: 1, a: dF, lda: m, b: xt, ldb: d,
                  beta: 0, c: enc.grad.p, ldc: d)
        let gEb = encB.grad.p
        TrainParallel.forRanges(m, minPerThread: 16) { range in
            for i in range {
                var s: Float = 0
                for n in 0..<B { s += dF[n * m + i] }
                gEb[i] = s
            }
        }
        var acc = [Double](repeating: 0, count: d)
        for n in 0..<B { for j in 0..<d { acc[j] += Double(r[n * d + j]) } }
        for i in 0..<m where gEb[i] != 0 {
            let b = Double(gEb[i])
            for j in 0..<d { acc[j] -= b * Double(E[i * d + j]) }
        }
        for j in 0..<d { decB.grad[j] = Float(acc[j]) }
        if let lt = logTheta { for i in 0..<m { lt.grad[i] = Float(gTheta[i] * Double(theta[i])) } }
        if normalizeDecoder {
            let gD = dec.grad.p
            TrainParallel.forRanges(m) { range in
                for i in range {
                    let p = Vec.dot(gD + i * d, D + i * d, d)
                    Vec.axpy(-p, D + i * d, gD + i * d, d)
                }
            }
        }
        // Dead counters: fired = any positive activation in the batch.
        var firedAny = [Bool](repeating: false, count: m)
        for n in 0..<B { for i in 0..<m where F[n * m + i] != 0 { firedAny[i] = true } }
        for i in 0..<m { tokensSinceFired[i] = firedAny[i] ? 0 : tokensSinceFired[i] + Int64(B) }
        let deadNow = tokensSinceFired.reduce(0) { $0 + ($1 > Int64(config.deadThreshold) ? 1 : 0) }
        return StepMetrics(step: step + 1, learningRate: config.learningRate(at: step), fvu: fvu,
                           l0: Double(active) / Double(B), deadFraction: Double(deadNow) / Double(m),
                           auxkLoss: 0, sparsityLoss: sparsity, loss: fvu + sparsity)
    }
}
