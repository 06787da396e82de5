import Foundation

/// Everything `seedscope report` says about a run, gathered from whatever result files the phases
/// wrote (missing phases are listed, never invented). Encodes to the JSON report as is.
public struct RunReport: Codable, Sendable {
    public static let schemaID = "seedscope.report/1"

    public struct SeedInfo: Codable, Sendable {
        public var seed: Int
        public var status: String
        /// Checkpoint shape from its safetensors header.
        public var latents: Int?
        public var dIn: Int?
        public var checkpoint: String?
        public var training: TrainMetrics?
        public var profile: ProfileSummary?
    }
    public struct JobLine: Codable, Sendable {
        public var job: String
        public var status: String
        public var error: String?
        public var seconds: Double?
    }
    /// Mean over pairs of each criterion's fraction, and PW-MCC.
    public struct PairAverages: Codable, Sendable {
        public var criteria: [String: Double]
        public var criteriaAlive: [String: Double]?
        public var pwMcc: Double
        public var encoderAlignment: Double
    }

    public var schema: String = RunReport.schemaID
    public var run: String
    public var kind: RunKind
    public var architecture: String
    public var k: Int?
    public var latents: Int?
    public var dataset: String?
    public var threshold: Double
    public var seeds: [SeedInfo]
    public var pairs: [PairSummary]
    public var averages: PairAverages?
    public var consensus: ConsensusSummary?
    public var jobs: [JobLine]
    public var generated: Date
    public var seedscopeVersion: String

    /// Reads run `name` of `workspace` (read-only; safe while an engine writes: every file is replaced
    /// atomically).
    public static func build(workspace: Workspace, run name: String) throws -> RunReport {
        let spec = try workspace.spec(name)
        let l = workspace.layout(name)
        let plan = JobPlan.jobs(for: spec, layout: l)
        var jobs: [JobLine] = []
        var status: [JobID: JobRecord] = [:]
        for p in plan {
            let r = try l.record(p.id)
            status[p.id] = r
            jobs.append(JobLine(job: p.id.description, status: r.status.rawValue, error: r.error, seconds: r.seconds))
        }
        func done(_ id: JobID) -> Bool { status[id]?.status == .done }
        var seeds: [SeedInfo] = []
        for s in spec.seeds {
            var info = SeedInfo(seed: s, status: status[.train(s)]?.status.rawValue ?? "n/a")
            if done(.train(s)) || !spec.phases.contains(.train), let c = try? l.checkpoint(seed: s) {
                info.checkpoint = c.path
                if let f = try? SafetensorsFile(path: c.appendingPathComponent("sae.safetensors").path),
                   let i = try? f.info("encoder.weight"), i.shape.count == 2 { info.latents = i.shape[0]; info.dIn = i.shape[1] }
                info.training = try WorkspaceJSON.readIfPresent(TrainMetrics.self, from: l.checkpointDir(s).appendingPathComponent(TrainMetrics.fileName))
            }
            if done(.profile(s)) {
                info.profile = try WorkspaceJSON.readIfPresent(ProfileSummary.self, from: l.profileDir(s).appendingPathComponent(ProfileSummary.fileName))
            }
            seeds.append(info)
        }
        var pairs: [PairSummary] = []
        for p in spec.pairs where done(.match(p)) {
            let u = l.matchDir(p).appendingPathComponent(PairSummary.fileName)
            let ps = try WorkspaceJSON.read(PairSummary.self, from: u)
            guard ps.schema == PairSummary.schemaID else {
                throw SeedScopeError.invalid(file: u.path, message: "schema \"\(ps.schema)\", expected \"\(PairSummary.schemaID)\"")
            }
            pairs.append(ps)
        }
        var consensus: ConsensusSummary? = nil
        if done(.consensus) {
            let u = l.consensusDir.appendingPathComponent(ConsensusSummary.fileName)
            consensus = try WorkspaceJSON.read(ConsensusSummary.self, from: u)
            guard consensus!.schema == ConsensusSummary.schemaID else {
                throw SeedScopeError.invalid(file: u.path, message: "schema \"\(consensus!.schema)\", expected \"\(ConsensusSummary.schemaID)\"")
            }
        }
        return RunReport(run: name, kind: spec.kind, architecture: spec.architecture, k: spec.k, latents: spec.latents,
                         dataset: spec.dataset, threshold: spec.threshold, seeds: seeds, pairs: pairs,
                         averages: averages(pairs), consensus: consensus, jobs: jobs, generated: Date(),
                         seedscopeVersion: SAEKitInfo.version)
    }

    static func averages(_ pairs: [PairSummary]) -> PairAverages? {
        guard !pairs.isEmpty else { return nil }
        let n = Double(pairs.count)
        var crit: [String: Double] = [:]
        for c in PairSummary.criterionNames {
            let xs = pairs.compactMap { $0.criteria[c]?.fraction }
            if xs.count == pairs.count { crit[c] = xs.reduce(0, +) / n }
        }
        var alive: [String: Double]? = nil
        if pairs.allSatisfy({ $0.criteriaAlive != nil }) {
            alive = [:]
            for c in PairSummary.criterionNames {
                let xs = pairs.compactMap { $0.criteriaAlive?[c]?.fraction }
                if xs.count == pairs.count { alive![c] = xs.reduce(0, +) / n }
            }
        }
        return PairAverages(criteria: crit, criteriaAlive: alive,
                            pwMcc: pairs.map(\.alignment.decoder).reduce(0, +) / n,
                            encoderAlignment: pairs.map(\.alignment.encoder).reduce(0, +) / n)
    }

    /// Jobs that did not finish, for the "missing results" notes.
    public var unfinished: [JobLine] { jobs.filter { $0.status != JobStatus.done.rawValue } }
}
