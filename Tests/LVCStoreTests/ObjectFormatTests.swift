import Foundation
import Testing
@testable import LVCStore

/// Known-answer vectors from git 2.39 (git-format.md) and round trips of every codec.
@Suite struct ObjectFormatTests {
    @Test func blobIdsMatchGit() {
        let body = Array("exports.handler = async () => ({statusCode: 200});\n".utf8)
        #expect(ObjectHasher.id(of: .blob, body: body).hex == "17ee4649caf90ba71b977c5067615b960e40ae5bfd336e9bb8b2aca70fa98b26")
        #expect(ObjectHasher.id(of: .blob, body: Array("lib/util.js".utf8)).hex == "90301b4f4d2cf57e1dc48c77afeb8e5167756ecb4bc7f8c0780e1538b190db2d")
    }

    @Test func commitIdMatchesGit() throws {
        let tree = try #require(ObjectID(hex: "d32ab3282b38a901c725ef94c5ac39c7c8c4f83bbc7ff5d8f09164059941f8b0"))
        let sig = Signature(name: "lvc", email: "lvc@example.invalid", time: 1700000000)
        let commit = Commit(tree: tree, parents: [], author: sig, committer: sig, message: "Version 1\n")
        #expect(commit.encode().count == 184)
        #expect(ObjectHasher.id(of: .commit, body: commit.encode()).hex == "aeafd679d2b66389947c150cb68f2d74b1c7fd22c69b6532f909f2be4a364099")
        #expect(try Commit.decode(commit.encode()) == commit)
    }

    @Test func commitMessageStartsAfterTheFirstBlankLine() throws {
        let tree = ObjectHasher.id(of: .tree, body: [])
        let sig = Signature(name: "lvc", email: "lvc@example.invalid", time: 1700000000)
        let message = "Version 2\n\nLambda-Version: 2\n\n\ntrailing blank lines\n"
        let commit = Commit(tree: tree, parents: [tree], author: sig, committer: sig, message: message)
        let decoded = try Commit.decode(commit.encode())
        #expect(decoded.message == message)
        #expect(decoded.parents == [tree])
        // An empty message: the body ends with the blank line.
        #expect(try Commit.decode(Commit(tree: tree, parents: [], author: sig, committer: sig, message: "").encode()).message == "")

        let headersOnly = Array("tree \(tree.hex)\nauthor \(sig.encoded)\ncommitter \(sig.encoded)\n".utf8)
        #expect(throws: Commit.DecodeError.self) { try Commit.decode(headersOnly) }
    }

    @Test func signaturesKeepTimezones() throws {
        let sig = Signature(name: "A B", email: "a@b", time: 1700003600, offsetMinutes: 5 * 60 + 30)
        #expect(sig.encoded == "A B <a@b> 1700003600 +0530")
        #expect(Signature.parse(Substring(sig.encoded)) == sig)
        let west = Signature(name: "x", email: "y", time: 1, offsetMinutes: -8 * 60)
        #expect(west.encoded.hasSuffix(" -0800"))
    }

    @Test func treesSortFoldersAsNameSlash() throws {
        let id = ObjectHasher.id(of: .blob, body: [])
        let tree = Tree(entries: [
            TreeEntry(name: Array("lib".utf8), mode: .directory, id: id),
            TreeEntry(name: Array("lib.js".utf8), mode: .file, id: id),
            TreeEntry(name: Array("lib-x".utf8), mode: .file, id: id),
            TreeEntry(name: Array("bootstrap".utf8), mode: .executable, id: id),
        ])
        #expect(tree.entries.map(\.nameString) == ["bootstrap", "lib-x", "lib.js", "lib"])
        let encoded = tree.encode()
        #expect(Array(encoded.prefix(7)) == Array("100755 ".utf8))
        #expect(String(decoding: encoded, as: UTF8.self).contains("40000 lib\0"), "folder mode has no leading zero")
        #expect(try Tree.decode(encoded) == tree)
    }

    @Test func malformedTreesAreRejected() {
        let id = ObjectHasher.id(of: .blob, body: [])
        func entry(_ mode: String, _ name: String) -> [UInt8] { Array("\(mode) \(name)".utf8) + [0] + id.bytes }
        let cases: [[UInt8]] = [
            entry("100644", "b") + entry("100644", "a"),       // not sorted
            entry("100644", "a") + entry("100644", "a"),       // duplicate
            entry("040000", "a"),                              // zero-padded mode
            entry("100666", "a"),                              // unknown mode
            entry("100644", ""),                               // empty name
            entry("100644", "a/b"),                            // slash in a name
            Array(entry("100644", "a").dropLast(12)),           // truncated id (a SHA-1 length id)
        ]
        for body in cases {
            #expect(throws: Tree.DecodeError.self) { try Tree.decode(body) }
        }
    }

    @Test func commitTrailersComeFromTheLastParagraph() {
        let message = "Publish version 3\n\nNote: this is the description\n\nLambda-Version: 3\nLambda-Code-Sha256: abc=\n"
        let trailers = Commit.trailers(of: message)
        #expect(trailers.map(\.key) == ["Lambda-Version", "Lambda-Code-Sha256"])
        #expect(Commit.trailers(of: "Subject only: not a trailer\n").isEmpty)
        #expect(Commit.trailers(of: "Subject\n\nfree text\nKey: v\n").isEmpty)
        // Values keep their own colons and everything after the first spaces; runs of blank
        // lines and trailing newlines do not make an empty last paragraph; keys are UTF-8.
        let spaced = Commit.trailers(of: "Sübject\n\n\n\nLambda-Alias-To: 2:weird  value\nSchlüssel:wert\n\n\n")
        #expect(spaced.map(\.key) == ["Lambda-Alias-To", "Schlüssel"])
        #expect(spaced.map(\.value) == ["2:weird  value", "wert"])
        #expect(Commit.trailers(of: "\n\nKey: only one paragraph\n").isEmpty)
        #expect(Commit.trailers(of: "Subject\n\nnot a key: v\n").isEmpty)
    }

    @Test func zlibRoundTripAndDamage() throws {
        let data = Array(String(repeating: "lambda ", count: 10_000).utf8)
        for level in [Int32(0), 1, 6, 9] {
            let packed = Zlib.deflate(data, level: level)
            #expect(try packed.withUnsafeBytes { try Zlib.inflate($0) } == data)
        }
        let packed = Zlib.deflate(data)
        #expect(throws: Zlib.Failure.self) { try Array(packed.dropLast(5)).withUnsafeBytes { try Zlib.inflate($0) } }
        #expect(throws: Zlib.Failure.self) { try (packed + [1, 2, 3]).withUnsafeBytes { try Zlib.inflate($0) } }
        #expect(throws: Zlib.Failure.self) { try packed.withUnsafeBytes { try Zlib.inflate($0, limit: 100) } }
        #expect(Zlib.crc32(Array("123456789".utf8)) == 0xCBF43926)
    }

    @Test func objectIdHex() throws {
        let hex = "17ee4649caf90ba71b977c5067615b960e40ae5bfd336e9bb8b2aca70fa98b26"
        let id = try #require(ObjectID(hex: hex))
        #expect(id.hex == hex)
        #expect(id.firstByte == 0x17)
        #expect(ObjectID(hex: hex.uppercased()) == nil, "uppercase hex would change ids: refused")
        #expect(ObjectID(hex: String(hex.prefix(40))) == nil)
    }
}

@Suite struct LooseObjectTests {
    @Test func writeReadVerify() throws {
        let (store, dir) = try temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let body = Array("hello\n".utf8)
        let id = try store.write(.blob, body)
        #expect(try store.read(id).body == body)
        #expect(try store.read(id).kind == .blob)
        let file = store.loose.path(of: id)
        let raw = try FileSystem.readAll(file)
        #expect(raw.prefix(2) == [0x78, 0x01], "zlib stream at level 1, as git writes loose objects")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/tmp").isEmpty, "no temporary file left")

        // Wrong size in the header, wrong content, trailing garbage: all refused by name.
        let damages: [[UInt8]] = [
            Zlib.deflate(Array("blob 7\0hello\n".utf8)),
            Zlib.deflate(Array("blob 6\0jello\n".utf8)),
            raw + [0, 0],
            Zlib.deflate(Array("Blob 6\0hello\n".utf8)),
        ]
        for damage in damages {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
            try Data(damage).write(to: URL(fileURLWithPath: file))
            #expect(throws: StoreError.self) { try store.read(id) }
        }
        #expect(throws: StoreError.missingObject(ObjectHasher.id(of: .blob, body: [1]))) {
            try store.read(ObjectHasher.id(of: .blob, body: [1]))
        }
    }

    /// A large loose object is inflated at the size its header announces; every mismatch between
    /// header and stream is still refused by name, and a header announcing far more than the data
    /// could hold allocates nothing of that size.
    @Test func largeObjectsAreReadAtTheirAnnouncedSize() throws {
        let (store, dir) = try temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var body = [UInt8](repeating: 0, count: 200_000)
        var x: UInt64 = 0x9E3779B97F4A7C15
        for i in body.indices { x = x &* 6364136223846793005 &+ 1442695040888963407; body[i] = UInt8(truncatingIfNeeded: x >> 59) }
        let id = try store.write(.blob, body)
        let file = store.loose.path(of: id)
        #expect(try FileSystem.readAll(file).count >= LooseObjects.sizedReadThreshold, "takes the sized path")
        #expect(try store.read(id).body == body)

        func reason(_ damage: [UInt8]) throws -> String? {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
            try Data(damage).write(to: URL(fileURLWithPath: file))
            do { _ = try store.read(id); return nil } catch let StoreError.corruptObject(_, reason) { return reason }
        }
        let stored = Zlib.deflate(ObjectKind.header(.blob, size: body.count) + body)
        #expect(stored.count >= LooseObjects.sizedReadThreshold)
        #expect(try reason(Zlib.deflate(Array("blob \(body.count + 1)\0".utf8) + body)) == "header says \(body.count + 1) bytes, the object has \(body.count)")
        #expect(try reason(Zlib.deflate(Array("blob \(body.count - 1)\0".utf8) + body)) == "header says \(body.count - 1) bytes, the object has \(body.count)")
        #expect(try reason(Zlib.deflate(Array("blob 999999999999999\0".utf8) + body)) == "header says 999999999999999 bytes, the object has \(body.count)")
        #expect(try reason(Zlib.deflate(Array("blob 0200000\0".utf8) + body)) == "unable to parse header")
        #expect(try reason(stored + [0, 0]) == "garbage after the compressed data")
        #expect(try reason(stored) == nil, "the original bytes read again")
    }

    @Test func largeBlobsStream() throws {
        let (store, dir) = try temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/big.bin"
        var bytes = [UInt8](repeating: 0, count: 3 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let id = try #require(try store.loose.writeBlob(fromFileDescriptor: fd, size: bytes.count, path: path))
        #expect(id == ObjectHasher.id(of: .blob, body: bytes))
        #expect(try store.read(id).body == bytes)
    }
}
