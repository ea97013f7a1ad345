import LVCStore

/// The canonical deployment package (.zip) of a code tree: the same tree gives the same bytes on
/// every run and machine with the same zlib. Entries are sorted by path; every timestamp is
/// 1980-01-01 00:00; modes are 0644, 0755 or a symlink (0777 link, target as data); no folder
/// entries, no extra fields; deflate at zlib's default level, or stored when that is not smaller.
/// Written directly (not with ZIPFoundation) so that writing is linear and the bytes are ours.
public struct DeploymentPackage {
    public struct Entry: Sendable {
        public var path: [UInt8]
        public var mode: EntryMode
        public var id: ObjectID
    }

    /// CodeSha256 (base64 of the zip's SHA-256) and CodeSize, as AWS reports them.
    public struct Digest: Sendable, Equatable {
        public var sha256Base64: String
        public var size: Int
    }

    static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1  // 1980-01-01
    static let dosTime: UInt16 = 0
    static let deflateLevel: Int32 = 6

    /// Streams the zip for `entries` into `sink` and returns its digest. Entries come from `cache`
    /// when it has them; the others are read and compressed in parallel batches (and added to
    /// the cache). The bytes are emitted in order.
    /// With `verify`, every blob is read from the store (which checks its hash) even when the
    /// cache has its compressed form, and the cached CRC and size must match it: used when the
    /// bytes leave lvc (`export`). Without it (publish, show) cached entries are trusted.
    ///
    /// Digest only (no `sink`): with `resume`, the entries before its checkpoint are not read or
    /// hashed again (their central-directory records come from the cache) and the hash goes on from
    /// the checkpoint's state; `recorder` collects checkpoints for the next package.
    /// Entries compressed afresh are added to the cache, and a cached entry found not to hold its
    /// blob (`verify`) makes the saved checkpoints go; with `updatesCache` false (`fsck`) the
    /// cache's folder is left as it is.
    static func write(entries: [Entry], objects: ObjectStore, cache: PackageCache? = nil, verify: Bool = false,
                      updatesCache: Bool = true, resume: PackageCheckpoints.Checkpoint? = nil, recorder: CheckpointRecorder? = nil,
                      progress: ProgressHandler? = nil, sink: ((UnsafeRawBufferPointer) throws -> Void)? = nil) throws -> Digest {
        guard entries.count < 0xFFFF else {
            throw LVCError.refused("the package would have \(entries.count) files; lvc writes zips of at most 65,534 files (no zip64)")
        }
        var hasher = ByteHasher()
        var offset = 0
        func emit(_ bytes: UnsafeRawBufferPointer) throws {
            hasher.update(bytes)
            offset += bytes.count
            try sink?(bytes)
        }
        var central = [UInt8]()
        var fresh = [(ObjectID, CompressedEntry)]()
        var damaged = false  // a cached entry did not hold its blob: hashes saved from it are suspect
        let batch = 256
        var start = 0
        if let resume, sink == nil, !verify,
           let prefix = try resumedPrefix(entries: entries, at: resume, objects: objects, cache: cache) {
            hasher = prefix.hasher
            offset = resume.offset
            central = prefix.central
            start = resume.entryIndex
        } else {
            recorder?.startOver()  // hashed from the start: keep only checkpoints taken now
            central.reserveCapacity(centralSize(entries))
        }
        var header = [UInt8]()  // one local header at a time, in the same buffer
        let counter = ProgressCounter(total: entries.count - start, handler: progress)
        while start < entries.count {
            let slice = Array(entries[start..<min(start + batch, entries.count)])
            // Cached entries need no work; the others are read and compressed on all cores.
            var ready = slice.map { verify ? nil : CompressedEntry(cachedFor: $0, in: cache) }
            let missing = ready.indices.filter { ready[$0] == nil }
            if !missing.isEmpty {
                let compressed = ResultSlots<CompressedEntry>(count: missing.count)
                ThreadGroup.forEach(missing.count) { n in
                    compressed.set(n, Result { try CompressedEntry(slice[missing[n]], objects: objects, cache: cache, verify: verify) })
                    counter.tick()
                }
                for (n, i) in missing.enumerated() { ready[i] = try compressed.get(n).get() }
            }
            for (i, entry) in slice.enumerated() {
                let c = ready[i]!
                if c.cacheWasDamaged { damaged = true }
                // Only regular files are cached: a symlink is always stored, so the same bytes as a
                // file (deflated) and as a link (stored) must not share a cache record.
                if !c.fromCache && entry.mode != .symlink { fresh.append((entry.id, c)) }
                guard fits(offset: offset, path: entry.path, storedCount: c.storedCount, size: c.size) else {
                    throw LVCError.refused(tooLarge)
                }
                recorder?.reached(entryIndex: start + i, offset: offset, hasher: hasher)
                let localOffset = offset
                header.removeAll(keepingCapacity: true)
                appendLocalHeader(to: &header, path: entry.path, method: c.method, crc: c.crc, storedCount: c.storedCount, size: c.size)
                try header.withUnsafeBytes { try emit($0) }
                try c.forEachStoredPiece { try emit($0) }
                appendCentralRecord(to: &central, path: entry.path, mode: entry.mode, method: c.method, crc: c.crc,
                                    storedCount: c.storedCount, size: c.size, localOffset: localOffset)
            }
            start += batch
        }
        try finish(central: central, count: entries.count, offset: offset, emit: emit)
        if updatesCache {
            cache?.append(fresh)
            if damaged { cache?.dropCheckpoints() }
        }
        return Digest(sha256Base64: Base64.encode(hasher.finalize()), size: offset)
    }

    /// The hash state and central directory of the first `checkpoint.entryIndex` entries, from
    /// the checkpoint and the cache's records, without reading their bytes; nil when it cannot be
    /// resumed (an entry the cache does not have, or sizes that do not add up to the checkpoint's
    /// offset: then the package is hashed from the start).
    static func resumedPrefix(entries: [Entry], at checkpoint: PackageCheckpoints.Checkpoint, objects: ObjectStore,
                              cache: PackageCache?) throws -> (hasher: ByteHasher, central: [UInt8])? {
        guard checkpoint.entryIndex <= entries.count, let hasher = ByteHasher(savedState: checkpoint.state) else { return nil }
        var central = [UInt8]()
        central.reserveCapacity(centralSize(entries))  // the rest of the package's records follow
        var offset = 0
        for entry in entries[..<checkpoint.entryIndex] {
            let method: UInt16, crc: UInt32, storedCount: Int, size: Int
            if entry.mode == .symlink {
                // Never cached: a link's entry is its target, stored (a few bytes to read).
                let target = try objects.read(entry.id, as: .blob)
                (method, crc, storedCount, size) = (0, Zlib.crc32(target), target.count, target.count)
            } else if let (record, _) = cache?.lookup(entry.id) {
                (method, crc, storedCount, size) = (record.method, record.crc, record.length, record.size)
            } else {
                return nil
            }
            appendCentralRecord(to: &central, path: entry.path, mode: entry.mode, method: method, crc: crc,
                                storedCount: storedCount, size: size, localOffset: offset)
            offset += 30 + entry.path.count + storedCount
        }
        return offset == checkpoint.offset ? (hasher, central) : nil
    }

    /// The general-purpose flags of an entry: bit 11 (UTF-8 name) when the path is not ASCII.
    static func flags(for path: [UInt8]) -> UInt16 { path.contains(where: { $0 >= 0x80 }) ? 0x0800 : 0 }

    /// An entry's local file header (Format.md §13.3).
    static func localHeader(path: [UInt8], method: UInt16, crc: UInt32, storedCount: Int, size: Int) -> [UInt8] {
        var local = [UInt8]()
        local.reserveCapacity(30 + path.count)
        appendLocalHeader(to: &local, path: path, method: method, crc: crc, storedCount: storedCount, size: size)
        return local
    }

    static func appendLocalHeader(to local: inout [UInt8], path: [UInt8], method: UInt16, crc: UInt32, storedCount: Int, size: Int) {
        ZipRecord.append(to: &local, count: 30) { r in
            r.u32(0, 0x04034b50)
            r.u16(4, 20); r.u16(6, flags(for: path)); r.u16(8, method)
            r.u16(10, dosTime); r.u16(12, dosDate)
            r.u32(14, crc); r.u32(18, UInt32(storedCount)); r.u32(22, UInt32(size))
            r.u16(26, UInt16(path.count)); r.u16(28, 0)
        }
        local.append(contentsOf: path)
    }

    /// The size of the central directory of `entries`, to reserve it at once (1.6 MB for 20,000
    /// files: growing it step by step copies it again and again).
    static func centralSize(_ entries: [Entry]) -> Int {
        entries.reduce(0) { $0 + 46 + $1.path.count }
    }

    /// Appends an entry's central directory record (Format.md §13.3).
    static func appendCentralRecord(to central: inout [UInt8], path: [UInt8], mode: EntryMode, method: UInt16, crc: UInt32,
                                    storedCount: Int, size: Int, localOffset: Int) {
        let unixMode: UInt32 = mode == .symlink ? 0o120777 : (mode == .executable ? 0o100755 : 0o100644)
        ZipRecord.append(to: &central, count: 46) { r in
            r.u32(0, 0x02014b50)
            r.u16(4, 0x031E)  // made by: Unix, zip 3.0
            r.u16(6, 20); r.u16(8, flags(for: path)); r.u16(10, method)
            r.u16(12, dosTime); r.u16(14, dosDate)
            r.u32(16, crc); r.u32(20, UInt32(storedCount)); r.u32(24, UInt32(size))
            r.u16(28, UInt16(path.count)); r.u16(30, 0); r.u16(32, 0)  // name, extra, comment lengths
            r.u16(34, 0); r.u16(36, 0)  // disk, internal attributes
            r.u32(38, unixMode << 16)
            r.u32(42, UInt32(localOffset))
        }
        central.append(contentsOf: path)
    }

    /// Whether an entry of `storedCount` bytes whose local header starts at `offset` still ends
    /// below 4 GiB (no zip64).
    static func fits(offset: Int, path: [UInt8], storedCount: Int, size: Int) -> Bool {
        offset + storedCount + 30 + path.count < Int(UInt32.max) && size < Int(UInt32.max)
    }

    static let tooLarge = "the package would exceed 4 GiB, which needs zip64 (lvc does not write it; Lambda's limit is 250 MB unzipped)"

    /// Emits the central directory (starting at `offset`) and the end record.
    static func finish(central: [UInt8], count: Int, offset: Int, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard offset + central.count < Int(UInt32.max) else {
            throw LVCError.refused("the package would exceed 4 GiB, which needs zip64 (lvc does not write it)")
        }
        try central.withUnsafeBytes { try emit($0) }
        var end = [UInt8]()
        ZipRecord.append(to: &end, count: 22) { r in
            r.u32(0, 0x06054b50)
            r.u16(4, 0); r.u16(6, 0)  // this disk, the disk where the central directory starts
            r.u16(8, UInt16(count)); r.u16(10, UInt16(count))
            r.u32(12, UInt32(central.count)); r.u32(16, UInt32(offset))
            r.u16(20, 0)  // comment length
        }
        try end.withUnsafeBytes { try emit($0) }
    }
}
