import Foundation
import SAEKit

/// Exports of the current view: CSV for tables, SVG for charts. Files are written atomically
/// (temp file + rename) so a crash never leaves half a file.
enum Export {
    /// RFC 4180 CSV: fields with commas, quotes or newlines are quoted, quotes doubled.
    static func csv(_ rows: [[String]]) -> String {
        var out = ""
        for r in rows {
            out += r.map { f -> String in
                f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
            }.joined(separator: ",")
            out += "\n"
        }
        return out
    }

    static func writeCSV(_ rows: [[String]], dir: String, name: String) throws -> String {
        try write(csv(rows), dir: dir, name: name)
    }

    static func write(_ text: String, dir: String, name: String) throws -> String {
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "-" })
        let url = URL(fileURLWithPath: dir).appendingPathComponent(safe)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw ExportError(message: "\(dir): export directory does not exist")
        }
        try AtomicFile.write(text, to: url)
        return url.path
    }

    static func xml(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// A minimal SVG writer for the overview charts (histograms with threshold and baseline, heatmap, bars).
struct SVGDocument {
    var width: Double
    var height: Double
    private var body: [String] = []
    init(width: Double, height: Double) { self.width = width; self.height = height }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, opacity: Double = 1) {
        body.append(String(format: #"<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%@" fill-opacity="%.3f"/>"#, x, y, w, h, fill, opacity))
    }
    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        body.append(String(format: #"<line x1="%.2f" y1="%.2f" x2="%.2f" y2="%.2f" stroke="%@" stroke-width="%.2f"%@/>"#,
                           x1, y1, x2, y2, stroke, width, dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""))
    }
    mutating func polyline(_ pts: [(Double, Double)], stroke: String, width: Double = 1.5) {
        let p = pts.map { String(format: "%.2f,%.2f", $0.0, $0.1) }.joined(separator: " ")
        body.append(#"<polyline fill="none" stroke="\#(stroke)" stroke-width="\#(width)" points="\#(p)"/>"#)
    }
    mutating func text(_ x: Double, _ y: Double, _ s: String, size: Double = 11, anchor: String = "start", bold: Bool = false) {
        body.append(String(format: #"<text x="%.2f" y="%.2f" font-size="%.1f" text-anchor="%@"%@>%@</text>"#,
                           x, y, size, anchor, bold ? " font-weight=\"bold\"" : "", Export.xml(s)))
    }
    var rendered: String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }

    /// A histogram panel: bars, the baseline as a dashed step line, the threshold as a red line, axes.
    mutating func histogram(x: Double, y: Double, w: Double, h: Double, title: String, counts: [Int], baseline: [Double]?,
                            threshold: Float, xLabel: String) {
        let top = y + 18, bottom = y + h - 28, left = x + 44, right = x + w - 8
        let maxC = max(1, Double(counts.max() ?? 1), baseline?.max() ?? 0)
        text(x + w / 2, y + 12, title, size: 12, anchor: "middle", bold: true)
        let bw = (right - left) / Double(max(1, counts.count))
        for (i, c) in counts.enumerated() where c > 0 {
            let bh = Double(c) / maxC * (bottom - top)
            rect(left + Double(i) * bw, bottom - bh, max(0.5, bw - 0.5), bh, fill: "#4682b4")
        }
        if let b = baseline {
            var pts: [(Double, Double)] = []
            for (i, v) in b.enumerated() {
                let yy = bottom - v / maxC * (bottom - top)
                pts.append((left + Double(i) * bw, yy)); pts.append((left + Double(i + 1) * bw, yy))
            }
            polyline(pts, stroke: "#e69f00")
            text(right, top + 10, "random-init baseline", size: 9, anchor: "end")
        }
        let tx = left + Double(threshold) * (right - left)
        line(tx, top, tx, bottom, stroke: "#d62728", width: 1.5, dash: "4,2")
        text(tx + 3, top + 10, String(format: "τ=%.2f", threshold), size: 9)
        line(left, bottom, right, bottom, stroke: "black"); line(left, top, left, bottom, stroke: "black")
        for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let xx = left + t * (right - left)
            line(xx, bottom, xx, bottom + 4, stroke: "black")
            text(xx, bottom + 14, String(format: "%.2g", t), size: 9, anchor: "middle")
        }
        text((left + right) / 2, y + h - 4, xLabel, size: 10, anchor: "middle")
        text(left - 4, top + 8, String(Int(maxC)), size: 9, anchor: "end")
        text(left - 4, bottom, "0", size: 9, anchor: "end")
        text(x + 10, (top + bottom) / 2, "latents", size: 9, anchor: "middle")
    }
}
