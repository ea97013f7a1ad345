import Foundation
import Testing
@testable import LVCStore

/// Packs written by real git (2.39, sha256) must read back exactly as `git cat-file` shows them.
@Suite struct PackStoreTests {
    @Test func readsEveryObjectOfAPackWrittenByGitGC() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commitVersions(5)
        try fixture.git("gc", "--quiet")
        #expect(try LooseObjects(directory: fixture.objects, temporaryDirectory: fixture.root).allIDs().isEmpty)
        let kinds = try fixture.entryCounts()
        #expect(kinds.offsetDeltas > 0)
        #expect(kinds.referenceDeltas == 0)
        try expectStoreMatchesGit(PackStore(directory: fixture.packDirectory), fixture)
    }

    @Test func ignoresBitmapsReverseIndexesAndMultiPackIndexes() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commitVersions(4)
        try fixture.git("-c", "pack.writeReverseIndex=true", "repack", "-adf", "--write-bitmap-index", "--quiet")
        try fixture.git("multi-pack-index", "write")
        let names = try FileSystem.listDirectory(fixture.packDirectory)
        #expect(names.contains { $0.hasSuffix(".rev") })
        #expect(names.contains { $0.hasSuffix(".bitmap") })
        #expect(names.contains("multi-pack-index"))
        // A pack index whose pack is gone is skipped.
        let orphan = fixture.packDirectory + "/pack-" + String(repeating: "0", count: 64) + ".idx"
        try Data("not an index".utf8).write(to: URL(fileURLWithPath: orphan))
        #expect(try fixture.entryCounts().offsetDeltas > 0)
        try expectStoreMatchesGit(PackStore(directory: fixture.packDirectory), fixture)
    }

    @Test func resolvesReferenceDeltasFromGitPackObjects() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commitVersions(5)
        let list = try fixture.git("rev-list", "--objects", "--all")
        // Without --delta-base-offset, pack-objects writes REF_DELTA entries with 32-byte bases.
        try fixture.git("pack-objects", "--quiet", fixture.packDirectory + "/pack", input: list)
        try fixture.git("prune-packed")
        #expect(try LooseObjects(directory: fixture.objects, temporaryDirectory: fixture.root).allIDs().isEmpty)
        let kinds = try fixture.entryCounts()
        #expect(kinds.referenceDeltas > 0)
        #expect(kinds.offsetDeltas == 0)
        try expectStoreMatchesGit(PackStore(directory: fixture.packDirectory), fixture)
    }

    @Test func findsPacksAddedAfterItWasCreated() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commitVersions(2)
        try fixture.git("repack", "-d", "--quiet")
        let store = PackStore(directory: fixture.packDirectory)
        let first = try store.allIDs()
        #expect(!first.isEmpty)
        try fixture.commitVersions(2, startingAt: 2)
        let newHead = try #require(ObjectID(hex: String(decoding: try fixture.git("rev-parse", "HEAD"), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!store.contains(newHead))  // still loose
        try fixture.git("repack", "-d", "--quiet")  // a second pack with the new objects
        #expect(store.contains(newHead))
        #expect(try store.read(newHead)?.kind == .commit)
        #expect(try store.allIDs().count > first.count)
        try expectStoreMatchesGit(store, fixture)
    }

    @Test func objectStoreVerifiesPackedObjects() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commitVersions(3)
        try fixture.git("gc", "--quiet")
        let store = ObjectStore(objectsDirectory: fixture.objects, temporaryDirectory: fixture.root)
        for (id, expected) in try fixture.allObjects() {
            let same = try store.read(id).body == expected.body  // a Bool: a failure need not print 24 KB
            #expect(same, "\(id)")
        }
    }

    @Test func readsConcurrently() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commitVersions(5)
        try fixture.git("gc", "--quiet")
        let expected = try fixture.allObjects()
        let store = PackStore(directory: fixture.packDirectory)
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var bad = 0
                    for (id, object) in expected.shuffled() where try store.read(id)?.body != object.body { bad += 1 }
                    return bad
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test func missingDirectoryHoldsNoPacks() throws {
        let store = PackStore(directory: "/nonexistent-\(UUID().uuidString)/objects/pack")
        let id = ObjectHasher.id(of: .blob, body: [UInt8]("hello\n".utf8))
        #expect(!store.contains(id))
        #expect(try store.read(id) == nil)
        #expect(try store.allIDs() == [])
    }

    // MARK: - Corruption

    @Test func damagedZlibStreamThrows() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commitVersions(4)
        try fixture.git("gc", "--quiet")
        let expected = try fixture.allObjects()
        let (packPath, entries) = try fixture.entries()
        // Damage the largest whole object: a blob that other versions are deltas of.
        let victim = try #require(entries.filter { $0.entry.content == .object(.blob) }.max { $0.entry.size < $1.entry.size })
        var bytes = try FileSystem.readAll(packPath)
        for i in 0..<8 { bytes[victim.entry.dataOffset + 20 + i] ^= 0x5a }
        try overwrite(packPath, bytes)

        let store = PackStore(directory: fixture.packDirectory)
        #expect(throws: StoreError.self) { try store.read(victim.id) }
        var failures = 0
        for (id, object) in expected {
            do {
                let read = try #require(try store.read(id))
                let same = read.body == object.body
                #expect(same, "\(id)")
            } catch is StoreError {
                failures += 1
            }
        }
        #expect(failures > 1)  // the victim and the deltas built on it
    }

    @Test func truncatedPackAndIndexThrow() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commitVersions(3)
        try fixture.git("gc", "--quiet")
        let ids = try fixture.allObjects().keys
        let (packPath, _) = try fixture.entries()
        let indexPath = String(packPath.dropLast(".pack".count)) + ".idx"

        let pack = try FileSystem.readAll(packPath)
        try overwrite(packPath, Array(pack[..<(pack.count / 2)]))
        let store = PackStore(directory: fixture.packDirectory)
        for id in ids {
            #expect(store.contains(id))  // the index is intact
            #expect(throws: StoreError.self) { try store.read(id) }
        }

        let index = try FileSystem.readAll(indexPath)
        try overwrite(indexPath, Array(index[..<(index.count - 100)]))
        let fresh = PackStore(directory: fixture.packDirectory)
        for id in ids {
            #expect(!fresh.contains(id))
            #expect(throws: StoreError.self) { try fresh.read(id) }
        }
        #expect(throws: StoreError.self) { try fresh.allIDs() }
    }

    /// Random damage to the pack or its index may throw or (where no check can tell) return wrong
    /// bytes that `ObjectStore` then rejects by hash, but must never crash.
    @Test func randomDamageNeverCrashes() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.commitVersions(3)
        try fixture.git("gc", "--quiet")
        let ids = Array(try fixture.allObjects().keys)
        let (packPath, _) = try fixture.entries()
        let indexPath = String(packPath.dropLast(".pack".count)) + ".idx"
        let pristinePack = try FileSystem.readAll(packPath)
        let pristineIndex = try FileSystem.readAll(indexPath)
        var random = SeededRandom(seed: 42)
        var failures = 0
        for round in 0..<300 {
            var pack = pristinePack
            var index = pristineIndex
            let damageIndex = round % 4 == 0
            let flips = 1 + Int(random.next() % 4)
            for _ in 0..<flips {
                if damageIndex {
                    index[Int(random.next() % UInt64(index.count))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                } else {
                    // Keep the trailer intact so damage reaches the entries.
                    pack[Int(random.next() % UInt64(pack.count - 32))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                }
            }
            if round % 10 == 9 { pack.removeLast(Int(random.next() % UInt64(pack.count / 2))) }
            try overwrite(packPath, pack)
            try overwrite(indexPath, index)
            let store = PackStore(directory: fixture.packDirectory)
            for id in ids {
                _ = store.contains(id)
                do {
                    _ = try store.read(id)
                } catch {
                    #expect(error is StoreError)
                    failures += 1
                }
            }
            _ = try? store.allIDs()
        }
        #expect(failures > 100)
    }

    @Test func referenceDeltaCycleThrows() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let a = ObjectID(bytes: [UInt8](repeating: 0xaa, count: 32))
        let b = ObjectID(bytes: [UInt8](repeating: 0xbb, count: 32))
        let delta: [UInt8] = [5, 5, 0x90, 5]  // base 5, result 5, COPY 5 bytes at 0
        try writePack(in: root, entries: [(a, referenceDeltaEntry(base: b, delta: delta)),
                                          (b, referenceDeltaEntry(base: a, delta: delta))])
        let store = PackStore(directory: root)
        #expect(store.contains(a))
        #expect(throws: StoreError.self) { try store.read(a) }
    }

    @Test func missingReferenceDeltaBaseThrows() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let a = ObjectID(bytes: [UInt8](repeating: 0xaa, count: 32))
        let absent = ObjectID(bytes: [UInt8](repeating: 0xcc, count: 32))
        try writePack(in: root, entries: [(a, referenceDeltaEntry(base: absent, delta: [0, 1, 1, 0x41]))])
        #expect(throws: StoreError.self) { try PackStore(directory: root).read(a) }
    }

    @Test func handWrittenWholeObjectReads() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let body = [UInt8]("hello, pack\n".utf8)
        let id = ObjectHasher.id(of: .blob, body: body)
        try writePack(in: root, entries: [(id, [0x30 | UInt8(body.count)] + Zlib.deflate(body))])
        let object = try #require(try PackStore(directory: root).read(id))
        #expect(object.kind == .blob)
        #expect(object.body == body)
    }
}

// MARK: - Helpers

private func expectStoreMatchesGit(_ store: PackStore, _ fixture: GitFixture,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
    let expected = try fixture.allObjects()
    #expect(expected.count > 10, sourceLocation: sourceLocation)
    #expect(try store.allIDs() == expected.keys.sorted(), sourceLocation: sourceLocation)
    for (id, object) in expected {
        #expect(store.contains(id), sourceLocation: sourceLocation)
        let read = try #require(try store.read(id), "\(id) not found", sourceLocation: sourceLocation)
        #expect(read.kind == object.kind, "\(id)", sourceLocation: sourceLocation)
        let same = read.body == object.body  // a Bool: a failure need not print 24 KB
        #expect(same, "\(id): \(read.body.count) bytes, git has \(object.body.count)", sourceLocation: sourceLocation)
    }
}

private func makeTemporaryDirectory() throws -> String {
    var template = Array((NSTemporaryDirectory() + "/lvc-packstore-XXXXXX").utf8CString)
    guard let path = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw StoreError.io(path: NSTemporaryDirectory(), operation: "mkdtemp in", errno: errno)
    }
    return String(cString: path)
}

private func overwrite(_ path: String, _ bytes: [UInt8]) throws {
    chmod(path, 0o644)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// A REF_DELTA entry: header (type 7, size), base id, zlib of the delta data.
private func referenceDeltaEntry(base: ObjectID, delta: [UInt8]) -> [UInt8] {
    precondition(delta.count < 16)
    return [0x70 | UInt8(delta.count)] + base.bytes + Zlib.deflate(delta)
}

/// Writes `pack-<hex>.pack` and `.idx` (v2) holding `entries` (already encoded) under their ids.
private func writePack(in directory: String, entries: [(id: ObjectID, bytes: [UInt8])]) throws {
    var pack = Array("PACK".utf8) + bigEndian(UInt32(2)) + bigEndian(UInt32(entries.count))
    var offsets = [ObjectID: Int]()
    for entry in entries {
        offsets[entry.id] = pack.count
        pack += entry.bytes
    }
    let packChecksum = ByteHasher.digest(pack)
    pack += packChecksum
    let ids = entries.map(\.id).sorted()
    var index: [UInt8] = [0xff, 0x74, 0x4f, 0x63] + bigEndian(UInt32(2))
    for byte in 0..<256 { index += bigEndian(UInt32(ids.filter { Int($0.firstByte) <= byte }.count)) }
    for id in ids { index += id.bytes }
    for _ in ids { index += bigEndian(UInt32(0)) }  // CRCs (not checked by the reader)
    for id in ids { index += bigEndian(UInt32(offsets[id]!)) }
    index += packChecksum
    index += ByteHasher.digest(index)
    let name = "\(directory)/pack-\(packChecksum.map { String(format: "%02x", $0) }.joined())"
    try Data(pack).write(to: URL(fileURLWithPath: name + ".pack"))
    try Data(index).write(to: URL(fileURLWithPath: name + ".idx"))
}

private func bigEndian(_ value: UInt32) -> [UInt8] {
    [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
}

/// A bare sha256 repository in its own temporary folder, filled with real git.
private struct GitFixture {
    let root: String
    var repo: String { root + "/repo.git" }
    var workTree: String { root + "/work" }
    var objects: String { repo + "/objects" }
    var packDirectory: String { objects + "/pack" }

    init() throws {
        root = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: workTree + "/src", withIntermediateDirectories: true)
        try run(["init", "--quiet", "--bare", "--object-format=sha256", repo])
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Runs git on the repository (with the work tree) and returns its standard output.
    @discardableResult
    func git(_ arguments: String..., input: [UInt8]? = nil) throws -> [UInt8] {
        try run(["--git-dir=\(repo)", "--work-tree=\(workTree)"] + arguments, input: input)
    }

    /// Commits `count` versions of a ~24 KB file (and a few small ones), tagging the first.
    func commitVersions(_ count: Int, startingAt first: Int = 0) throws {
        for version in first ..< first + count {
            try Data(Self.bigFile(version: version)).write(to: URL(fileURLWithPath: workTree + "/src/app.py"))
            try Data("version \(version)\n".utf8).write(to: URL(fileURLWithPath: workTree + "/VERSION"))
            try Data("print('handler')\n".utf8).write(to: URL(fileURLWithPath: workTree + "/src/handler.py"))
            try git("add", "-A")
            try git("commit", "--quiet", "-m", "version \(version)")
            if version == 0 { try git("tag", "-a", "v0", "-m", "first version") }
        }
    }

    /// ~24 KB of source-like text; each version edits some lines and appends one.
    static func bigFile(version: Int) -> [UInt8] {
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        var text = ""
        for line in 0..<(560 + version) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let edited = line % 97 == version % 97 || line % 89 == (version * 7) % 89
            let word = String(state >> 40, radix: 36)
            text += "line \(line): value_\(word) = compute(\(line), \(edited ? version : 0))  # note\n"
        }
        return Array(text.utf8)
    }

    /// Every object git sees (`cat-file --batch-all-objects --batch`), with kind and body.
    func allObjects() throws -> [ObjectID: RawObject] {
        let output = try git("cat-file", "--batch-all-objects", "--batch")
        var objects = [ObjectID: RawObject]()
        var cursor = 0
        while cursor < output.count {
            guard let newline = output[cursor...].firstIndex(of: 0x0a) else { throw FixtureError("bad batch output") }
            let fields = String(decoding: output[cursor ..< newline], as: UTF8.self).split(separator: " ")
            guard fields.count == 3, let id = ObjectID(hex: fields[0]), let kind = ObjectKind(rawValue: String(fields[1])),
                  let size = Int(fields[2]) else { throw FixtureError("bad batch header") }
            let start = newline + 1
            objects[id] = RawObject(kind: kind, body: Array(output[start ..< start + size]))
            cursor = start + size + 1
        }
        return objects
    }

    /// The entries of the (single) pack with their ids, parsed with the reader's own types.
    func entries() throws -> (packPath: String, entries: [(id: ObjectID, entry: PackFile.Entry)]) {
        let names = try FileSystem.listDirectory(packDirectory).filter { $0.hasSuffix(".idx") }
        guard names.count == 1 else { throw FixtureError("expected one pack, found \(names)") }
        let base = packDirectory + "/" + names[0].dropLast(".idx".count)
        let index = try PackIndex(file: MappedFile(path: base + ".idx"))
        let pack = try PackFile(file: MappedFile(path: base + ".pack"), index: index)
        let entries = try (0..<index.count).map { position in
            (index.id(at: position), try pack.entry(at: index.offset(at: position)))
        }
        return (base + ".pack", entries)
    }

    /// How many entries of each delta type the packs hold (ignoring index files without a pack).
    func entryCounts() throws -> (offsetDeltas: Int, referenceDeltas: Int) {
        var counts = (offsetDeltas: 0, referenceDeltas: 0)
        for name in try FileSystem.listDirectory(packDirectory) where name.hasSuffix(".pack") {
            let base = packDirectory + "/" + name.dropLast(".pack".count)
            let index = try PackIndex(file: MappedFile(path: base + ".idx"))
            let pack = try PackFile(file: MappedFile(path: base + ".pack"), index: index)
            for position in 0..<index.count {
                switch try pack.entry(at: index.offset(at: position)).content {
                case .offsetDelta: counts.offsetDeltas += 1
                case .referenceDelta: counts.referenceDeltas += 1
                case .object: break
                }
            }
        }
        return counts
    }

    /// Runs /usr/bin/git with a fixed identity and dates, and no user or system configuration.
    @discardableResult
    private func run(_ arguments: [String], input: [UInt8]? = nil) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        environment["HOME"] = root
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_AUTHOR_NAME"] = "Test"
        environment["GIT_AUTHOR_EMAIL"] = "test@example.com"
        environment["GIT_COMMITTER_NAME"] = "Test"
        environment["GIT_COMMITTER_EMAIL"] = "test@example.com"
        environment["GIT_AUTHOR_DATE"] = "2026-01-01T00:00:00Z"
        environment["GIT_COMMITTER_DATE"] = "2026-01-01T00:00:00Z"
        process.environment = environment
        // Input and error output go through files, so no pipe can fill up and block git.
        let inputPath = root + "/.git-input"
        try Data(input ?? []).write(to: URL(fileURLWithPath: inputPath))
        let errorPath = root + "/.git-stderr"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw FixtureError("git \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(message)")
        }
        return Array(data)
    }
}

private struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A small deterministic generator (SplitMix64), so damage tests repeat exactly.
private struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
