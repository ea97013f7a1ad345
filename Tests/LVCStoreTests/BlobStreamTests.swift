import Foundation
import Testing
@testable import LVCStore

/// `ObjectStore.streamBlob` hands over the same bytes as `read`, from loose objects and packs,
/// large and small, and refuses a damaged large object by name once its end is reached.
@Suite struct BlobStreamTests {
    /// Bytes that zlib cannot shrink much, so that the loose file is over the threshold too.
    func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// Text like source code: 500 words of many different characters, repeated in random order.
    /// zlib level 1 starts it with Huffman tables longer than 64 bytes.
    func sourceLikeText(_ count: Int, seed: UInt64) -> [UInt8] {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_()[]{}.,:;=+-*/#\"' ".utf8)
        var random = noise(count * 2, seed: seed).makeIterator()
        func next() -> Int { Int(random.next()!) }
        let words = (0..<500).map { _ in (0..<(2 + next() % 11)).map { _ in alphabet[next() % alphabet.count] } }
        var text = [UInt8]()
        while text.count < count { text += words[(next() << 8 | next()) % words.count] + [32] }
        return Array(text.prefix(count))
    }

    func streamed(_ store: ObjectStore, _ id: ObjectID) throws -> (bytes: [UInt8], pieces: Int) {
        var bytes = [UInt8](), pieces = 0
        let size = try store.streamBlob(id) { bytes += $0; pieces += 1 }
        #expect(size == bytes.count)
        return (bytes, pieces)
    }

    @Test func looseAndPackedBlobsStreamAsTheyRead() throws {
        let (store, dir) = try temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let large = noise(ObjectStore.streamingThreshold + 123_457, seed: 1)
        let small = Array("exports.handler = 1\n".utf8)
        let looseLarge = try store.write(.blob, large)
        let looseSmall = try store.write(.blob, small)
        // Large, but a small loose file (zeros deflate 1000:1): its header says it is large.
        let zeros = [UInt8](repeating: 0, count: ObjectStore.streamingThreshold + 1)
        let looseZeros = try store.write(.blob, zeros)
        // A megabyte of source-like text (a loose file over 4 KB, so it could hold a large object):
        // its header, after level 1's Huffman tables, says small, so it is read whole, in one piece.
        // (With a 64-byte peek the header was not reached and such files were streamed.)
        let medium = sourceLikeText(1 << 20, seed: 4)
        let looseMedium = try store.write(.blob, medium)
        // A pack, as a first `lvc add` writes one, with a large and a small blob.
        let packedLarge = noise(ObjectStore.streamingThreshold * 2, seed: 2)
        let packedSmall = Array("packed\n".utf8)
        let writer = try store.packWriter(expectedCount: 2)
        for body in [packedLarge, packedSmall] {
            try store.write(.blob, body, id: ObjectHasher.id(of: .blob, body: body), into: writer)
        }
        _ = try writer.finish()
        for (id, body, streamedInPieces) in [(looseLarge, large, true), (looseSmall, small, false), (looseZeros, zeros, true), (looseMedium, medium, false),
                                             (ObjectHasher.id(of: .blob, body: packedLarge), packedLarge, true),
                                             (ObjectHasher.id(of: .blob, body: packedSmall), packedSmall, false)] {
            let (bytes, pieces) = try streamed(store, id)
            #expect(bytes == body)
            #expect(try store.read(id, as: .blob) == body)
            // Large ones arrive in many pieces (about 256 KiB each); small ones whole.
            #expect(streamedInPieces ? pieces > 8 : pieces == 1, "\(pieces) pieces")
        }
        #expect(throws: StoreError.missingObject(ObjectHasher.id(of: .blob, body: [1]))) {
            try store.streamBlob(ObjectHasher.id(of: .blob, body: [1])) { _ in }
        }
    }

    @Test func damagedLargeLooseBlobsAreRefusedByName() throws {
        let (store, dir) = try temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let body = noise(ObjectStore.streamingThreshold + 1000, seed: 3)
        let id = try store.write(.blob, body)
        let file = store.loose.path(of: id)
        var other = body
        other[body.count / 2] ^= 1
        let header = Array("blob \(body.count)\0".utf8)
        let damages: [(bytes: [UInt8], reason: String)] = [
            (Zlib.deflate(header + other), "hash mismatch"),  // one bit of the content
            (Zlib.deflate(header + body.dropLast()), "header says"),  // shorter than announced
            (Zlib.deflate(Array("blob \(body.count - 1)\0".utf8) + body), "header says"),  // longer
            (Array(Zlib.deflate(header + body).dropLast(1000)), "truncated"),
            (Zlib.deflate(Array("tree \(body.count)\0".utf8) + body), "is a tree"),
        ]
        for damage in damages {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
            try Data(damage.bytes).write(to: URL(fileURLWithPath: file))
            do {
                try store.streamBlob(id) { _ in }
                Issue.record("a damaged object was streamed without an error (\(damage.reason))")
            } catch let error as StoreError {
                #expect("\(error)".contains(id.hex), "\(error)")
                #expect("\(error)".contains(damage.reason), "\(error)")
            }
        }
    }
}
