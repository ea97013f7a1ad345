import Foundation
import LVCStore
import Testing
@testable import LVCKit

/// `add` hashes and stores files on all cores, each worker writing ids straight into the entries.
@Suite struct HashAndStoreTests {
    func makeRepository() throws -> (Repository, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-hash-\(UUID().uuidString)").path
        try FileSystem.makeDirectories(dir)
        return (try Repository.initialize(at: dir, options: .init()), dir)
    }

    /// Enough files for a pack (1,000 or more): every entry gets its own file's id, whichever
    /// worker stored it, and the pack holds each distinct content once.
    @Test func everyEntryGetsItsFilesID() throws {
        let (repository, dir) = try makeRepository()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var entries = [IndexEntry]()
        for n in 0..<1500 {
            let name = String(format: "f%05d.txt", n)
            let body = Array("file \(n % 1200)\n".utf8)  // 300 duplicate contents
            #expect(FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: Data(body)))
            entries.append(IndexEntry(path: Array(name.utf8), id: .zero, mode: .file))
        }
        let before = try repository.objects.allIDs().count  // what `init` wrote
        let want = entries.indices.map { ObjectHasher.id(of: .blob, body: Array("file \($0 % 1200)\n".utf8)) }
        let pack = try #require(try repository.hashAndStore(&entries, Array(entries.indices), progress: nil))
        #expect(entries.map(\.id) == want)
        // Nothing is visible until the caller installs the pack.
        let packFolder = "\(dir)/.lambda/objects/pack"
        #expect(try repository.objects.allIDs().count == before)
        #expect(try pack.finish() != nil)
        for id in Set(want) { #expect(try repository.objects.read(id, as: .blob).count > 0) }
        let packs = try FileManager.default.contentsOfDirectory(atPath: packFolder).filter { $0.hasSuffix(".idx") }
        #expect(packs.count == 1)
        #expect(try repository.objects.allIDs().count == before + 1200)
    }

    /// When files cannot be read, the error is the first such file's in path order, whatever
    /// worker met it first, and no pack is left behind.
    @Test func theFirstFailureInPathOrderIsReported() throws {
        let (repository, dir) = try makeRepository()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var entries = [IndexEntry]()
        for n in 0..<1200 {
            let name = String(format: "f%05d.txt", n)
            // Files 700 and 701 (different workers) and 1100 are missing.
            if ![700, 701, 1100].contains(n) {
                #expect(FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: Data("\(n)".utf8)))
            }
            entries.append(IndexEntry(path: Array(name.utf8), id: .zero, mode: .file))
        }
        let error = #expect(throws: LVCError.self) { try repository.hashAndStore(&entries, Array(entries.indices), progress: nil) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("f00700.txt"))
        let packs = (try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/.lambda/objects/pack")) ?? []
        #expect(packs.isEmpty)
        let temporary = (try? FileManager.default.contentsOfDirectory(atPath: "\(dir)/.lambda/lvc/tmp")) ?? []
        #expect(temporary.isEmpty)
    }

    /// The pack's list is sized for the trees too: one per folder at any depth, counted once.
    @Test func foldersAreCountedOnceAtEveryDepth() {
        func count(_ paths: [String]) -> Int {
            let entries = paths.map { IndexEntry(path: Array($0.utf8), id: .zero, mode: .file) }
                .sorted { $0.path.lexicographicallyPrecedes($1.path) }
            return Repository.folderCount(entries)
        }
        #expect(count([]) == 0)
        #expect(count(["a", "b"]) == 0)
        #expect(count(["a/x"]) == 1)
        #expect(count(["a/b/c/x"]) == 3)
        #expect(count(["a/x", "a/b/y", "a/z"]) == 2)               // a, a/b
        #expect(count(["a/b.txt", "a/b/c"]) == 2)                   // a, a/b
        #expect(count(["a-b/x", "a/y", "a/b/z"]) == 3)              // a-b, a, a/b
        #expect(count(["bc/x", "b/y"]) == 2)                        // b, bc
        #expect(count(["b/d/e", "b/d/f", "b/c", "g/h/i", "x"]) == 4) // b, b/d, g, g/h
    }
}

