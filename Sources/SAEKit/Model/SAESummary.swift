/// Min / mean / max of a list of values (NaNs excluded).
public struct ValueRange: Sendable, Equatable {
    public var min: Double
    public var mean: Double
    public var max: Double
    /// Summarises `values`; an empty (or all-NaN) list gives NaNs.
    public init(_ values: [Float]) {
        var lo = Double.infinity, hi = -Double.infinity, sum = 0.0, n = 0
        for v in values where !v.isNaN {
            let x = Double(v)
            lo = Swift.min(lo, x); hi = Swift.max(hi, x); sum += x; n += 1
        }
        min = n > 0 ? lo : .nan; max = n > 0 ? hi : .nan; mean = n > 0 ? sum / Double(n) : .nan
    }
}

/// Health summary of an SAE's weights: norms and anomalies, for `seedscope inspect` and the TUI.
public struct SAESummary: Sendable {
    /// Row norms of the decoder directions.
    public var decoderNorms: ValueRange
    /// Row norms of the encoder directions.
    public var encoderNorms: ValueRange
    /// Thresholds θ (jumprelu), if any.
    public var thresholds: ValueRange?
    /// Decoder rows with norm exactly 0.
    public var zeroDecoderRows: Int
    /// Encoder rows with norm exactly 0.
    public var zeroEncoderRows: Int
    /// Latents with a NaN/infinite value in their encoder row, decoder row, bias or threshold.
    public var nonFiniteLatents: Int
    /// NaN/infinite entries in b_dec (or W_skip).
    public var nonFiniteOther: Int
    /// Decoder rows whose norm differs from 1 by more than `unitTolerance`, counted only when the format
    /// promises unit rows.
    public var nonUnitDecoderRows: Int
    /// Largest |‖row‖ − 1| over decoder rows.
    public var maxUnitDeviation: Double
    /// Latents whose logged firing frequency (SAELens sparsity.safetensors, log10) is below 1e-8.
    public var deadBySparsity: Int?
    /// Tolerance used for `nonUnitDecoderRows`: 1e-3 for F32/F64 weights (sparsify renormalises before
    /// each step, not after the last, so saved rows drift by ~1e-4: 0.99973–1.00033 in the fixtures),
    /// widened for 16-bit storage, whose rounding alone moves a unit row's norm by up to ~2⁻⁸ (BF16) or
    /// ~2⁻¹¹ (F16).
    public static func unitTolerance(dtype: String) -> Double {
        switch dtype {
        case "BF16": return 8e-3
        case "F16", "<f2": return 2e-3
        default: return 1e-3
        }
    }
    /// The tolerance applied to this SAE.
    public var unitTolerance: Double

    /// - Complexity: O(m·d).
    public init(_ sae: SparseAutoencoder) {
        let dn = sae.decoder.rowNorms(), en = sae.encoder.rowNorms()
        decoderNorms = ValueRange(dn)
        encoderNorms = ValueRange(en)
        thresholds = sae.thresholds.map { ValueRange($0) }
        zeroDecoderRows = dn.filter { $0 == 0 }.count
        zeroEncoderRows = en.filter { $0 == 0 }.count
        var bad = 0
        for i in 0..<sae.numLatents {
            var finite = dn[i].isFinite && en[i].isFinite && sae.encoderBias[i].isFinite
            if let t = sae.thresholds { finite = finite && t[i].isFinite }
            if let g = sae.gated { finite = finite && g.bMag[i].isFinite && g.rMag[i].isFinite }
            if !finite { bad += 1 }
        }
        nonFiniteLatents = bad
        nonFiniteOther = sae.decoderBias.filter { !$0.isFinite }.count + (sae.skip?.data.filter { !$0.isFinite }.count ?? 0)
        unitTolerance = Self.unitTolerance(dtype: sae.info.dtype)
        var dev = 0.0
        var nonUnit = 0
        for n in dn where n.isFinite {
            let e = abs(Double(n) - 1)
            dev = Swift.max(dev, e)
            if e > unitTolerance { nonUnit += 1 }
        }
        maxUnitDeviation = dev
        nonUnitDecoderRows = sae.info.promisesUnitDecoderRows ? nonUnit : 0
        deadBySparsity = sae.logSparsity.map { ls in ls.filter { $0 < -8 }.count }
    }

    /// One line per anomaly (empty when the weights look healthy).
    public func warnings(_ sae: SparseAutoencoder) -> [String] {
        var w: [String] = []
        if nonFiniteLatents > 0 { w.append("\(nonFiniteLatents) latents have NaN/infinite weights (loading for analysis will refuse this SAE)") }
        if nonFiniteOther > 0 { w.append("\(nonFiniteOther) NaN/infinite values in b_dec/W_skip") }
        if zeroDecoderRows > 0 { w.append("\(zeroDecoderRows) decoder rows are exactly zero (their cosine with anything is 0)") }
        if zeroEncoderRows > 0 { w.append("\(zeroEncoderRows) encoder rows are exactly zero (those latents can only fire through their bias)") }
        if nonUnitDecoderRows > 0 {
            var msg = String(format: "%d decoder rows are not unit norm although the format promises it (max |norm−1| = %.3g)", nonUnitDecoderRows, maxUnitDeviation)
            // sparsify renormalises the Schedule-Free iterate y but saves the average x (formats.md §1.7).
            if sae.info.format == "sparsify" { msg += "; typical of sparsify's default Schedule-Free optimizer, which saves averaged weights; cosine matching is unaffected" }
            w.append(msg)
        }
        if let d = deadBySparsity, d > 0 { w.append("\(d) latents are dead by the stored sparsity log (firing frequency < 1e-8)") }
        return w
    }
}

import Foundation
