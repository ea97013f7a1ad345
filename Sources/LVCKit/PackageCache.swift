import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The compressed form of every blob that has gone into a deployment package, so that computing
/// a version's CodeSha256 after a one-file change compresses one file, not the whole tree.
///
/// lvc-private (`.lambda/lvc/package-cache/`, which git ignores) and disposable: deleting it only
/// costs time. `data` is an append-only concatenation of raw-deflate (or stored) entry bodies;
/// `index` holds 64-byte records: blob id (32), offset (u64), stored length (u64), size (u64),
/// CRC-32 of the uncompressed bytes (u32), zip method (u16), and a check (u16, the low bits of the
/// CRC-32 of the record's first 62 bytes). Records that fail their check or point past the end of
/// `data` (a write cut short) are ignored. Appends happen under `lock` (O_EXCL); when another
/// process holds it, nothing is added and nothing waits.
final class PackageCache: @unchecked Sendable {
    struct Record {
        var offset: Int
        var length: Int
        var size: Int
        var crc: UInt32
        var method: UInt16
    }

    static let recordSize = 64
    let directory: String
    private let table: RecordTable
    private let data: MappedFile?

    init(directory: String) {
        self.directory = directory
        let data = try? MappedFile(path: directory + "/data")
        var table = RecordTable(capacity: 0)
        if let bytes = try? FileSystem.readIfExists(directory + "/index"), let data {
            table = RecordTable(capacity: bytes.count / PackageCache.recordSize)
            bytes.withUnsafeBytes { raw in
                var at = 0
                while at + PackageCache.recordSize <= raw.count {
                    let record = UnsafeRawBufferPointer(rebasing: raw[at..<(at + PackageCache.recordSize)])
                    at += PackageCache.recordSize
                    let check = UInt16(truncatingIfNeeded: Zlib.crc32(raw: UnsafeRawBufferPointer(rebasing: record[0..<62])))
                    guard record.loadBE16(62) == check else { continue }
                    // A damaged record must be ignored, never trusted into a crash.
                    guard let offset = Int(exactly: record.loadBE64(32)), let length = Int(exactly: record.loadBE64(40)),
                          let size = Int(exactly: record.loadBE64(48)), offset <= data.count, length <= data.count - offset
                    else { continue }
                    let method = record.loadBE16(60)
                    guard method == 0 || method == 8 else { continue }
                    let r = Record(offset: offset, length: length, size: size, crc: record.loadBE32(56), method: method)
                    table.insert(ObjectID(raw: UnsafeRawBufferPointer(rebasing: record[0..<32])), r)
                }
            }
        }
        self.table = table
        self.data = data
    }

    var count: Int { table.count }

    /// The cached entry for a blob: its record and its stored bytes (valid while the cache lives).
    func lookup(_ id: ObjectID) -> (Record, UnsafeRawBufferPointer)? {
        guard let record = table[id], let data else { return nil }
        return (record, data.slice(record.offset..<(record.offset + record.length)))
    }

    /// Blob id → record, open addressing on the id's first 64 bits (already uniformly spread:
    /// ids are SHA-256). Built once per command for every record of the cache (20,000 for a
    /// 20,000-file function), which a `Dictionary` does several times slower.
    struct RecordTable {
        private var slots: [Int32]  // index into ids/records, -1 when empty
        private var ids: [ObjectID] = []
        private var records: [Record] = []
        private let mask: Int

        init(capacity: Int) {
            var size = 16
            while size < capacity * 2 { size <<= 1 }
            slots = [Int32](repeating: -1, count: size)
            mask = size - 1
            ids.reserveCapacity(capacity)
            records.reserveCapacity(capacity)
        }

        var count: Int { ids.count }

        private static func start(_ id: ObjectID, _ mask: Int) -> Int {
            id.withUnsafeBytes { Int(truncatingIfNeeded: $0.loadUnaligned(as: UInt64.self)) } & mask
        }

        /// A later record for the same blob replaces the earlier one (the file is append-only).
        mutating func insert(_ id: ObjectID, _ record: Record) {
            guard ids.count < Int(Int32.max), ids.count * 2 < slots.count else { return }  // never more than half full
            var i = RecordTable.start(id, mask)
            while slots[i] >= 0 {
                if ids[Int(slots[i])] == id { records[Int(slots[i])] = record; return }
                i = (i + 1) & mask
            }
            slots[i] = Int32(ids.count)
            ids.append(id)
            records.append(record)
        }

        subscript(id: ObjectID) -> Record? {
            var i = RecordTable.start(id, mask)
            while slots[i] >= 0 {
                if ids[Int(slots[i])] == id { return records[Int(slots[i])] }
                i = (i + 1) & mask
            }
            return nil
        }
    }

    /// Removes the saved package checkpoints (PackageCheckpoints), which live beside the cache:
    /// called when an entry turned out not to hold its blob, since the digest and hash states
    /// saved last time may have been computed from it.
    func dropCheckpoints() {
        unlink(directory + "/checkpoints")
    }

    /// Appends new entries. Best effort: a cache that cannot be written is simply not extended.
    func append(_ entries: [(ObjectID, DeploymentPackage.CompressedEntry)]) {
        guard !entries.isEmpty else { return }
        try? FileSystem.makeDirectories(directory)
        guard let lock = try? LockFile(for: directory + "/append") else { return }
        defer { lock.rollback() }
        let dataFD = open(directory + "/data", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        defer { if dataFD >= 0 { close(dataFD) } }
        var st = stat()
        guard dataFD >= 0, fstat(dataFD, &st) == 0 else { return }
        var offset = Int(st.st_size)
        lseek(dataFD, off_t(offset), SEEK_SET)
        var index = [UInt8]()
        index.reserveCapacity(entries.count * PackageCache.recordSize)
        for (id, entry) in entries {
            do {
                try entry.forEachStoredPiece { try FileSystem.writeAll(fd: dataFD, $0, path: directory + "/data") }
            } catch {
                return
            }
            index += Record(offset: offset, length: entry.storedCount, size: entry.size, crc: entry.crc, method: entry.method)
                .encoded(for: id)
            offset += entry.storedCount
        }
        // Data first, then the records that point into it.
        PackageCache.appendRecords(index, to: directory + "/index")
    }

    /// Appends encoded records to the `index` file, after dropping a torn record at its end so
    /// that new records stay aligned. Best effort; the caller holds `append.lock` and has written
    /// the data the records point into.
    static func appendRecords(_ records: [UInt8], to indexPath: String) {
        let indexFD = open(indexPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard indexFD >= 0 else { return }
        defer { close(indexFD) }
        var st = stat()
        guard fstat(indexFD, &st) == 0 else { return }
        let indexEnd = Int(st.st_size) / recordSize * recordSize
        guard ftruncate(indexFD, off_t(indexEnd)) == 0 else { return }
        lseek(indexFD, off_t(indexEnd), SEEK_SET)
        _ = records.withUnsafeBytes { try? FileSystem.writeAll(fd: indexFD, $0, path: indexPath) }
    }
}

extension PackageCache.Record {
    /// The record's 64 bytes in `index` for blob `id` (layout above: id, offset, stored length,
    /// size, CRC-32, method, and the check over the first 62 bytes).
    func encoded(for id: ObjectID) -> [UInt8] {
        var record = id.bytes
        record.appendBigEndian(UInt64(offset)); record.appendBigEndian(UInt64(length)); record.appendBigEndian(UInt64(size))
        record.appendBigEndian(crc); record.appendBigEndian(method)
        record.appendBigEndian(UInt16(truncatingIfNeeded: Zlib.crc32(record)))
        return record
    }
}
