import Foundation

/// One trainable tensor with its gradient and optimizer state.
///
/// `rows × cols` row-major. For the sparse (TopK/BatchTopK) path only some rows get a gradient in a
/// step; `touched[i]` marks them, so the optimizer treats the others as g = 0 without reading them
/// and only touched rows are zeroed afterwards. Optimizer state: Adam `s1` = first moment, `s2` =
/// second moment; Schedule-Free SignSGD `s1` = z (base iterate), the value is y.
final class ParamTensor: @unchecked Sendable {
    let name: String
    let rows: Int
    let cols: Int
    let value: FBuf
    let grad: FBuf
    let s1: FBuf
    let s2: FBuf
    /// Per-row "has a gradient this step" flags; all true for dense tensors.
    let touched: Buf<Bool>
    /// Whether `touched` is maintained by the step (sparse rows) or the whole tensor is dense.
    let sparseRows: Bool

    init(name: String, rows: Int, cols: Int, sparseRows: Bool) {
        self.name = name; self.rows = rows; self.cols = cols; self.sparseRows = sparseRows
        value = FBuf(rows * cols); grad = FBuf(rows * cols); s1 = FBuf(rows * cols); s2 = FBuf(rows * cols)
        touched = Buf(rows, !sparseRows)
    }
    var count: Int { rows * cols }
}

/// Optimizer updates over `ParamTensor`s (reference/formats.md §1.7). Deterministic: every element
/// is updated independently; threads split rows.
enum TrainOptimizerKernels {
    /// torch.optim.Adam (β₁ 0.9, β₂ 0.999, ε 1e-8, no weight decay) at 1-based step `t`:
    /// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − (lr/bc₁)·m/(√v/√bc₂ + ε).
    /// Untouched rows use g = 0. Touched rows' gradients are zeroed afterwards.
    static func adam(_ t: ParamTensor, lr: Double, step: Int) {
        let b1: Float = 0.9, b2: Float = 0.999, eps: Float = 1e-8
        let bc1 = 1 - pow(0.9, Double(step)), bc2 = 1 - pow(0.999, Double(step))
        let stepSize = Float(lr / bc1)
        let invSqrtBc2 = Float(1 / bc2.squareRoot())
        let c = t.cols
        let (p, g, m, v, touched) = (t.value.p, t.grad.p, t.s1.p, t.s2.p, t.touched.p)
        TrainParallel.forRanges(t.rows, minPerThread: max(1, 4096 / max(c, 1))) { range in
            for r in range {
                let base = r * c
                let has = touched[r]
                var j = base
                // SIMD16 body (the pointers are distinct tensors; Swift cannot prove it, so vectorise by hand).
                let vb1 = SIMD16<Float>(repeating: b1), vb2 = SIMD16<Float>(repeating: b2)
                let vss = SIMD16<Float>(repeating: stepSize), vbc = SIMD16<Float>(repeating: invSqrtBc2)
                let veps = SIMD16<Float>(repeating: eps)
                while j + 16 <= base + c {
                    let gj = has ? UnsafeRawPointer(g + j).loadUnaligned(as: SIMD16<Float>.self) : .zero
                    var mj = UnsafeRawPointer(m + j).loadUnaligned(as: SIMD16<Float>.self)
                    var vj = UnsafeRawPointer(v + j).loadUnaligned(as: SIMD16<Float>.self)
                    mj = vb1 * mj + (1 - vb1) * gj
                    vj = vb2 * vj + (1 - vb2) * gj * gj
                    var pj = UnsafeRawPointer(p + j).loadUnaligned(as: SIMD16<Float>.self)
                    pj -= vss * mj / (vj.squareRoot() * vbc + veps)
                    UnsafeMutableRawPointer(m + j).storeBytes(of: mj, as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(v + j).storeBytes(of: vj, as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(p + j).storeBytes(of: pj, as: SIMD16<Float>.self)
                    if has { UnsafeMutableRawPointer(g + j).storeBytes(of: .zero, as: SIMD16<Float>.self) }
                    j += 16
                }
                while j < base + c {
                    let gj = has ? g[j] : 0
                    m[j] = b1 * m[j] + (1 - b1) * gj
                    v[j] = b2 * v[j] + (1 - b2) * gj * gj
                    p[j] -= stepSize * m[j] / (v[j].squareRoot() * invSqrtBc2 + eps)
                    if has { g[j] = 0 }
                    j += 1
                }
                if t.sparseRows { touched[r] = false }
            }
        }
    }

    /// Schedule-Free SignSGD (facebookresearch schedule_free `wrap_schedulefree`, β = 0.95,
    /// weight_lr_power 2; sparsify's `signum`). The value holds y; `s1` holds z. With
    /// c = lr²/Σlr² (= 1/(t+1) at constant lr): x = lerp(y, z, 1−1/β); z ← z − lr·sign(g);
    /// x ← (1−c)x + c·z; y ← βx + (1−β)z.
    static func scheduleFreeSign(_ t: ParamTensor, lr: Double, c ckp1: Double) {
        let beta: Float = 0.95
        let w = 1 - 1 / beta
        let cc = Float(ckp1)
        let lrF = Float(lr)
        let col = t.cols
        let (p, g, z, touched) = (t.value.p, t.grad.p, t.s1.p, t.touched.p)
        TrainParallel.forRanges(t.rows, minPerThread: max(1, 4096 / max(col, 1))) { range in
            for r in range {
                let base = r * col
                let hasGrad = touched[r]
                for j in base..<(base + col) {
                    let y = p[j]
                    var zj = z[j]
                    var x = y + w * (zj - y)
                    if hasGrad {
                        let gj = g[j]
                        if gj > 0 { zj -= lrF } else if gj < 0 { zj += lrF }
                        g[j] = 0
                    }
                    x = x + cc * (zj - x)
                    z[j] = zj
                    p[j] = beta * x + (1 - beta) * zj
                }
                if t.sparseRows { touched[r] = false }
            }
        }
    }

    /// The Schedule-Free average x = (y − (1−β)z)/β of one tensor (what sparsify saves).
    static func scheduleFreeAverage(_ t: ParamTensor) -> [Float] {
        let beta: Float = 0.95
        let w = 1 - 1 / beta
        var out = [Float](repeating: 0, count: t.count)
        for j in 0..<t.count { let y = t.value[j]; out[j] = y + w * (t.s1[j] - y) }
        return out
    }
}
