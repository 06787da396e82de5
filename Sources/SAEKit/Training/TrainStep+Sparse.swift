import Foundation

/// Forward and backward of TopK and BatchTopK SAEs with sparsify's loss (reference/formats.md §1.6):
/// L = FVU + α·AuxK, FVU = Σ(x̂ − x)² / Σ(x − x̄)².
///
/// Cost: the encoder forward is one sgemm (B·m·d); everything after the selection touches only the
/// active latents: sparse decode (B·k·d), per-token δ = g·D[i] (B·k·d), and per-latent gradient
/// accumulation — tokens are bucketed by latent (a stable counting sort), then each latent's decoder
/// and encoder gradient rows are sums of `a·g_n` and `δ·x̃_n` over its tokens (B·k·d in total, split
/// across threads by latent, so each row is written by exactly one thread in token order: the result
/// does not depend on the thread count).
extension SeedTrainer {
    func sparseForwardBackward(_ batch: TrainBatch, _ ws: TrainWorkspace) -> StepMetrics {
        let B = batch.rows, d = self.d, m = self.m
        let tv = max(batch.totalVariance, Double.leastNormalMagnitude)
        if normalizeDecoder { renormaliseDecoder() }
        let x = batch.x.p, xt = ws.xt.p, pre = ws.pre.p, r = ws.r.p
        let E = enc.value.p, Eb = encB.value.p, D = dec.value.p, bd = decB.value.p
        // 1. x̃ = x − b_dec; pre = b_enc + x̃·Eᵀ (one sgemm).
        TrainParallel.forRanges(B) { range in
            for n in range {
                for j in 0..<d { xt[n * d + j] = x[n * d + j] - bd[j] }
                (pre + n * m).update(from: Eb, count: m)
            }
        }
        BLAS.gemm(transA: false, transB: true, m: B, n: m, k: d, alpha: 1, a: xt, lda: d, b: E, ldb: d,
                  beta: 1, c: pre, ldc: m)
        // 2. Selection into CSR rows (idx −1 = empty slot).
        if config.architecture == .batchtopk {
            selectBatchTopK(ws, B: B)
        } else {
            let k = config.k
            let (ai, av, st) = (ws.actIdx.p, ws.actVal.p, ws.actStart.p)
            TrainParallel.forRanges(B) { range in
                for n in range {
                    let c = SparseSelect.topKPositive(pre + n * m, candidates: nil, count: m, k: k,
                                                      outIdx: ai + n * k, outVal: av + n * k)
                    for s in c..<k { ai[n * k + s] = -1; av[n * k + s] = 0 }
                }
            }
            for n in 0...B { st[n] = Int32(n * k) }
        }
        let st = ws.actStart.p, ai = ws.actIdx.p, av = ws.actVal.p, ad = ws.actDelta.p
        // 3. Decode and residual r = x̂ − x.
        let rowSq = ws.rowSq.p
        TrainParallel.forRanges(B) { range in
            for n in range {
                let rn = r + n * d
                rn.update(from: bd, count: d)
                for s in Int(st[n])..<Int(st[n + 1]) where ai[s] >= 0 {
                    Vec.axpy(av[s], D + Int(ai[s]) * d, rn, d)
                }
                for j in 0..<d { rn[j] -= x[n * d + j] }
                rowSq[n] = Vec.sumSquares(rn, d)
            }
        }
        var sq = 0.0, active = 0
        for n in 0..<B { sq += rowSq[n] }
        for s in 0..<Int(st[B]) where ai[s] >= 0 && av[s] > 0 { active += 1 }
        let fvu = sq / tv
        // 4. AuxK on dead latents (sparsify 1.3.3: k_aux = d/2, scale = min(n_dead/k_aux, 1), ê = Σ a·W_dec
        //    without b_dec — the residual target already accounts for it).
        let dead = deadMask()
        let deadList = (0..<m).filter { dead[$0] }.map { Int32($0) }
        var kAux = 0
        var auxLoss = 0.0
        if config.auxkAlpha > 0 && !deadList.isEmpty {
            let half = max(d / 2, 1)
            kAux = min(half, deadList.count)
            let scale = min(Double(deadList.count) / Double(half), 1)
            ws.ensureAux(kAux: kAux)
            let qi = ws.auxIdx.p, qv = ws.auxVal.p, q = ws.aux!.p, rowAux = ws.rowAux.p
            deadList.withUnsafeBufferPointer { dl in
                TrainParallel.forRanges(B) { range in
                    for n in range {
                        let c = SparseSelect.topKPositive(pre + n * m, candidates: dl.baseAddress!, count: dl.count,
                                                          k: kAux, outIdx: qi + n * kAux, outVal: qv + n * kAux)
                        for s in c..<kAux { qi[n * kAux + s] = -1; qv[n * kAux + s] = 0 }
                        let qn = q + n * d
                        qn.update(repeating: 0, count: d)
                        for s in 0..<c { Vec.axpy(qv[n * kAux + s], D + Int(qi[n * kAux + s]) * d, qn, d) }
                        // ê − e with e = x − x̂ = −r.
                        for j in 0..<d { qn[j] += r[n * d + j] }
                        rowAux[n] = Vec.sumSquares(qn, d)
                    }
                }
            }
            var a = 0.0
            for n in 0..<B { a += rowAux[n] }
            auxLoss = scale * a / tv
            let ga = Float(config.auxkAlpha * scale * 2 / tv)
            TrainParallel.forRanges(B * d, minPerThread: 4096) { range in for j in range { q[j] *= ga } }
        }
        // 5. g = ∂L/∂x̂ = 2r/TV; per-entry δ = g_n·D[i] (ReLU derivative is 1 on selected positives).
        let g2 = Float(2 / tv)
        TrainParallel.forRanges(B) { range in
            for n in range {
                let gn = r + n * d
                for j in 0..<d { gn[j] *= g2 }
                for s in Int(st[n])..<Int(st[n + 1]) {
                    ad[s] = (ai[s] >= 0 && av[s] > 0) ? Vec.dot(gn, D + Int(ai[s]) * d, d) : 0
                }
                if kAux > 0 {
                    let qa = ws.aux!.p + n * d, qi = ws.auxIdx.p, qv = ws.auxVal.p, qd = ws.auxDelta.p
                    for s in (n * kAux)..<((n + 1) * kAux) {
                        qd[s] = (qi[s] >= 0 && qv[s] > 0) ? Vec.dot(qa, D + Int(qi[s]) * d, d) : 0
                    }
                }
            }
        }
        // 6. Bucket entries by latent (stable counting sort: token order, main before aux).
        let ls = ws.latStart.p
        ls.update(repeating: 0, count: m + 1)
        var fired = [Bool](repeating: false, count: m)
        for s in 0..<Int(st[B]) where ai[s] >= 0 && av[s] > 0 { ls[Int(ai[s]) + 1] += 1; fired[Int(ai[s])] = true }
        if kAux > 0 { for s in 0..<(B * kAux) where ws.auxIdx[s] >= 0 && ws.auxVal[s] > 0 { ls[Int(ws.auxIdx[s]) + 1] += 1 } }
        for i in 0..<m { ls[i + 1] += ls[i] }
        var cursor = [Int32](UnsafeBufferPointer(start: ls, count: m))
        let et = ws.entTok.p, er = ws.entRef.p
        for n in 0..<B {
            for s in Int(st[n])..<Int(st[n + 1]) where ai[s] >= 0 && av[s] > 0 {
                let i = Int(ai[s]); let c = Int(cursor[i]); cursor[i] += 1
                et[c] = Int32(n); er[c] = Int32(s)
            }
            if kAux > 0 {
                for s in (n * kAux)..<((n + 1) * kAux) where ws.auxIdx[s] >= 0 && ws.auxVal[s] > 0 {
                    let i = Int(ws.auxIdx[s]); let c = Int(cursor[i]); cursor[i] += 1
                    et[c] = Int32(n); er[c] = Int32(-1 - s)
                }
            }
        }
        // 7. Per-latent gradients: ∂W_dec[i] = Σ a·g_n, ∂E[i] = Σ δ·x̃_n, ∂b_enc[i] = Σ δ; then remove
        //    the component of ∂W_dec[i] parallel to the (unit) row (sparsify, Gao et al.).
        let gD = dec.grad.p, gE = enc.grad.p, gEb = encB.grad.p
        let tD = dec.touched.p, tE = enc.touched.p, tEb = encB.touched.p
        let qAll = ws.aux?.p, qvAll = ws.auxVal.p, qdAll = ws.auxDelta.p
        let project = normalizeDecoder
        TrainParallel.forWeightedRanges(m, prefix: ls) { range in
            for i in range {
                let lo = Int(ls[i]), hi = Int(ls[i + 1])
                if lo == hi { continue }
                let gd = gD + i * d, ge = gE + i * d
                var bsum: Float = 0
                for c in lo..<hi {
                    let n = Int(et[c]), ref = Int(er[c])
                    if ref >= 0 {
                        Vec.axpy(av[ref], r + n * d, gd, d)
                        Vec.axpy(ad[ref], xt + n * d, ge, d)
                        bsum += ad[ref]
                    } else {
                        let s = -1 - ref
                        Vec.axpy(qvAll[s], qAll! + n * d, gd, d)
                        Vec.axpy(qdAll[s], xt + n * d, ge, d)
                        bsum += qdAll[s]
                    }
                }
                gEb[i] = bsum
                if project {
                    let dr = D + i * d
                    let p = Vec.dot(gd, dr, d)
                    Vec.axpy(-p, dr, gd, d)
                }
                tD[i] = true; tE[i] = true; tEb[i] = true
            }
        }
        // 8. ∂b_dec = Σ_n g_n − Σ_i ∂b_enc[i]·E[i] (through x̃ = x − b_dec; AuxK reaches b_dec only this way).
        let gbd = decB.grad.p
        var acc = [Double](repeating: 0, count: d)
        for n in 0..<B { for j in 0..<d { acc[j] += Double(r[n * d + j]) } }
        for i in 0..<m where tEb[i] && gEb[i] != 0 {
            let b = Double(gEb[i])
            for j in 0..<d { acc[j] -= b * Double(E[i * d + j]) }
        }
        for j in 0..<d { gbd[j] = Float(acc[j]) }
        // 9. Dead counters (sparsify: += tokens, reset where fired).
        for i in 0..<m { tokensSinceFired[i] = fired[i] ? 0 : tokensSinceFired[i] + Int64(B) }
        let deadNow = tokensSinceFired.reduce(0) { $0 + ($1 > Int64(config.deadThreshold) ? 1 : 0) }
        return StepMetrics(step: step + 1, learningRate: config.learningRate(at: step), fvu: fvu,
                           l0: Double(active) / Double(B), deadFraction: Double(deadNow) / Double(m),
                           auxkLoss: auxLoss, sparsityLoss: 0, loss: fvu + config.auxkAlpha * auxLoss)
    }

    /// BatchTopK (Bussmann et al. 2024): keep the k·B largest positive pre-activations of the whole
    /// batch (ties broken by (token, latent) order), and update the inference threshold
    /// θ ← decay·θ + (1−decay)·min selected (SAELens; first step θ = that minimum).
    private func selectBatchTopK(_ ws: TrainWorkspace, B: Int) {
        let m = self.m, pre = ws.pre.p
        let want = config.k * B
        let t = SparseSelect.kthLargestPositive(pre, count: B * m, k: want)
        let st = ws.actStart.p, ai = ws.actIdx.p, av = ws.actVal.p
        var gtCount = 0
        for j in 0..<(B * m) where pre[j] > t.value { gtCount += 1 }
        var eqLeft = t.value > 0 ? want - gtCount : 0
        var c = 0
        for n in 0..<B {
            st[n] = Int32(c)
            let row = pre + n * m
            for i in 0..<m {
                let v = row[i]
                if v > t.value || (v == t.value && v > 0 && eqLeft > 0) {
                    if v == t.value && !(v > t.value) { eqLeft -= 1 }
                    ai[c] = Int32(i); av[c] = v; c += 1
                }
            }
        }
        st[B] = Int32(c)
        if t.value > 0 {
            let mn = Double(t.value)
            batchThreshold = batchThreshold.map { config.thresholdDecay * $0 + (1 - config.thresholdDecay) * mn } ?? mn
        }
    }
}
