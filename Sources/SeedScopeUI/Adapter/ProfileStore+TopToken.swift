import Foundation
import SAEKit

extension ProfileStore {
    /// Token id at the maximum of each latent's strongest top example (nil when it has none), read
    /// straight from the memory-mapped columns. `card(j)` builds every example of a latent (~1 ms);
    /// this is O(examples of j) loads, so all 32K latents take a few ms (the `run(_:)` budget).
    /// The columns were validated by `ProfileStore.init` (offsets, windows, positions in range).
    /// - Complexity: O(m + E) over all latents.
    func topTokenIDs() -> [Int32?] {
        guard let off = try? file.rawBytes("ex_offsets"), let kind = try? file.rawBytes("ex_kind"),
              let win = try? file.rawBytes("ex_window"), let pos = try? file.rawBytes("ex_pos"),
              let toks = try? file.rawBytes("window_tokens") else { return .init(repeating: nil, count: numLatents) }
        let T = windowLength
        return (0..<numLatents).map { j in
            let a = Int(off.loadUnaligned(fromByteOffset: 8 * j, as: Int64.self))
            let b = Int(off.loadUnaligned(fromByteOffset: 8 * (j + 1), as: Int64.self))
            for e in a..<b where kind[e] == 0 {
                let w = Int(win.loadUnaligned(fromByteOffset: 4 * e, as: Int32.self))
                let p = Int(pos.loadUnaligned(fromByteOffset: 4 * e, as: Int32.self))
                return toks.loadUnaligned(fromByteOffset: 4 * (w * T + p), as: Int32.self)
            }
            return nil
        }
    }
}
