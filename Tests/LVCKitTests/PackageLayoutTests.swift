import Foundation
import LVCStore
import Testing
@testable import LVCKit

/// The canonical zip's data layout (decision 0026): large files' data first, the central directory
/// in path order, and the checkpoints that let a package be hashed from its first difference.
@Suite struct PackageLayoutTests {
    struct Fixture {
        let repository: Repository
        let dir: String
        var entries: [DeploymentPackage.Entry] = []
        var counter: UInt64 = 0

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-layout-\(UUID().uuidString)").path
            try FileSystem.makeDirectories(dir)
            repository = try Repository.initialize(at: dir, options: .init())
        }

        /// Incompressible bytes (SHA-256 of a counter, block after block), the same on every run, so
        /// that the zip's offsets (and so its checkpoints) follow the sizes.
        mutating func blob(_ count: Int) throws -> ObjectID {
            var bytes = [UInt8]()
            bytes.reserveCapacity(count + 32)
            while bytes.count < count {
                counter += 1
                bytes += withUnsafeBytes(of: counter) { ByteHasher.digest($0) }
            }
            return try repository.objects.write(.blob, Array(bytes.prefix(count)))
        }

        /// Sets `path` (kept sorted) to a new blob of `count` bytes.
        mutating func set(_ path: String, _ count: Int) throws {
            let entry = DeploymentPackage.Entry(path: Array(path.utf8), mode: .file, id: try blob(count))
            entries.removeAll { $0.path == entry.path }
            entries.append(entry)
            entries.sort { $0.path.lexicographicallyPrecedes($1.path) }
        }

        func zip(_ layout: DeploymentPackage.Layout) throws -> [UInt8] {
            var out = [UInt8]()
            _ = try DeploymentPackage.write(entries: entries, layout: layout, objects: repository.objects, sink: { out += $0 })
            return out
        }
    }

    /// The names of a zip's local headers, walked from the start of the file, and of its central
    /// directory's records, in their order.
    static func names(_ zip: [UInt8]) -> (local: [String], central: [String]) {
        func u16(_ at: Int) -> Int { Int(zip[at]) | Int(zip[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func name(_ at: Int, _ count: Int) -> String { String(decoding: zip[at..<(at + count)], as: UTF8.self) }
        var local = [String](), central = [String]()
        var at = 0
        while u32(at) == 0x04034b50 {
            let nameCount = u16(at + 26), extra = u16(at + 28), stored = u32(at + 18)
            local.append(name(at + 30, nameCount))
            at += 30 + nameCount + extra + stored
        }
        while u32(at) == 0x02014b50 {
            let nameCount = u16(at + 28)
            central.append(name(at + 46, nameCount))
            at += 46 + nameCount + u16(at + 30) + u16(at + 32)
        }
        #expect(u32(at) == 0x06054b50, "the end record follows the central directory")
        return (local, central)
    }

    @Test func largeFilesDataComesFirstAndTheDirectoryStaysInPathOrder() throws {
        var f = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        let large = DeploymentPackage.Layout.largeFileSize
        let sizes = ["a.txt": 10, "b/lib.so": large, "b/small.py": large - 1, "c.bin": 3 * large, "d.py": 0, "e.dat": large + 7]
        for (path, size) in sizes { try f.set(path, size) }
        let sorted = sizes.keys.sorted()
        let new = Self.names(try f.zip(.largeFirst))
        #expect(new.local == ["b/lib.so", "c.bin", "e.dat", "a.txt", "b/small.py", "d.py"])
        #expect(new.central == sorted)
        let old = Self.names(try f.zip(.pathOrder))
        #expect(old.local == sorted)
        #expect(old.central == sorted)
    }

    /// A package is hashed from the last saved checkpoint whose entries before it are its own:
    /// after a small file changes, every checkpoint among the large files still holds; after a
    /// large file changes, only those before it. Either way, the digest is the full hash's.
    @Test func checkpointsHoldUpToTheFirstChangeInDataOrder() throws {
        var f = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        // 6 MB of large files (so several 1 MiB checkpoints), and small files after them in the data.
        for i in 0..<60 { try f.set(String(format: "lib/m%02d.so", i), 100_000) }
        for i in 0..<40 { try f.set(String(format: "a%02d.py", i), 2000) }
        func digest(saved: [PackageCheckpoints.Checkpoint]) throws -> (DeploymentPackage.Digest, [PackageCheckpoints.Checkpoint]) {
            let recorder = CheckpointRecorder()
            let digest = try DeploymentPackage.write(entries: f.entries, layout: .largeFirst, objects: f.repository.objects,
                                                     cache: f.repository.packageCache(), checkpoints: saved, recorder: recorder)
            return (digest, recorder.checkpoints)
        }
        func carried(_ saved: [PackageCheckpoints.Checkpoint]) throws -> [PackageCheckpoints.Checkpoint] {
            let order = try DeploymentPackage.dataOrder(count: f.entries.count, layout: .largeFirst) {
                try f.repository.objects.info(f.entries[$0].id).size
            }
            return DeploymentPackage.resumable(saved, entries: f.entries, order: order)?.carried ?? []
        }
        func fullHash() throws -> DeploymentPackage.Digest {
            let zip = try f.zip(.largeFirst)
            return .init(sha256Base64: Base64.encode(ByteHasher.digest(zip)), size: zip.count)
        }

        let (first, saved) = try digest(saved: [])
        #expect(first == (try fullHash()))
        #expect(saved.count >= 5)
        #expect(saved.allSatisfy { $0.entryIndex <= 60 }, "every checkpoint is among the large files")

        try f.set("a05.py", 2100)  // a small file: the large files' checkpoints all hold
        #expect(try carried(saved) == saved)
        let (second, savedAfterSmall) = try digest(saved: saved)
        #expect(second == (try fullHash()))

        try f.set("lib/m30.so", 100_001)  // a large file in the middle: the checkpoints after it go
        let kept = try carried(savedAfterSmall)
        #expect(!kept.isEmpty && kept.count < savedAfterSmall.count)
        #expect(kept.allSatisfy { $0.entryIndex <= 30 })
        #expect(try digest(saved: savedAfterSmall).0 == (try fullHash()))

        try f.set("lib/m30.so", 2000)  // it becomes small: its data moves behind the large files
        #expect(try carried(savedAfterSmall).allSatisfy { $0.entryIndex <= 30 })
        #expect(try digest(saved: savedAfterSmall).0 == (try fullHash()))
    }
}
