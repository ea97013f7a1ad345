import Testing
@testable import LVCKit
@testable import LVCStore

/// Damaged bytes given to lvc's decoders, the store's and the Lambda model's: each returns a
/// value, nil or an error, never traps ("a corrupted object gives an error naming it, never a
/// crash"). The
/// inputs are valid encodings with random damage (flipped, inserted and removed bytes, cuts),
/// from a fixed seed so that a failure can be replayed.
@Suite struct DecoderFuzzTests {
    /// xorshift64*, enough to pick damage.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 2685821657736338717
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static func damaged(_ bytes: [UInt8], _ random: inout Random) -> [UInt8] {
        var out = bytes
        for _ in 0...random.below(4) {
            switch random.below(5) {
            case 0 where !out.isEmpty: out[random.below(out.count)] ^= UInt8(1 << random.below(8))
            case 1 where !out.isEmpty: out[random.below(out.count)] = [0, 0x0A, 0x20, 0x3C, 0x3E, 0x2F, 0xFF][random.below(7)]
            case 2: out.insert(UInt8(truncatingIfNeeded: random.next()), at: random.below(out.count + 1))
            case 3 where !out.isEmpty: out.remove(at: random.below(out.count))
            default: out = Array(out.prefix(random.below(out.count + 1)))
            }
        }
        return out
    }

    static func samples() -> (commit: [UInt8], tree: [UInt8], index: [UInt8]) {
        let id = ObjectHasher.id(of: .blob, body: Array("x".utf8))
        let sig = Signature(name: "A U Thor", email: "a@example.invalid", time: 1700000000, offsetMinutes: 90)
        let commit = Commit(tree: id, parents: [id, id], author: sig, committer: sig,
                            message: "Publish version 2\n\nLambda-Version: 2\nLambda-Code-Sha256: abc=\n")
        let tree = Tree(entries: [
            TreeEntry(name: Array("index.js".utf8), mode: .file, id: id),
            TreeEntry(name: Array("lib".utf8), mode: .directory, id: id),
            TreeEntry(name: Array("run".utf8), mode: .executable, id: id),
            TreeEntry(name: Array("link".utf8), mode: .symlink, id: id),
        ])
        let index = Index(entries: [
            IndexEntry(path: Array("code/index.js".utf8), id: id, mode: .file),
            IndexEntry(path: Array("code/lib/a.js".utf8), id: id, mode: .executable),
            IndexEntry(path: Array("function.json".utf8), id: id, mode: .file),
        ])
        return (commit.encode(), tree.encode(), index.encode())
    }

    @Test func damagedCommitsTreesAndIndexesAreErrorsOrValues() {
        let (commit, tree, index) = DecoderFuzzTests.samples()
        var random = Random(state: 0x5EED_2026_1127)
        for _ in 0..<20_000 {
            _ = try? Commit.decode(DecoderFuzzTests.damaged(commit, &random))
            _ = try? Tree.decode(DecoderFuzzTests.damaged(tree, &random))
            // With the checksum ignored, so that the damage reaches the entries.
            _ = try? Index.decode(DecoderFuzzTests.damaged(index, &random), checksumVerified: true)
            _ = try? ObjectKind.parseHeader(DecoderFuzzTests.damaged(Array("blob 12\0".utf8), &random))
        }
        // The undamaged samples still decode: the loop above tested the decoders, not garbage.
        #expect(throws: Never.self) { try Commit.decode(commit) }
        #expect(throws: Never.self) { try Tree.decode(tree) }
        #expect(throws: Never.self) { try Index.decode(index) }
    }

    @Test func damagedRecordsAndConfigurationsAreErrorsOrValues() throws {
        var configuration = FunctionConfiguration()
        for (key, value) in [("runtime", "python3.12"), ("handler", "app.handler"), ("env.GREETING", "hello \"world\"\n\u{1F600}"),
                             ("layers", "arn:aws:lambda:us-east-1:123456789012:layer:deps:3")] {
            try configuration.set(key, to: value)
        }
        let json = configuration.encoded
        let alias = Array("name PROD\nversion 3\nrouting 2=0.1\nrevision-id 26642a48-8739-4b63-9574-62768f40cdd1\ndescription a\\nb\n".utf8)
        let trigger = Array("id s3-upload\nsource arn:aws:s3:::bucket\ntype s3\nqualifier PROD\n".utf8)
        var random = Random(state: 0x1A4B_DA00_0010)
        for _ in 0..<20_000 {
            _ = try? FunctionConfiguration.decode(DecoderFuzzTests.damaged(json, &random))
            _ = try? JSONParser.parse(DecoderFuzzTests.damaged(json, &random))
            _ = Alias.decode(DecoderFuzzTests.damaged(alias, &random))
            _ = Trigger.decode(DecoderFuzzTests.damaged(trigger, &random))
            _ = KeyValueRecord.parse(DecoderFuzzTests.damaged(alias, &random))
        }
        #expect(try FunctionConfiguration.decode(json) == configuration)
        #expect(Alias.decode(alias)?.name == "PROD")
        #expect(Trigger.decode(trigger)?.id == "s3-upload")
    }

    /// `.lambdaignore` is the user's text: any pattern, matched against any path, is an answer.
    @Test func anyIgnorePatternMatchesWithoutTrapping() {
        let patterns = Array("*.log\n!keep.log\nbuild/\n/dist\n**/tmp/**\n[a-c]?.py\n[!x]\\*\n# c\n".utf8)
        let paths: [[UInt8]] = ["a.log", "keep.log", "src/build/x", "dist", "x/tmp/y/z", "b1.py", "y*", "[", "\\", "a/**/b"]
            .map { Array($0.utf8) }
        var random = Random(state: 0x16_0E_2026)
        for _ in 0..<5_000 {
            let rules = IgnoreRules(text: String(decoding: DecoderFuzzTests.damaged(patterns, &random), as: UTF8.self))
            for path in paths {
                _ = rules.isIgnored(DecoderFuzzTests.damaged(path, &random), isDirectory: random.below(2) == 0)
            }
        }
        let rules = IgnoreRules(text: String(decoding: patterns, as: UTF8.self))
        #expect(rules.isIgnored(Array("a.log".utf8), isDirectory: false))
        #expect(!rules.isIgnored(Array("keep.log".utf8), isDirectory: false))
    }
}
