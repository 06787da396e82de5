import Foundation

/// Start-up options of the explorer.
public struct AppOptions: Sendable {
    /// Shared-latent threshold τ on the criterion cosine (the paper's default is 0.7).
    public var threshold: Float = 0.7
    public var criterion: Criterion = .decoder
    /// ASCII glyphs only (`--ascii`, or a non-UTF-8 locale).
    public var ascii = false
    /// Where `s` writes exports.
    public var exportDirectory: String = FileManager.default.currentDirectoryPath
    public init() {}
}

/// The explorer's state machine: a view stack over an `ExplorerData`, one command table, a prompt line.
/// It never touches the terminal: feed it `InputEvent`s and ask it to `render(into:)` a `CellGrid`
/// (the curses loop and the tests do exactly that).
public final class App {
    public let provider: ExplorerData
    public var theme: Theme
    public let ascii: Bool
    public private(set) var threshold: Float
    public private(set) var criterion: Criterion
    public let exportDirectory: String
    /// Below this size the "terminal too small" screen is shown.
    public static let minWidth = 60, minHeight = 16

    var stack: [ExplorerView] = []
    let commands: [Command]
    var pending: [Key] = []
    enum PromptKind { case search, command, filter }
    struct Prompt { var kind: PromptKind; var text: String }
    var prompt: Prompt?
    var message = ""
    var messageIsError = false
    private(set) var runs: [RunSummary] = []
    private(set) var jobs: [JobStatus] = []
    private var lastRevision = -1
    private var contexts: [String: RunContext] = [:]
    var lastSearch: String?
    public private(set) var width = 80, height = 24
    /// Hit boxes of the key-hint bar: x range → command index (mouse clicks run them).
    var hintHits: [(x0: Int, x1: Int, command: Int)] = []
    /// Set by a first `Q` while jobs run; any other key disarms it.
    var quitArmed = false
    /// Frames rendered (for tests and the bench).
    public internal(set) var frames = 0

    public init(provider: ExplorerData, theme: Theme = .builtinMonochrome, options: AppOptions = AppOptions()) {
        self.provider = provider; self.theme = theme; self.ascii = options.ascii
        threshold = options.threshold; criterion = options.criterion
        exportDirectory = options.exportDirectory
        commands = Commands.all()
        poll(force: true)
        stack = [RunsView()]
    }

    var top: ExplorerView { stack[stack.count - 1] }
    public var topKind: ViewKind { top.kind }
    public var breadcrumbs: [String] { stack.map(\.crumb) }

    // MARK: - Events

    /// Handles one event; the caller redraws when the result contains `.redraw`.
    @discardableResult
    public func handle(_ e: InputEvent) -> Reaction {
        var r: Reaction
        switch e {
        case .resize(let w, let h):
            width = max(1, w); height = max(1, h); r = .redraw
        case .tick:
            r = poll(force: false).union(top.tick(self))
        case .mouse(let m):
            r = mouse(m)
        case .key(let k):
            r = key(k)
        }
        if r.contains(.reload) { _ = poll(force: true); r.insert(.redraw) }
        return r
    }

    /// Runs a key script (see `Key.script`); returns the union of reactions.
    @discardableResult
    public func send(_ script: String) -> Reaction {
        var r: Reaction = []
        for k in Key.script(script) { r.formUnion(handle(.key(k))) }
        return r
    }

    private func key(_ k: Key) -> Reaction {
        if k != .char("Q") { quitArmed = false }
        if prompt != nil { return promptKey(k) }
        if let r = top.textInput(self, k) { return r }
        if case .ctrl("c") = k { return .quit }
        let seq = pending + [k]
        let kind = top.kind
        var exact: Int? = nil
        var longer = false
        for (i, c) in commands.enumerated() where c.applies(to: kind) {
            for ks in c.keys {
                if ks == seq { if exact == nil { exact = i } }
                else if ks.count > seq.count && Array(ks.prefix(seq.count)) == seq { longer = true }
            }
        }
        if let i = exact {
            pending = []
            return run(i, argument: "")
        }
        if longer { pending = seq; return .redraw }
        pending = []
        if seq.count > 1 { return key(k) }
        flash("\(ascii ? k.asciiLabel : k.label): no command here — press ? for help", error: true)
        return .redraw
    }

    /// Runs command `i` unless it is disabled (then says why).
    func run(_ i: Int, argument: String) -> Reaction {
        let c = commands[i]
        if let why = c.disabledReason?(self) { flash("\(c.name): \(why)", error: true); return .redraw }
        message = ""
        return c.run(self, argument).union(.redraw)
    }

    private func mouse(_ m: MouseEvent) -> Reaction {
        switch m.kind {
        case .wheelUp: return top.move(self, rows: -3).union(.redraw)
        case .wheelDown: return top.move(self, rows: 3).union(.redraw)
        case .click:
            if tooSmall { return .none }
            if m.y == height - 1, prompt == nil {
                if let h = hintHits.first(where: { m.x >= $0.x0 && m.x < $0.x1 }) { return run(h.command, argument: "") }
                return .none
            }
            if m.y == 0 {
                // Click on a breadcrumb pops back to that view.
                var x = 0
                for (i, c) in stack.enumerated() {
                    let w = CharWidth.of(c.crumb) + 3
                    if m.x >= x && m.x < x + w { while stack.count > i + 1 { stack.removeLast() }; return .redraw }
                    x += w
                }
                return .none
            }
            return top.click(self, x: m.x, y: m.y).union(.redraw)
        }
    }

    // MARK: - Prompt line (`/` search, `:` palette, `\` filter)

    func openPrompt(_ kind: PromptKind, text: String = "") -> Reaction {
        prompt = Prompt(kind: kind, text: text); return .redraw
    }

    private func promptKey(_ k: Key) -> Reaction {
        guard var p = prompt else { return .none }
        switch k {
        case .escape, .ctrl("c"), .ctrl("g"): prompt = nil
        case .backspace, .delete:
            if p.text.isEmpty { prompt = nil } else { p.text.removeLast(); prompt = p }
        case .ctrl("u"): p.text = ""; prompt = p
        case .tab:
            if p.kind == .command, let first = paletteMatches(p.text).first { p.text = commands[first].name + (commands[first].argument == nil ? "" : " "); prompt = p }
        case .enter:
            prompt = nil
            return submit(p)
        case .char(let c): p.text.append(c); prompt = p
        default: break
        }
        return .redraw
    }

    private func submit(_ p: Prompt) -> Reaction {
        let text = p.text.trimmingCharacters(in: .whitespaces)
        switch p.kind {
        case .search:
            guard !text.isEmpty else { return .redraw }
            lastSearch = text
            if !top.search(self, text, forward: true) { flash("not found: \(text)", error: true) }
            return .redraw
        case .filter:
            return (top as? TableView)?.setText(self, text) ?? .redraw
        case .command:
            return palette(text)
        }
    }

    /// Executes palette input: a latent id (`1234`, `s3/1234`), or `command [argument]`.
    func palette(_ text: String) -> Reaction {
        if text.isEmpty { return .redraw }
        if Int(text) != nil || text.range(of: #"^s\d+/\d+$"#, options: .regularExpression) != nil {
            return runNamed("jump", argument: text)
        }
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        let arg = parts.count > 1 ? parts[1] : ""
        if let i = commands.firstIndex(where: { $0.name == parts[0] }) {
            if !commands[i].applies(to: top.kind) {
                flash("\(parts[0]): not available in \(top.kind.title)", error: true); return .redraw
            }
            return run(i, argument: arg)
        }
        if let i = paletteMatches(parts[0]).first { return run(i, argument: arg) }
        flash("unknown command: \(parts[0]) — Tab completes, ? lists commands", error: true)
        return .redraw
    }

    func runNamed(_ name: String, argument: String) -> Reaction {
        guard let i = commands.firstIndex(where: { $0.name == name && $0.applies(to: top.kind) }) else {
            flash("\(name): not available in \(top.kind.title)", error: true); return .redraw
        }
        return run(i, argument: argument)
    }

    /// Commands matching a palette query (subsequence match on the name, then substring in the help),
    /// applicable to the current view.
    func paletteMatches(_ q: String) -> [Int] {
        let word = q.split(separator: " ").first.map { $0.lowercased() } ?? ""
        func subseq(_ s: String) -> Bool {
            var it = word.makeIterator(); var c = it.next()
            for ch in s where ch == c { c = it.next() }
            return c == nil
        }
        let avail = commands.indices.filter { commands[$0].applies(to: top.kind) }
        if word.isEmpty { return avail }
        let a = avail.filter { commands[$0].name.hasPrefix(word) }
        let b = avail.filter { !commands[$0].name.hasPrefix(word) && subseq(commands[$0].name) }
        let c = avail.filter { !commands[$0].name.hasPrefix(word) && !subseq(commands[$0].name) && commands[$0].help.lowercased().contains(word) }
        return a + b + c
    }

    // MARK: - Shared state

    func flash(_ s: String, error: Bool = false) { message = s; messageIsError = error }

    var tooSmall: Bool { width < App.minWidth || height < App.minHeight }

    func push(_ v: ExplorerView) { stack.append(v) }

    func pop() -> Reaction {
        if stack.count > 1 { stack.removeLast(); return .redraw }
        flash("press Q to quit")
        return .redraw
    }

    /// Re-reads runs (when the provider's revision changed) and jobs.
    @discardableResult
    func poll(force: Bool) -> Reaction {
        var r: Reaction = []
        let rev = provider.revision
        if force || rev != lastRevision {
            lastRevision = rev
            let newRuns = provider.runs()
            if newRuns != runs { runs = newRuns; r.insert(.redraw) }
        }
        let newJobs = provider.jobs()
        if newJobs != jobs {
            // A job finishing may produce results: drop cached contexts whose run changed status.
            jobs = newJobs; r.insert(.redraw)
            let ids = Set(runs.filter { $0.status == .ready }.map(\.id))
            for k in contexts.keys where !ids.contains(k) { contexts[k] = nil }
        }
        return r
    }

    /// Runs loaded so far (the Runs view shows their shared fractions).
    var loadedContexts: [String: RunContext] { contexts }

    /// The open context of a run, loading its data on first use; nil (with a message) when it has none.
    func context(_ id: String) -> RunContext? {
        if let c = contexts[id] { return c }
        guard let d = provider.run(id), !d.latents.isEmpty,
              d.latents.allSatisfy({ $0.firingFrequency.count == d.summary.width && $0.maxActivation.count == d.summary.width
                  && $0.dead.count == d.summary.width && $0.topTokens.count == d.summary.width }) else { return nil }
        let c = RunContext(provider: provider, data: d, threshold: threshold, criterion: criterion)
        contexts[id] = c
        return c
    }

    /// Sets τ (clamped to [0, 1], rounded to 0.01) and recomputes every open run.
    func setThreshold(_ t: Float) {
        threshold = (min(1, max(0, t)) * 100).rounded() / 100
        for c in contexts.values { c.update(threshold: threshold, criterion: criterion) }
    }

    func setCriterion(_ c: Criterion) {
        criterion = c
        for x in contexts.values { x.update(threshold: threshold, criterion: criterion) }
    }

    /// The run context of the top view, if it shows one.
    var currentContext: RunContext? {
        for v in stack.reversed() {
            if let o = v as? OverviewView { return o.ctx }
            if let t = v as? TableView { return t.ctx }
            if let l = v as? LatentView { return l.ctx }
        }
        return nil
    }
}
