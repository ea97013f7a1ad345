import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DeploymentPackage {
    /// One entry's stored bytes (raw deflate, or the file itself) with its CRC and sizes.
    struct CompressedEntry: @unchecked Sendable {
        var method: UInt16
        var crc: UInt32
        var size: Int
        var fromCache = false
        /// The cache had an entry for the blob that does not hold it (verify mode only).
        var cacheWasDamaged = false
        private var owned: [UInt8] = []
        private var mapped: UnsafeRawBufferPointer?
        /// The deflated bytes of a large blob, kept in a temporary file (SpillBuffer).
        private var spilled: MappedFile?
        /// A large blob stored as it is (deflate did not make it smaller): its bytes are streamed
        /// from the store again when they are emitted, rather than held.
        private var restreamed: (objects: ObjectStore, id: ObjectID)?

        var storedCount: Int { mapped?.count ?? spilled?.count ?? (restreamed != nil ? size : owned.count) }

        /// Hands the entry's stored bytes to `body`, in one piece or (a large stored blob, read
        /// again and verified) in several.
        func forEachStoredPiece(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
            // Mapped bytes (the cache's, or a spilled entry's) go in pieces, each let go once used.
            if let mapped { return try MappedFile.forEachPiece(of: mapped, body) }
            if let spilled { return try MappedFile.forEachPiece(of: spilled.bytes, body) }
            if let restreamed {
                let count = try restreamed.objects.streamBlob(restreamed.id, into: body)
                guard count == size else { throw StoreError.corruptObject(restreamed.id, reason: "its size changed while it was packaged") }
                return
            }
            try owned.withUnsafeBytes(body)
        }

        /// The cached form of `entry`, trusted as it is (nil when the cache does not have it).
        init?(cachedFor entry: Entry, in cache: PackageCache?) {
            guard entry.mode != .symlink, let (record, bytes) = cache?.lookup(entry.id) else { return nil }
            method = record.method; crc = record.crc; size = record.size
            mapped = bytes
            fromCache = true
        }

        /// The entry of `entry`'s blob: from the cache as it is (unless `verify`), or from the blob.
        /// A small blob is read whole; a large one (decision 0017) is streamed in one pass that
        /// takes its CRC and size and, when no cached entry can serve, deflates it into a
        /// `SpillBuffer`. With `verify`, a cached entry serves only if it holds the blob (exact
        /// bytes for a small blob; size and CRC-32 of its inflated bytes for a large one).
        init(_ entry: Entry, objects: ObjectStore, cache: PackageCache?, verify: Bool) throws {
            let cached = entry.mode == .symlink ? nil : cache?.lookup(entry.id)
            if let (record, bytes) = cached, !verify {
                method = record.method; crc = record.crc; size = record.size
                mapped = bytes
                fromCache = true
                return
            }
            let name = String(decoding: entry.path, as: UTF8.self)
            // Used only when the blob is streamed (made at its first piece).
            var deflater: Zlib.Deflater?
            let deflated = SpillBuffer(limit: CompressedEntry.heldWhole, directory: objects.loose.temporaryDirectory)
            var streamedCRC: UInt32 = 0
            let read = try LVCError.wrap("read \(name) for the package") {
                try objects.readBlob(entry.id) { piece in
                    streamedCRC = Zlib.crc32(raw: piece, seed: streamedCRC)
                    guard cached == nil else { return }
                    if deflater == nil { deflater = Zlib.Deflater(level: DeploymentPackage.deflateLevel, format: .raw) }
                    try deflater!.update(piece) { try deflated.append($0) }
                }
            }
            let body: [UInt8]?
            switch read {
            case .whole(let bytes): (body, size, crc) = (bytes, bytes.count, Zlib.crc32(bytes))
            case .streamed(let count): (body, size, crc) = (nil, count, streamedCRC)
            }
            if let (record, bytes) = cached, CompressedEntry.holds(bytes, record, size: size, crc: crc, body: body) {
                method = record.method; mapped = bytes; fromCache = true
                return
            }
            cacheWasDamaged = cached != nil
            if let body {
                guard size > 0, entry.mode != .symlink else { method = 0; owned = body; return }
                let compressed = Zlib.deflate(body, level: DeploymentPackage.deflateLevel, format: .raw)
                if compressed.count < body.count { method = 8; owned = compressed } else { method = 0; owned = body }
                return
            }
            if entry.mode == .symlink { method = 0; restreamed = (objects, entry.id); return }
            if let deflater {
                try deflater.finish { try deflated.append($0) }
            } else {
                // A damaged cached entry: compressed in a second pass.
                let again = Zlib.Deflater(level: DeploymentPackage.deflateLevel, format: .raw)
                _ = try LVCError.wrap("read \(name) for the package") {
                    try objects.streamBlob(entry.id) { piece in try again.update(piece) { try deflated.append($0) } }
                }
                try again.finish { try deflated.append($0) }
            }
            guard deflated.count < size else { method = 0; restreamed = (objects, entry.id); return }
            method = 8
            switch try deflated.contents() {
            case .memory(let bytes): owned = bytes
            case .mapped(let file): spilled = file
            }
        }

        /// Blobs up to this size are held whole while they are packaged; larger ones are streamed.
        static let heldWhole = ObjectStore.streamingThreshold

        /// Whether a cached entry (`record`, its stored bytes) holds the blob of `size` bytes with
        /// CRC-32 `crc`: the record's size and CRC, then the bytes, exactly when the blob is held
        /// (`body`), else by their inflated size and CRC-32 (a large blob, which is streamed).
        static func holds(_ stored: UnsafeRawBufferPointer, _ record: PackageCache.Record, size: Int, crc: UInt32,
                          body: [UInt8]?) -> Bool {
            guard record.size == size, record.crc == crc else { return false }
            if let body { return holds(stored, method: record.method, body) }
            return inflates(stored, method: record.method, size: size, crc: crc)
        }

        /// Whether a cached entry's stored bytes inflate (method 8) or are (method 0) `size` bytes
        /// with CRC-32 `crc`, without holding them: the check of a large blob's cached entry.
        static func inflates(_ stored: UnsafeRawBufferPointer, method: UInt16, size: Int, crc: UInt32) -> Bool {
            var actual: UInt32 = 0
            guard method == 8 else {
                guard method == 0, stored.count == size else { return false }
                MappedFile.forEachPiece(of: stored) { actual = Zlib.crc32(raw: $0, seed: actual) }
                return actual == crc
            }
            guard let inflater = try? Zlib.Inflater(format: .raw) else { return false }
            var count = 0, consumed = 0
            do {
                try MappedFile.forEachPiece(of: stored) { piece in
                    consumed += try inflater.update(piece) { out in
                        count += out.count
                        actual = Zlib.crc32(raw: out, seed: actual)
                    }
                }
            } catch {
                return false
            }
            return inflater.ended && consumed == stored.count && count == size && actual == crc
        }

        /// Whether a cached entry's stored bytes (`method` 0: the file itself, 8: raw deflate) are
        /// exactly `body`. Large entries are inflated in chunks and compared as they come, so that
        /// verifying a 30 MB library does not hold a second 30 MB copy of it.
        static func holds(_ stored: UnsafeRawBufferPointer, method: UInt16, _ body: [UInt8]) -> Bool {
            body.withUnsafeBytes { expected in
                guard method == 8 else { return method == 0 && stored.elementsEqual(expected) }
                guard expected.count >= streamedComparison else {
                    return (try? Zlib.inflate(stored, format: .raw, expectedSize: expected.count, limit: expected.count))
                        .map { $0.elementsEqual(expected) } ?? false
                }
                struct Differs: Error {}
                guard let inflater = try? Zlib.Inflater(format: .raw) else { return false }
                var at = 0
                do {
                    let consumed = try inflater.update(stored) { chunk in
                        guard at + chunk.count <= expected.count,
                              memcmp(chunk.baseAddress!, expected.baseAddress! + at, chunk.count) == 0 else { throw Differs() }
                        at += chunk.count
                    }
                    return inflater.ended && consumed == stored.count && at == expected.count
                } catch {
                    return false
                }
            }
        }

        /// From this size on, `holds` compares while inflating instead of inflating whole.
        static let streamedComparison = 1 << 20
    }
}
