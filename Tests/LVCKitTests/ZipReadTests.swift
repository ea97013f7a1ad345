import Foundation
import Testing
@testable import LVCKit
@testable import LVCStore

/// `ZipArchive`'s reading of an entry into memory trusts nothing the archive announces.
@Suite struct ZipReadTests {
    /// A one-entry archive (stored, "hello") whose headers announce `announced` as the size.
    static func archive(announcing announced: UInt32) -> [UInt8] {
        let name = Array("link".utf8), data = Array("hello".utf8)
        let crc = Zlib.crc32(data)
        var out = [UInt8]()
        func le16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: UInt32) { out += (0..<4).map { UInt8(v >> (8 * $0) & 0xFF) } }
        le32(ZipArchive.localSignature); le16(20); le16(0); le16(0); le16(0); le16(0x21)
        le32(crc); le32(UInt32(data.count)); le32(announced); le16(name.count); le16(0)
        out += name + data
        let directoryStart = out.count
        le32(ZipArchive.centralSignature); le16(3 << 8 | 20); le16(20); le16(0); le16(0); le16(0); le16(0x21)
        le32(crc); le32(UInt32(data.count)); le32(announced); le16(name.count); le16(0); le16(0)
        le16(0); le16(0); le32(0o120777 << 16); le32(0)
        out += name
        let directorySize = out.count - directoryStart
        le32(ZipArchive.endSignature); le16(0); le16(0); le16(1); le16(1)
        le32(UInt32(directorySize)); le32(UInt32(directoryStart)); le16(0)
        return out
    }

    func withArchive<T>(_ bytes: [UInt8], _ body: (ZipArchive) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-zip-\(UUID().uuidString).zip").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(try ZipArchive(path: path))
    }

    @Test func anEntryIsReadIntoMemoryOnlyWithinItsLimit() throws {
        // As announced: read.
        let read = try withArchive(Self.archive(announcing: 5)) { zip in
            try zip.contents(of: zip.entries[0], with: ZipArchive.Reader(), limit: 4095)
        }
        #expect(read == Array("hello".utf8))
        // 4 GB announced (fuzzing found that the whole announced size used to be reserved
        // before reading): refused before anything is read, naming the entry and the size.
        do {
            _ = try withArchive(Self.archive(announcing: 0xF000_0000)) { zip in
                try zip.contents(of: zip.entries[0], with: ZipArchive.Reader(), limit: 4095)
            }
            Issue.record("an entry announcing 4 GB was read into memory")
        } catch let failure as ZipArchive.Failure {
            #expect(failure.entry == Array("link".utf8))
            #expect(failure.reason.contains("announces 4,026,531,840 bytes, more than the 4,095"))
        }
        // Within the limit but more than the data holds: the reader's own check.
        #expect(throws: ZipArchive.Failure.self) {
            try withArchive(Self.archive(announcing: 100)) { zip in
                try zip.contents(of: zip.entries[0], with: ZipArchive.Reader(), limit: 4095)
            }
        }
    }
}
