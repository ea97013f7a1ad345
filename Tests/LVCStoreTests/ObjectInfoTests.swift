import Foundation
import Testing
@testable import LVCStore

/// `ObjectStore.info` gives the kind and size that a whole read gives, from the header alone, and
/// a damaged or missing object fails as `read` fails. (Deltas: GitInteropTests.lsSizesMatchGitLsTree.)
@Suite struct ObjectInfoTests {
    @Test func headersGiveWhatAWholeReadGives() throws {
        let (store, dir) = try temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let streams = BlobStreamTests()
        let loose: [(ObjectKind, [UInt8])] = [
            (.blob, []),
            (.blob, Array("exports.handler = 1\n".utf8)),
            (.blob, streams.sourceLikeText(1 << 20, seed: 7)),  // Huffman tables before the header's bytes
            (.blob, [UInt8](repeating: 0, count: ObjectStore.streamingThreshold + 1)),
            (.blob, streams.noise(ObjectStore.streamingThreshold + 5, seed: 8)),
            (.tree, Tree(entries: [.init(name: Array("a".utf8), mode: .file, id: ObjectHasher.id(of: .blob, body: []))]).encode()),
        ]
        var expected = [(ObjectID, ObjectInfo)]()
        for (kind, body) in loose {
            expected.append((try store.write(kind, body), ObjectInfo(kind: kind, size: body.count)))
        }
        let writer = try store.packWriter(expectedCount: 2)
        for body in [streams.noise(300_000, seed: 9), Array("packed\n".utf8)] {
            let id = ObjectHasher.id(of: .blob, body: body)
            try store.write(.blob, body, id: id, into: writer)
            expected.append((id, ObjectInfo(kind: .blob, size: body.count)))
        }
        _ = try writer.finish()
        for (id, info) in expected {
            #expect(try store.info(id) == info)
            let object = try store.read(id)
            #expect(ObjectInfo(kind: object.kind, size: object.body.count) == info)
        }
    }

    @Test func damagedAndMissingObjectsFailAsReadFails() throws {
        let (store, dir) = try temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let id = try store.write(.blob, Array("hello\n".utf8))
        let file = store.loose.path(of: id)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        for damage in [Array("not zlib at all".utf8), Zlib.deflate(Array("blob hello".utf8)), []] {
            try Data(damage).write(to: URL(fileURLWithPath: file))
            #expect(throws: StoreError.self) { try store.read(id) }
            do {
                _ = try store.info(id)
                Issue.record("a damaged header gave a size")
            } catch let error as StoreError {
                #expect("\(error)".contains(id.hex), "\(error)")
            }
        }
        let absent = ObjectHasher.id(of: .blob, body: [1])
        #expect(throws: StoreError.missingObject(absent)) { try store.info(absent) }
    }
}
