/// Semantic colour roles: views say *what* a cell is, the theme says how it looks (htop's
/// `ColorElements`, k9s skins). Theme files in `Themes/` name these roles by their raw values.
public enum ColorRole: UInt8, CaseIterable, Sendable {
    case normal, dim, title, header, border, crumb, crumbActive
    case selection, selectionDim, keyHint, keyHintKey, status, statusError, statusOK
    case accent, good, warn, bad, axis, bar, barAlt, baseline, threshold, cursorBin
    case heat0, heat1, heat2, heat3, heat4, heat5, heat6, heat7
    case tokenSelected, input, dialog, dialogTitle

    /// Theme-file name: camelCase → kebab-case ("keyHintKey" → "key-hint-key").
    public var name: String {
        var out = ""
        var prevLower = false
        for ch in String(describing: self) {
            if ch.isUppercase { out += (prevLower ? "-" : "") + ch.lowercased(); prevLower = false }
            else { out.append(ch); prevLower = ch.isLowercase }
        }
        return out
    }

    /// Heat ramp role for a value in 0...1 (8 steps), used for token activations and the heatmap.
    public static func heat(_ v: Float) -> ColorRole {
        guard v.isFinite, v > 0 else { return .heat0 }
        let k = min(7, Int(v * 7.999) + (v > 0.02 ? 1 : 0))
        return ColorRole(rawValue: ColorRole.heat0.rawValue + UInt8(min(7, k)))!
    }
}

/// Extra per-cell attributes a view can request on top of its role.
public struct CellAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = CellAttributes(rawValue: 1)
    public static let reverse = CellAttributes(rawValue: 2)
    public static let underline = CellAttributes(rawValue: 4)
    public static let dim = CellAttributes(rawValue: 8)
}
