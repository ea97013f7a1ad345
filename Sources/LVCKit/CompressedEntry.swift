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

        var storedCount: Int { mapped?.count ?? owned.count }

        func withStoredBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
            if let mapped { return try body(mapped) }
            return try owned.withUnsafeBytes(body)
        }

        /// The cached form of `entry`, trusted as it is (nil when the cache does not have it).
        init?(cachedFor entry: Entry, in cache: PackageCache?) {
            guard entry.mode != .symlink, let (record, bytes) = cache?.lookup(entry.id) else { return nil }
            method = record.method; crc = record.crc; size = record.size
            mapped = bytes
            fromCache = true
        }

        init(_ entry: Entry, objects: ObjectStore, cache: PackageCache?, verify: Bool) throws {
            let cached = entry.mode == .symlink ? nil : cache?.lookup(entry.id)
            if let (record, bytes) = cached, !verify {
                method = record.method; crc = record.crc; size = record.size
                mapped = bytes
                fromCache = true
                return
            }
            let body = try LVCError.wrap("read \(String(decoding: entry.path, as: UTF8.self)) for the package") {
                try objects.read(entry.id, as: .blob)
            }
            size = body.count
            crc = Zlib.crc32(body)
            if let (record, bytes) = cached, record.crc == crc, record.size == size,
               CompressedEntry.holds(bytes, method: record.method, body) {
                method = record.method
                mapped = bytes
                fromCache = true
                return
            }
            cacheWasDamaged = cached != nil
            guard size > 0, entry.mode != .symlink else { method = 0; owned = body; return }
            let deflated = Zlib.deflate(body, level: DeploymentPackage.deflateLevel, format: .raw)
            if deflated.count < body.count { method = 8; owned = deflated } else { method = 0; owned = body }
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
