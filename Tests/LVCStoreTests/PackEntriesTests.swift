import Testing
@testable import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pack writer's list of written objects and its table of their ids.
@Suite struct PackEntriesTests {
    /// Distinct ids whose first eight bytes (the table's hash) repeat: every 16th shares its
    /// prefix with the one before, so probing, not only the home slot, must find them.
    func ids(_ count: Int) -> [ObjectID] {
        (0..<count).map { n in
            var bytes = [UInt8](repeating: 0, count: ObjectID.byteCount)
            let prefix = UInt64(n - n % 16 / 15) &* 0x9E37_79B9_7F4A_7C15  // n and n-1 collide when n % 16 == 15
            for b in 0..<8 { bytes[b] = UInt8(truncatingIfNeeded: prefix >> (8 * b)) }
            for b in 0..<8 { bytes[24 + b] = UInt8(truncatingIfNeeded: UInt64(n) >> (8 * b)) }
            return ObjectID(bytes: bytes)
        }
    }

    @Test func keepsEachIDOnceInWrittenOrderWhileGrowing() {
        let all = ids(5000)
        var entries = PackEntries()  // room for 12: grows through nine rehashes
        for (n, id) in all.enumerated() {
            let added = entries.insert(.init(id: id, offset: n * 10, crc: UInt32(n)))
            #expect(added)
            if n % 7 == 0 {  // an id written again is refused, whatever its offset
                let again = entries.insert(.init(id: all[n / 2], offset: -1, crc: 0))
                #expect(!again)
            }
        }
        let written = entries
        #expect(written.count == 5000)
        #expect(written.list.map(\.id) == all)
        #expect(written.list.map(\.offset) == all.indices.map { $0 * 10 })
        #expect(all.allSatisfy { written.contains($0) })
        #expect(!ids(5100)[5000...].contains { written.contains($0) })
    }

    @Test func ordersPositionsByID() {
        let all = ids(3000)
        var entries = PackEntries(expectedCount: 3000)
        for (n, id) in all.reversed().enumerated() { _ = entries.insert(.init(id: id, offset: n, crc: 7)) }
        let order = entries.positionsByID()
        #expect(order.map { entries.list[Int($0)].id } == all.sorted())
        #expect(Set(order).count == 3000)
    }

    /// The idx is written in pieces (5,000 objects: 200 KB of it) that lvc's reader takes back whole,
    /// large offsets (past 2 GiB) included, with the checksum of everything before it at the end.
    @Test func idxWrittenInPiecesIsReadBack() throws {
        let all = ids(5000)
        var entries = PackEntries(expectedCount: all.count)
        for (n, id) in all.enumerated() {
            let offset = n % 100 == 99 ? 0x8000_0000 + n * 1000 : 12 + n * 40
            _ = entries.insert(.init(id: id, offset: offset, crc: UInt32(n)))
        }
        let packChecksum = [UInt8](repeating: 0xAB, count: ObjectID.byteCount)
        var pieces: [[UInt8]] = []
        try PackWriter.writeIndex(entries.list, order: entries.positionsByID(), packChecksum: packChecksum) { pieces.append(Array($0)) }
        #expect(pieces.count > 3)
        #expect(pieces.allSatisfy { $0.count <= (64 << 10) + ObjectID.byteCount })
        let idx = pieces.flatMap { $0 }
        #expect(Array(idx.suffix(ObjectID.byteCount)) == ByteHasher.digest(idx.dropLast(ObjectID.byteCount)))

        let path = try idx.withUnsafeBytes { try FileSystem.writeTemporary(in: "/tmp", prefix: "lvc-idx-test-", $0) }
        defer { unlink(path) }
        let index = try PackIndex(file: MappedFile(path: path))
        #expect(index.count == all.count)
        #expect(index.packChecksum == packChecksum)
        for (n, id) in all.enumerated() {
            let position = try #require(index.position(of: id))
            #expect(try index.offset(at: position) == (n % 100 == 99 ? 0x8000_0000 + n * 1000 : 12 + n * 40))
        }
    }
}
