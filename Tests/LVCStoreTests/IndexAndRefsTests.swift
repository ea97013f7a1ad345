import Foundation
import Testing
@testable import LVCStore

@Suite struct IndexAndRefsTests {
    func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-unit-\(UUID().uuidString)").path
        try FileSystem.makeDirectories(dir)
        return dir
    }

    /// Runs git and returns its exit status and standard output (its standard error is dropped).
    @discardableResult
    func git(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func indexRoundTripAndLayout() throws {
        let id = ObjectHasher.id(of: .blob, body: [])
        var stat = StatData()
        stat.mtimeSeconds = 1700000000
        stat.size = 42
        let index = Index(entries: [
            IndexEntry(path: Array("lib/util.js".utf8), id: id, mode: .file, stat: stat),
            IndexEntry(path: Array("bootstrap".utf8), id: id, mode: .executable),
        ])
        let bytes = index.encode()
        #expect(Array(bytes.prefix(12)) == Array("DIRC".utf8) + [0, 0, 0, 2, 0, 0, 0, 2])
        // "bootstrap" (9 bytes) gives an 88-byte entry: 74 + 9 + 5 NULs.
        #expect(bytes.count == 12 + 88 + 88 + 32)
        #expect(try Index.decode(bytes) == index)
        #expect(index.entries.map(\.pathString) == ["bootstrap", "lib/util.js"])
        var damaged = bytes
        damaged[20] ^= 1
        #expect(throws: Index.DecodeError.self) { try Index.decode(damaged) }
    }

    /// `IndexEntry.same` agrees with `==` on the arrays, and ignores stat data only when told to.
    @Test func entryListsComparedInPlace() {
        let a = ObjectHasher.id(of: .blob, body: Array("a".utf8)), b = ObjectHasher.id(of: .blob, body: Array("b".utf8))
        var stat = StatData()
        stat.size = 7
        let list = [IndexEntry(path: Array("lib/a.js".utf8), id: a, mode: .file, stat: stat),
                    IndexEntry(path: Array("run".utf8), id: b, mode: .executable)]
        let copy = list.map { IndexEntry(path: Array($0.path), id: $0.id, mode: $0.mode, stat: $0.stat) }  // other storage
        var restat = copy; restat[0].stat.size = 8
        var renamed = copy; renamed[1].path = Array("rum".utf8)
        var rehashed = copy; rehashed[0].id = b
        var remoded = copy; remoded[1].mode = .file
        for (other, equalWithStat, equalWithoutStat) in [(copy, true, true), (restat, false, true), (renamed, false, false),
                                                         (rehashed, false, false), (remoded, false, false),
                                                         (Array(copy.prefix(1)), false, false), ([], false, false)] {
            #expect(IndexEntry.same(list, other, withStat: true) == equalWithStat)
            #expect(IndexEntry.same(list, other, withStat: true) == (list == other))
            #expect(IndexEntry.same(list, other, withStat: false) == equalWithoutStat)
        }
        #expect(IndexEntry.same([], [], withStat: true))
    }

    /// A path ends at its first NUL, and one without a NUL before the checksum is refused.
    @Test func indexPathsEndAtTheirNul() throws {
        let id = ObjectHasher.id(of: .blob, body: [])
        let bytes = Index(entries: [IndexEntry(path: Array("handler.py".utf8), id: id, mode: .file)]).encode()
        let body = Array(bytes.dropLast(32))
        func decode(_ body: [UInt8]) throws -> Index {
            try (body + [UInt8](repeating: 0, count: 32)).withUnsafeBytes { try Index.decode($0, checksumVerified: true) }
        }
        #expect(try decode(body).entries.map(\.pathString) == ["handler.py"])
        // The path's padding NULs replaced: it now runs into the end of the body.
        var unterminated = body
        for i in (12 + 74 + 10)..<unterminated.count { unterminated[i] = UInt8(ascii: "x") }
        #expect(throws: Index.DecodeError.self) { try decode(unterminated) }
    }

    /// `$LATEST` writes its index with the `code/` prefix added while encoding: the bytes must be
    /// those of the index built with prefixed paths, extensions included.
    @Test func prefixedEncodingIsTheSameIndex() throws {
        var entries = [IndexEntry]()
        for n in 0..<300 {
            var stat = StatData()
            stat.size = UInt32(n)
            stat.inode = UInt32(n * 7)
            let name = String(repeating: "d/", count: n % 4) + "f\(n)" + String(repeating: "x", count: n % 9)
            entries.append(IndexEntry(path: Array(name.utf8), id: ObjectHasher.id(of: .blob, body: [UInt8(n % 256)]),
                                      mode: n % 3 == 0 ? .executable : .file, stat: stat))
        }
        entries.sort { $0.path.lexicographicallyPrecedes($1.path) }
        let tail = [IndexEntry(path: Array("function.json".utf8), id: ObjectHasher.id(of: .blob, body: []), mode: .file)]
        let prefix = Array("code/".utf8)
        let built = Index(entries: entries.map { IndexEntry(path: prefix + $0.path, id: $0.id, mode: $0.mode, stat: $0.stat) } + tail,
                          extensions: ["TREE": [1, 2, 3]])
        #expect(Index.encode(entries, pathPrefix: prefix, then: tail, extensions: ["TREE": [1, 2, 3]]) == built.encode())
        #expect(try Index.decode(built.encode()) == built)
    }

    /// The index is written through a 64 KiB buffer: an index many times that size (with a path
    /// longer than git's 12-bit name length and an extension larger than the buffer) comes out in
    /// pieces no larger than it, ending with the checksum returned, and git reads every entry.
    @Test func largeIndexIsWrittenInPiecesGitReads() throws {
        var entries = [IndexEntry]()
        for n in 0..<4000 {
            var stat = StatData()
            stat.size = UInt32(n)
            let name = "dir\(n % 17)/" + String(repeating: "n", count: n % 200) + "-\(n)"
            entries.append(IndexEntry(path: Array(name.utf8), id: ObjectHasher.id(of: .blob, body: Array("\(n)".utf8)),
                                      mode: .file, stat: stat))
        }
        entries.append(IndexEntry(path: Array(("long/" + String(repeating: "L", count: 5000)).utf8),
                                  id: ObjectHasher.id(of: .blob, body: []), mode: .file))
        let index = Index(entries: entries, extensions: ["ZBIG": [UInt8](repeating: 7, count: 100_000)])
        var pieces = [[UInt8]]()
        let checksum = Index.write(index.entries, pathPrefix: [], then: [], extensions: index.extensions) { pieces.append(Array($0)) }
        let bytes = pieces.flatMap { $0 }
        #expect(pieces.count > 10)
        #expect(pieces.allSatisfy { $0.count <= 64 << 10 })
        #expect(pieces.last == checksum)
        #expect(bytes == index.encode())
        #expect(try Index.decode(bytes) == index)

        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try git(["init", "-q", "--bare", "--object-format=sha256", dir + "/repo"])
        // A signature starting with an uppercase letter marks an optional extension: git skips
        // "ZBIG" (saying so on stderr).
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/repo/index"))
        let listed = try git(["--git-dir=\(dir)/repo", "ls-files", "-s"])
        #expect(listed.status == 0)
        #expect(listed.output == index.entries.map { "100644 \($0.id.hex) 0\t\($0.pathString)\n" }.joined())
    }

    @Test func gitReadsTheIndex() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try git(["init", "-q", "--bare", "--object-format=sha256", dir + "/repo"])
        let store = ObjectStore(objectsDirectory: dir + "/repo/objects", temporaryDirectory: dir)
        let id = try store.write(.blob, Array("x\n".utf8))
        let index = Index(entries: [IndexEntry(path: Array("a/b.txt".utf8), id: id, mode: .executable)])
        try Data(index.encode()).write(to: URL(fileURLWithPath: dir + "/repo/index"))
        #expect(try git(["--git-dir=\(dir)/repo", "ls-files", "-s"]).output == "100755 \(id.hex) 0\ta/b.txt\n")
        // The tree lvc builds from it is the one git writes.
        let gitTree = try git(["--git-dir=\(dir)/repo", "write-tree"]).output
        #expect(gitTree == (try index.writeTree(to: store)).hex + "\n")
    }

    @Test func refsCompareAndSwap() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let refs = Refs(gitDirectory: dir)
        let a = ObjectHasher.id(of: .blob, body: [1]), b = ObjectHasher.id(of: .blob, body: [2])
        try refs.lock("refs/versions/1").update(to: a, expecting: .absent)
        #expect(try refs.resolve("refs/versions/1") == a)
        #expect(throws: StoreError.refExists(name: "refs/versions/1")) {
            try refs.lock("refs/versions/1").update(to: b, expecting: .absent)
        }
        #expect(throws: StoreError.refChanged(name: "refs/versions/1")) {
            try refs.lock("refs/versions/1").update(to: b, expecting: .value(b))
        }
        #expect(try refs.resolve("refs/versions/1") == a, "a failed update changes nothing")
        // While one holder has the lock, a second gets a clear error and the lock survives.
        let held = try refs.lock("refs/heads/main")
        #expect(throws: StoreError.locked(lockPath: dir + "/refs/heads/main.lock")) { try refs.lock("refs/heads/main") }
        #expect(FileSystem.exists(dir + "/refs/heads/main.lock"))
        held.release()
        #expect(!FileSystem.exists(dir + "/refs/heads/main.lock"))
    }

    /// A lock file written in pieces that cross the early-writeback step (decision 0024) commits
    /// exactly the bytes written, and a rollback after such writes leaves the file as it was.
    @Test func lockFileCommitsLargeContentExactly() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/index"
        try FileSystem.atomicWrite(path, Array("old".utf8))
        let step = LockFile.writebackStep
        let sizes = [1, step - 2, 3, 2 * step + 5, 17, step, 64 << 10]
        var expected = [UInt8]()
        let lock = try LockFile(for: path)
        for (n, size) in sizes.enumerated() {
            let piece = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ n) }
            try lock.write(piece)
            expected += piece
        }
        try lock.commit()
        #expect(try FileSystem.readAll(path) == expected)
        #expect(!FileSystem.exists(path + ".lock"))

        let abandoned = try LockFile(for: path)
        try abandoned.write([UInt8](repeating: 7, count: 3 * step))
        abandoned.rollback()
        #expect(try FileSystem.readAll(path) == expected, "a rolled-back lock leaves the file as it was")
        #expect(!FileSystem.exists(path + ".lock"))
    }

    @Test func packedRefsAreReadAndDeletedFrom() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = ObjectHasher.id(of: .blob, body: [1]), b = ObjectHasher.id(of: .blob, body: [2])
        let text = "# pack-refs with: peeled fully-peeled sorted \n\(a.hex) refs/aliases/PROD\n^\(b.hex)\n\(b.hex) refs/versions/2\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/packed-refs"))
        let refs = Refs(gitDirectory: dir)
        #expect(try refs.resolve("refs/versions/2") == b)
        #expect(try refs.list(prefix: "refs/versions/") == ["refs/versions/2": b])
        try refs.lock("refs/aliases/PROD").delete(expecting: .value(a))
        #expect(try refs.resolve("refs/aliases/PROD") == nil)
        #expect(try refs.resolve("refs/versions/2") == b)
        let after = String(decoding: try FileSystem.readAll(dir + "/packed-refs"), as: UTF8.self)
        #expect(!after.contains("PROD") && !after.contains("^"))
    }
}
