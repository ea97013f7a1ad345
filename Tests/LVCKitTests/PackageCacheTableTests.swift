import LVCStore
import Testing
@testable import LVCKit

/// The package cache's id → record table: every inserted id is found with its latest record,
/// ids never inserted are not, whatever the collisions on the first 64 bits' low bits.
@Suite struct PackageCacheTableTests {
    @Test func findsWhatWasInsertedAndOnlyThat() {
        let count = 5_000
        var table = PackageCache.RecordTable(capacity: count + 100)
        func id(_ n: Int) -> ObjectID { ObjectHasher.id(of: .blob, body: Array("blob \(n)".utf8)) }
        func record(_ n: Int) -> PackageCache.Record {
            PackageCache.Record(offset: n, length: n * 2, size: n * 3, crc: UInt32(n), method: n % 2 == 0 ? 8 : 0)
        }
        for n in 0..<count { table.insert(id(n), record(n)) }
        // Later records for the same blob win (the index file is append-only).
        for n in stride(from: 0, to: count, by: 7) { table.insert(id(n), record(n + 1_000_000)) }
        #expect(table.count == count)
        for n in 0..<count {
            let expected = n % 7 == 0 ? n + 1_000_000 : n
            #expect(table[id(n)]?.offset == expected, "blob \(n)")
        }
        for n in count..<(count + 2_000) { #expect(table[id(n)] == nil) }
        // An empty table (no cache yet) answers nil.
        #expect(PackageCache.RecordTable(capacity: 0)[id(1)] == nil)
    }
}
