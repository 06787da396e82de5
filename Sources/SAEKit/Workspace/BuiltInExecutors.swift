/// REGISTRATION POINT for the product's phase executors.
///
/// The native trainer (Training/), profiler (Profiling/) and matcher/consensus (Matching/) plug in
/// here, each as a type conforming to the protocol in PhaseExecutors.swift:
///
///     train:     TrainExecutor      func train(seed: Int, context: JobContext) throws
///     profile:   ProfileExecutor    func profile(seed: Int, checkpoint: URL, context: JobContext) throws
///     match:     MatchExecutor      func match(_ inputs: MatchInputs, context: JobContext) throws
///     consensus: ConsensusExecutor  func consensus(matches: [SeedPair: URL], context: JobContext) throws
///
/// Until one is registered its jobs fail with "no trainer available in this build" (resp. profiler,
/// matcher, consensus builder). Import and external-command training need no registration.
extension PhaseExecutors {
    public static let builtIn = PhaseExecutors(
        train: NativeTrainPhase(),
        profile: ProfilePhase(),
        match: PairMatchPhase(),
        consensus: ConsensusPhase()
    )
}
