import Foundation

extension ProfileExample {
    /// The span as text with firing tokens marked: `«tok»` where the activation is > 0 and `[[tok]]`
    /// at the max (first max on ties); `decode` turns a token id into display text.
    /// - Complexity: O(span).
    public func markedText(decode: (Int32) -> String) -> String {
        let am = spanArgmax
        var out = ""
        for (i, t) in spanTokens.enumerated() {
            let s = t < 0 ? "∅" : decode(t)
            if i == am && activations[i] > 0 { out += "[[" + s + "]]" }
            else if activations[i] > 0 { out += "«" + s + "»" }
            else { out += s }
        }
        return out
    }
}

extension LatentCard {
    /// The card as plain text (for `seedscope latent` and people without the TUI).
    public func text(decode: (Int32) -> String, maxTop: Int = 20, samplesPerGroup: Int = 2) -> String {
        let s = stats
        var lines: [String] = []
        let fl = flags.names.isEmpty ? "" : "  [" + flags.names.joined(separator: ", ") + "]"
        lines.append("latent \(s.latent)\(fl)")
        lines.append(String(format: "  fires on %d of %d tokens (freq %.3g, log10 %@), in %d windows",
                            s.count, s.tokens, s.frequency, s.count > 0 ? String(format: "%.2f", log10(s.frequency)) : "-inf", s.windowCount))
        lines.append(String(format: "  max %.4g   mean when firing %.4g   mean %.4g   std %.4g", Double(s.max), s.meanWhenFiring, s.mean, s.std))
        if let lo = histogram.firstIndex(where: { $0 > 0 }), let hi = histogram.lastIndex(where: { $0 > 0 }) {
            let peak = Double(histogram.max() ?? 1)
            lines.append("  histogram (log-spaced bins):")
            for b in lo...hi {
                let bar = String(repeating: "■", count: Int((Double(histogram[b]) / peak * 30).rounded(.up)))
                lines.append(String(format: "    [%9.3g, %9.3g) %8d ", histogramEdges[b], histogramEdges[b + 1], histogram[b]) + bar)
            }
        }
        if !top.isEmpty {
            lines.append("  top windows («firing», [[max]]):")
            for (i, e) in top.prefix(maxTop).enumerated() {
                lines.append(String(format: "  %3d. %8.4g  window %d pos %d: ", i + 1, Double(e.maxActivation), e.window, e.maxPosition)
                             + oneLine(e.markedText(decode: decode)))
            }
        }
        func groups(_ title: String, _ gs: [ExampleGroup], _ label: (Int, ExampleGroup) -> String) {
            guard gs.contains(where: { !$0.examples.isEmpty }), samplesPerGroup > 0 else { return }
            lines.append("  \(title):")
            for (i, g) in gs.enumerated().reversed() where !g.examples.isEmpty {
                lines.append("    " + label(i, g))
                for e in g.examples.prefix(samplesPerGroup) {
                    lines.append(String(format: "      %8.4g  window %d: ", Double(e.maxActivation), e.window) + oneLine(e.markedText(decode: decode)))
                }
            }
        }
        groups("intervals (equal width over [0, max])", intervals) { _, g in
            String(format: "interval %.4g–%.4g (contains ≈%.1f%% of firing windows)", Double(g.lower), Double(g.upper), g.fraction * 100)
        }
        groups("quantiles (equal count, strongest first)", quantiles.reversed()) { i, g in
            String(format: "quantile %d: %.4g–%.4g", quantiles.count - i, Double(g.lower), Double(g.upper))
        }
        return lines.joined(separator: "\n")
    }

    private func oneLine(_ s: String) -> String {
        var o = ""
        for c in s.unicodeScalars {
            switch c {
            case "\n": o += "↵"
            case "\t": o += "→"
            case "\r": o += "␍"
            default: if c.value < 0x20 || c.value == 0x7f { o += String(format: "\\x%02x", c.value) } else { o.unicodeScalars.append(c) }
            }
        }
        return o
    }
}
