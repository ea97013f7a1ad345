import Foundation
import Testing
@testable import LVCStore

/// The streaming inflater and the pending blobs that `lvc import` writes.
@Suite struct StreamingZlibTests {
    /// Text that deflates well, long enough for several output pieces.
    static let text: [UInt8] = Array((0..<40_000).map { "line \($0 % 700) of some text\n" }.joined().utf8)

    @Test func inflaterGivesTheSameBytesWhateverThePieces() throws {
        let compressed = Zlib.deflate(StreamingZlibTests.text, level: 6, format: .raw)
        for piece in [1, 7, 4096, compressed.count] {
            let inflater = try Zlib.Inflater(format: .raw)
            var out = [UInt8]()
            var at = 0
            while at < compressed.count {
                let end = min(at + piece, compressed.count)
                let used = try compressed[at..<end].withUnsafeBytes { try inflater.update($0) { out.append(contentsOf: $0) } }
                #expect(used == end - at)
                at = end
            }
            #expect(inflater.ended)
            #expect(out == StreamingZlibTests.text, "pieces of \(piece)")
        }
    }

    /// The canonical zip depends on this: a blob deflated as it streams in, in pieces of any size
    /// (packaging a large file, `lvc import`), gives the bytes it gives deflated in one call.
    @Test func deflaterGivesTheSameBytesWhateverThePieces() {
        var noise = [UInt8](), state: UInt64 = 7
        for _ in 0..<300_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            noise.append(UInt8(truncatingIfNeeded: state >> 59))  // few distinct bytes: matches and literals
        }
        for input in [StreamingZlibTests.text, noise] {
            let whole = Zlib.deflate(input, level: 6, format: .raw)
            for piece in [1, 977, 65_536, 262_144] {
                let deflater = Zlib.Deflater(level: 6, format: .raw)
                var out = [UInt8]()
                var at = 0
                while at < input.count {
                    let end = min(at + piece, input.count)
                    input[at..<end].withUnsafeBytes { deflater.update($0) { out.append(contentsOf: $0) } }
                    at = end
                }
                deflater.finish { out.append(contentsOf: $0) }
                #expect(out == whole, "pieces of \(piece)")
            }
        }
    }

    /// Objects are deflated in one call with a window sized to them (Format.md §4.1): at and
    /// around every size where the window changes, the stream inflates back to the input, says its
    /// window in its header, and is no larger than with zlib's default window and tables.
    @Test func objectsAreDeflatedWithAWindowSizedToThem() throws {
        var sizes = [0, 1, 100, 1 << 20]
        for bits in 9...15 { sizes += [(1 << bits) - 263, (1 << bits) - 262, (1 << bits) - 261] }
        var state: UInt64 = 11
        for size in sizes where size >= 0 {
            // Half text (matches far back), half noise (none), so both kinds of block are made.
            let body: [UInt8] = (0..<size).map { i in
                if i % 2048 < 1024 { return StreamingZlibTests.text[i % StreamingZlibTests.text.count] }
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 33)
            }
            let compressed = Zlib.deflate(body, level: 1)
            let expected = Zlib.windowParameters(forSize: size)
            #expect(expected.bits == max(9, min(15, Int32((size + 262 - 1).bitWidth - (size + 262 - 1).leadingZeroBitCount))))
            #expect(Int32(compressed[0] >> 4) + 8 == expected.bits, "CINFO for \(size) bytes")
            let back = try compressed.withUnsafeBytes { try Zlib.inflate($0, expectedSize: size) }
            #expect(back == body, "\(size) bytes")
            let defaults = Zlib.Deflater(level: 1)
            var reference = [UInt8]()
            body.withUnsafeBytes { defaults.update($0) { reference.append(contentsOf: $0) } }
            defaults.finish { reference.append(contentsOf: $0) }
            #expect(compressed.count <= reference.count + 16, "\(size) bytes: \(compressed.count) against \(reference.count)")
        }
    }

    @Test func inflaterStopsAtTheStreamsEndAndReportsWhatItUsed() throws {
        let compressed = Zlib.deflate(Array("hello".utf8), level: 6, format: .raw) + [1, 2, 3]
        let inflater = try Zlib.Inflater(format: .raw)
        var out = [UInt8]()
        let used = try compressed.withUnsafeBytes { try inflater.update($0) { out.append(contentsOf: $0) } }
        #expect(inflater.ended && used == compressed.count - 3 && out == Array("hello".utf8))
        // Reset: the same inflater reads the next stream.
        inflater.reset()
        #expect(!inflater.ended)
        let again = Zlib.deflate(Array("again".utf8), level: 1, format: .raw)
        out = []
        try again.withUnsafeBytes { _ = try inflater.update($0) { out.append(contentsOf: $0) } }
        #expect(out == Array("again".utf8))
    }

    @Test func inflaterRefusesCorruptStreams() throws {
        let inflater = try Zlib.Inflater(format: .raw)
        #expect(throws: Zlib.Failure.self) {
            try [UInt8]([0xFF, 0xFF, 0xFF]).withUnsafeBytes { _ = try inflater.update($0) { _ in } }
        }
        // A truncated stream is not an error for the inflater: it has not ended.
        let truncated = Array(Zlib.deflate(StreamingZlibTests.text, level: 6, format: .raw).prefix(100))
        let second = try Zlib.Inflater(format: .raw)
        try truncated.withUnsafeBytes { _ = try second.update($0) { _ in } }
        #expect(!second.ended)
    }

    /// A pending blob is an ordinary loose object once installed, and carries the canonical raw
    /// deflate stream of its content at `deflateOffset`.
    @Test func pendingBlobsAreLooseObjectsHoldingTheRawStream() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-pending-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("objects"), withIntermediateDirectories: true)
        let store = LooseObjects(directory: dir.appendingPathComponent("objects").path, temporaryDirectory: dir.appendingPathComponent("tmp").path)
        for content in [[], Array("x".utf8), StreamingZlibTests.text] {
            let pending = try PendingBlob(in: store, size: content.count)
            let deflater = Zlib.Deflater(level: 6, format: .raw)
            try content.withUnsafeBytes { body in
                pending.addBody(body)
                try deflater.update(body) { try pending.addDeflated($0) }
            }
            try deflater.finish { try pending.addDeflated($0) }
            try pending.finish()
            let raw = Zlib.deflate(content, level: 6, format: .raw)
            let file = try FileSystem.readAll(pending.path)
            #expect(Array(file[pending.deflateOffset..<(pending.deflateOffset + pending.deflatedCount)]) == raw)
            let id = ObjectHasher.id(of: .blob, body: content)
            try store.install(pending, as: id)
            #expect(try store.read(id)?.body == content)
            #expect(!FileManager.default.fileExists(atPath: pending.path))
        }
        // A discarded pending blob leaves nothing behind.
        let dropped = try PendingBlob(in: store, size: 3)
        dropped.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("tmp").path).isEmpty)
    }
}
