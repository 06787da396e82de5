import Testing
@testable import SAEKit

@Suite struct BatchScheduleTests {
    @Test func deterministicPerSeedAndDifferentAcrossSeeds() {
        let rows = Array(stride(from: 1, to: 1000, by: 3))  // e.g. usable rows with gaps
        let a = BatchSchedule(rows: rows, batchSize: 32, shuffleSeed: 7)
        let b = BatchSchedule(rows: rows, batchSize: 32, shuffleSeed: 7)
        let c = BatchSchedule(rows: rows, batchSize: 32, shuffleSeed: 8)
        #expect(a.order(epoch: 0) == b.order(epoch: 0))
        #expect(a.order(epoch: 3) == b.order(epoch: 3))
        #expect(a.order(epoch: 0) != c.order(epoch: 0))
        #expect(a.order(epoch: 0) != a.order(epoch: 1))
        // A different shuffle seed is a different order, not a rotation or reversal of it.
        let same = zip(a.order(epoch: 0), c.order(epoch: 0)).filter { $0 == $1 }.count
        #expect(same < 10)
    }

    @Test func everyRowOncePerEpoch() {
        let rows = Array(0..<1003).filter { $0 % 128 != 0 }
        for dropLast in [false, true] {
            let s = BatchSchedule(rows: rows, batchSize: 64, shuffleSeed: 1, dropLast: dropLast)
            var it = s.makeIterator()
            for epoch in 0..<3 {
                var seen: [Int] = []
                for _ in 0..<s.batchesPerEpoch { seen += it.next()! }
                if dropLast {
                    #expect(seen.count == rows.count / 64 * 64)
                    #expect(Set(seen).count == seen.count && Set(seen).isSubset(of: Set(rows)))
                } else {
                    #expect(seen.sorted() == rows, "epoch \(epoch)")
                }
            }
        }
    }

    @Test func resumesMidEpochIdentically() {
        let s = BatchSchedule(rows: 5000, batchSize: 100, shuffleSeed: 42)
        var full = s.makeIterator()
        var reference: [[Int]] = []
        for _ in 0..<130 { reference.append(full.next()!) }  // crosses into epoch 2
        var first = s.makeIterator()
        for _ in 0..<73 { _ = first.next() }
        let saved = first.position
        #expect(saved == BatchSchedule.Position(epoch: 1, batch: 23))
        var resumed = s.makeIterator(from: saved)
        for i in 73..<130 { #expect(resumed.next()! == reference[i], "batch \(i)") }
        #expect(s.batch(epoch: 1, index: 5) == reference[55])
    }
}
