/// What a handler asks the loop to do next (htop's `Htop_Reaction`): handlers never draw.
public struct Reaction: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Draw a new frame.
    public static let redraw = Reaction(rawValue: 1)
    /// Re-read runs/jobs from the provider before drawing.
    public static let reload = Reaction(rawValue: 2)
    /// Leave the application.
    public static let quit = Reaction(rawValue: 4)
    /// The theme changed: the terminal layer must re-map colour roles.
    public static let retheme = Reaction(rawValue: 8)
    /// Nothing changed.
    public static let none: Reaction = []
}

/// The views a command applies to.
public enum ViewKind: String, CaseIterable, Sendable {
    case runs, overview, table, latent, jobs, launch, help
    public var title: String {
        switch self {
        case .runs: return "Runs"
        case .overview: return "Run overview"
        case .table: return "Matched latents"
        case .latent: return "Latent detail"
        case .jobs: return "Jobs"
        case .launch: return "Launch run"
        case .help: return "Help"
        }
    }
}

/// One entry of the command table: the single source of truth for key handling, the `?` help screen,
/// the key-hint bar and the `:` palette (lazygit's Binding, VisiData's longnames).
public struct Command: Sendable {
    /// Long name, used by the palette (`:sort-desc`).
    public var name: String
    /// Key sequences that run it (e.g. `[[.char("g"), .char("g")]]`); empty for palette-only commands.
    public var keys: [[Key]]
    /// One-line help text.
    public var help: String
    /// Views it applies to; empty = every view.
    public var views: Set<ViewKind>
    /// Short label for the bottom bar; nil keeps it out of the bar.
    public var hint: String?
    /// Argument description for palette commands that take one ("0.0-1.0"), nil when none.
    public var argument: String?
    /// Why the command cannot run right now (nil = available); shown instead of running it.
    public var disabledReason: (@Sendable (App) -> String?)?
    public var run: @Sendable (App, String) -> Reaction

    public init(_ name: String, keys: [[Key]], help: String, views: Set<ViewKind> = [], hint: String? = nil,
                argument: String? = nil, disabledReason: (@Sendable (App) -> String?)? = nil,
                run: @escaping @Sendable (App, String) -> Reaction) {
        self.name = name; self.keys = keys; self.help = help; self.views = views; self.hint = hint
        self.argument = argument; self.disabledReason = disabledReason; self.run = run
    }

    public func applies(to v: ViewKind) -> Bool { views.isEmpty || views.contains(v) }

    /// "j ↓" style label of all key sequences.
    public func keyLabel(ascii: Bool) -> String {
        keys.map { seq in seq.map { ascii ? $0.asciiLabel : $0.label }.joined() }.joined(separator: " ")
    }
}
