import Foundation
import SAEKit

// `seedscope-bench match`: the exact matcher against scipy (numpy cosine + linear_sum_assignment) at
// m=16384, d=768 on the same SAE files, then seedscope alone at 65536 and 131072 (each size in its
// own process (SEEDSCOPE_MATCH_ONE="m:kind") so peak RSS is per case). SEEDSCOPE_MATCH_SIZES="16384,65536" limits the sizes,
// SEEDSCOPE_MATCH_KINDS="trained,random" the kinds.

/// A synthetic pair. "random": two random-init SAEs (chance level, the solver's hardest case).
/// "trained": 60% of B's latents are noisy copies of A's (permuted), the rest random, encoder noisier
/// than decoder — shared directions plus noise, like two trained seeds.
func benchPair(m: Int, d: Int, kind: String, seed: UInt64 = 1) -> (SparseAutoencoder, SparseAutoencoder) {
    if kind == "random" {
        return (MatchControls.randomInit(numLatents: m, dIn: d, seed: seed), MatchControls.randomInit(numLatents: m, dIn: d, seed: seed + 1))
    }
    var rng = SeededRNG(seed: seed)
    let a = MatchControls.randomInit(numLatents: m, dIn: d, seed: seed + 7)
    var b = MatchControls.randomInit(numLatents: m, dIn: d, seed: seed + 8)
    let perm = rng.permutation(m)
    let shared = m * 6 / 10
    let scale = 1 / Float(d).squareRoot()
    for t in 0..<shared {
        let i = perm[t]   // B latent t copies A latent perm[t]
        let nE = Float(0.3 + 0.5 * rng.nextFloat()), nD = Float(0.2 + 0.4 * rng.nextFloat())
        for c in 0..<d {
            b.encoder[t, c] = a.encoder[i, c] + nE * scale * rng.nextGaussian()
            b.decoder[t, c] = a.decoder[i, c] + nD * scale * rng.nextGaussian()
        }
    }
    b.decoder.normalizeRows()
    return (a, b)
}

func peakRSSMB() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

let scipyPeer = #"""
import sys, json, struct, time
import numpy as np
from scipy.optimize import linear_sum_assignment
def load(p):
    b = open(p, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n]); base = 8 + n
    return {k: np.frombuffer(b[base + v["data_offsets"][0]:base + v["data_offsets"][1]], dtype=np.float32).reshape(v["shape"])
            for k, v in h.items() if k != "__metadata__"}
A, B = load(sys.argv[1]), load(sys.argv[2])
res = {}
t0 = time.time()
for key, name in [("encoder.weight", "enc"), ("W_dec", "dec")]:
    a = np.nan_to_num(A[key] / np.linalg.norm(A[key], axis=1, keepdims=True))
    b = np.nan_to_num(B[key] / np.linalg.norm(B[key], axis=1, keepdims=True))
    S = a @ b.T
    r, c = linear_sum_assignment(S, maximize=True)
    res[name + "_total"] = float(S[r, c].astype(np.float64).sum())
    res[name + "_cols"] = c.tolist()
    del S
res["seconds"] = time.time() - t0
print(json.dumps(res))
"""#

/// One size/kind of seedscope alone (run in a child process by `matchBench`).
/// Solver options, overridable for experiments (SEEDSCOPE_MATCH_C, _MARGIN, _ADD).
func benchOptions() -> PairMatcher.Options {
    let env = ProcessInfo.processInfo.environment
    var o = PairMatcher.Options(); o.method = .sparse
    if let c = env["SEEDSCOPE_MATCH_C"].flatMap(Int.init) { o.candidates = c }
    if let m = env["SEEDSCOPE_MATCH_MARGIN"].flatMap(Double.init) { o.margin = m }
    if let k = env["SEEDSCOPE_MATCH_ADD"].flatMap(Int.init) { o.addPerRow = k }
    return o
}

func matchOne(m: Int, kind: String, d: Int = 768) throws -> String {
    let (a, b) = benchPair(m: m, d: d, kind: kind)
    let o = benchOptions()
    var pm: PairMatch? = nil
    let t = try seconds { pm = try PairMatcher.match(a, b, options: o) }
    let p = pm!
    return String(format: "m=%d d=%d %@: %.1f s, peak RSS %.0f MB, enc total %.6f dec total %.6f, shared %.2f%%, passes enc %d dec %d, added edges %d/%d",
                  m, d, kind, t, peakRSSMB(), p.encoder.total, p.decoder.total, 100 * p.sharedFraction(.strict),
                  p.encoderStats?.passes ?? 0, p.decoderStats?.passes ?? 0, p.encoderStats?.addedEdges ?? 0, p.decoderStats?.addedEdges ?? 0)
}

func matchBench(_ ctx: BenchContext) throws {
    let env = ProcessInfo.processInfo.environment
    if let one = env["SEEDSCOPE_MATCH_ONE"] {   // child mode: "m:kind"
        let parts = one.split(separator: ":")
        print(try matchOne(m: Int(parts[0]) ?? 0, kind: parts.count > 1 ? String(parts[1]) : "trained"))
        return
    }
    let sizes = (env["SEEDSCOPE_MATCH_SIZES"] ?? "16384,65536,131072").split(separator: ",").compactMap { Int($0) }
    let kinds = (env["SEEDSCOPE_MATCH_KINDS"] ?? "trained,random").split(separator: ",").map(String.init)
    let d = 768
    for m in sizes {
        for kind in kinds {
            if m <= 16384 {
                try compareWithScipy(ctx, m: m, d: d, kind: kind)
            } else {
                // A child process per case so its peak RSS is its own.
                let p = Process()
                p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
                p.arguments = ["match"]
                var e = env
                e["SEEDSCOPE_MATCH_ONE"] = "\(m):\(kind)"
                p.environment = e
                let pipe = Pipe()
                p.standardOutput = pipe
                try p.run()
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "(no output)"
                ctx.report("seedscope " + line + (p.terminationStatus == 0 ? "" : " [exit \(p.terminationStatus)]"))
            }
        }
    }
}

func compareWithScipy(_ ctx: BenchContext, m: Int, d: Int, kind: String) throws {
    let (a, b) = benchPair(m: m, d: d, kind: kind)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seedscope-matchbench-\(getpid())")
    defer { try? FileManager.default.removeItem(at: dir) }
    try SAECheckpoint.writeSparsifyLayout(a, to: dir.appendingPathComponent("a"))
    try SAECheckpoint.writeSparsifyLayout(b, to: dir.appendingPathComponent("b"))
    let la = try SAELoader.load(dir.appendingPathComponent("a")), lb = try SAELoader.load(dir.appendingPathComponent("b"))
    let o = benchOptions()
    var pm: PairMatch? = nil
    let t = try seconds { pm = try PairMatcher.match(la, lb, options: o) }
    let p = pm!
    ctx.report(String(format: "seedscope m=%d d=%d %@: %.1f s, peak RSS %.0f MB, enc total %.6f, dec total %.6f, passes %d+%d",
                      m, d, kind, t, peakRSSMB(), p.encoder.total, p.decoder.total, p.encoderStats?.passes ?? 0, p.decoderStats?.passes ?? 0))
    let py = ctx.python ?? "python3"
    let script = dir.appendingPathComponent("peer.py")
    try scipyPeer.write(to: script, atomically: true, encoding: .utf8)
    let proc = Process()
    proc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    proc.arguments = [py, script.path, dir.appendingPathComponent("a/sae.safetensors").path, dir.appendingPathComponent("b/sae.safetensors").path]
    let pipe = Pipe()
    proc.standardOutput = pipe
    try proc.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    proc.waitUntilExit()
    guard proc.terminationStatus == 0, let j = try? JSONValue.parse(String(decoding: out, as: UTF8.self)),
          let st = j["seconds"]?.doubleValue, let et = j["enc_total"]?.doubleValue, let dt = j["dec_total"]?.doubleValue else {
        ctx.report("scipy peer failed (exit \(proc.terminationStatus)); is numpy+scipy installed for \(py)?")
        return
    }
    ctx.report(String(format: "scipy     m=%d d=%d %@: %.1f s, enc total %.6f, dec total %.6f", m, d, kind, st, et, dt))
    func differing(_ key: String, _ mine: [Int]) -> Int {
        guard let cols = j[key]?.arrayValue, cols.count == mine.count else { return -1 }
        return zip(cols, mine).filter { Int($0.0.intValue ?? -2) != $0.1 }.count
    }
    ctx.report(String(format: "ratio scipy/seedscope %.1fx; totals differ by enc %.2e dec %.2e (float32 cosines, different sgemm/normalisation rounding); latents with a different partner: enc %d dec %d",
                      st / t, abs(et - p.encoder.total), abs(dt - p.decoder.total),
                      differing("enc_cols", p.encoder.assignment), differing("dec_cols", p.decoder.assignment)))
}
