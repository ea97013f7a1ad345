import LVCStore

/// The canonical deployment package (.zip) of a code tree: the same tree gives the same bytes on
/// every run and machine with the same zlib. The central directory lists the entries by path, their
/// data is laid out as `Layout` says; every timestamp is 1980-01-01 00:00; modes are 0644, 0755 or
/// a symlink (0777 link, target as data); no folder entries, no extra fields; deflate at zlib's
/// default level, or stored when that is not smaller.
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

    /// How the entries' data is laid out in the zip (Format.md §13.1). In every layout the central
    /// directory lists the entries in path order, which is the order `unzip -l` and every reader
    /// that goes by the directory show.
    public enum Layout: Int, Sendable {
        /// Every entry's data in path order: versions published before layout 2 (their commits
        /// have no `Lambda-Package-Layout` trailer).
        case pathOrder = 1
        /// The data of files of `largeFileSize` bytes or more first, then the others, each group in
        /// path order: editing a small file rehashes only the small files after it (decision 0026).
        case largeFirst = 2

        /// The layout of every package lvc computes for `$LATEST` and records in new versions.
        public static let current = Layout.largeFirst
        public static let largeFileSize = 16 * 1024
    }

    /// Where an entry went, for its central-directory record (written after every entry's data).
    struct Placed {
        var method: UInt16 = 0
        var crc: UInt32 = 0
        var storedCount = 0
        var size = 0
        var localOffset = 0
    }

    /// Streams the zip for `entries` (sorted by path) into `sink` and returns its digest. Entries
    /// come from `cache` when it has them; the others are read and compressed in parallel batches
    /// (and added to the cache). The bytes are emitted in order.
    /// With `verify`, every blob is read from the store (which checks its hash) even when the
    /// cache has its compressed form, and the cached CRC and size must match it: used when the
    /// bytes leave lvc (`export`). Without it (publish, show) cached entries are trusted.
    ///
    /// Digest only (no `sink`): of `checkpoints` (saved from the last package), those whose list
    /// of entries before them is this package's too are kept; the entries before the last of them
    /// are not read or hashed again (their central-directory records come from the cache) and the
    /// hash goes on from its state. `recorder` collects checkpoints for the next package.
    /// Entries compressed afresh are added to the cache, and a cached entry found not to hold its
    /// blob (`verify`) makes the saved checkpoints go; with `updatesCache` false (`fsck`) the
    /// cache's folder is left as it is.
    static func write(entries: [Entry], layout: Layout, objects: ObjectStore, cache: PackageCache? = nil,
                      verify: Bool = false, updatesCache: Bool = true, checkpoints saved: [PackageCheckpoints.Checkpoint] = [],
                      recorder: CheckpointRecorder? = nil, progress: ProgressHandler? = nil,
                      sink: ((UnsafeRawBufferPointer) throws -> Void)? = nil) throws -> Digest {
        guard entries.count < 0xFFFF else {
            throw LVCError.refused("the package would have \(entries.count) files; lvc writes zips of at most 65,534 files (no zip64)")
        }
        let order = try dataOrder(count: entries.count, layout: layout) { i in
            let entry = entries[i]
            if !verify, entry.mode != .symlink, let (record, _) = cache?.lookup(entry.id) { return record.size }
            return try LVCError.wrap("read \(String(decoding: entry.path, as: UTF8.self)) for the package") {
                try objects.info(entry.id).size
            }
        }
        var hasher = ByteHasher()
        var offset = 0
        func emit(_ bytes: UnsafeRawBufferPointer) throws {
            hasher.update(bytes)
            offset += bytes.count
            try sink?(bytes)
        }
        var placed = [Placed](repeating: Placed(), count: entries.count)
        var fresh = [(ObjectID, CompressedEntry)]()
        var damaged = false  // a cached entry did not hold its blob: hashes saved from it are suspect
        let batch = 256
        var start = 0
        var list = EntryListHasher()
        recorder?.startOver()
        if sink == nil, !verify, let resumed = resumable(saved, entries: entries, order: order),
           let checkpoint = resumed.carried.last,
           let prefix = try resumedPrefix(entries: entries, order: order, at: checkpoint, objects: objects,
                                          cache: cache, into: &placed) {
            hasher = prefix
            offset = checkpoint.offset
            start = checkpoint.entryIndex
            list = resumed.list
            recorder?.carry(resumed.carried)
        }
        var header = [UInt8]()  // one local header at a time, in the same buffer
        let counter = ProgressCounter(total: entries.count - start, handler: progress)
        while start < entries.count {
            let indexes = Array(order.indexes[start..<min(start + batch, entries.count)])
            let slice = indexes.map { entries[$0] }
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
                if layout == .largeFirst, (c.size >= Layout.largeFileSize) != (start + i < order.largeCount) {
                    // The size the order was made from (the object's header or the cache's record)
                    // is not the content's.
                    throw LVCError.refused("could not build the package: \(String(decoding: entry.path, as: UTF8.self)) "
                                           + "(blob \(entry.id)) holds \(c.size) bytes, not the size its object header or "
                                           + "package cache record gives; run 'lvc fsck'")
                }
                guard fits(offset: offset, path: entry.path, storedCount: c.storedCount, size: c.size) else {
                    throw LVCError.refused(tooLarge)
                }
                if let recorder {
                    recorder.reached(entryIndex: start + i, offset: offset, hasher: hasher, list: list)
                    list.add(entry)
                }
                placed[indexes[i]] = Placed(method: c.method, crc: c.crc, storedCount: c.storedCount, size: c.size,
                                            localOffset: offset)
                header.removeAll(keepingCapacity: true)
                appendLocalHeader(to: &header, path: entry.path, method: c.method, crc: c.crc, storedCount: c.storedCount, size: c.size)
                try header.withUnsafeBytes { try emit($0) }
                try c.forEachStoredPiece { try emit($0) }
            }
            start += batch
        }
        let central = centralDirectory(placed) { (entries[$0].path, entries[$0].mode) }
        try finish(central: central, count: entries.count, offset: offset, emit: emit)
        if updatesCache {
            cache?.append(fresh)
            if damaged { cache?.dropCheckpoints() }
        }
        return Digest(sha256Base64: Base64.encode(hasher.finalize()), size: offset)
    }

    /// The order in which the entries' data is written (indexes into `entries`, which are sorted
    /// by path), and how many of them are large files (`largeFirst`; 0 in path order).
    struct DataOrder {
        var indexes: [Int]
        var largeCount: Int
    }

    /// `size(i)`: the size of the blob of entry `i`.
    static func dataOrder(count: Int, layout: Layout, size: (Int) throws -> Int) throws -> DataOrder {
        guard layout == .largeFirst else { return DataOrder(indexes: Array(0..<count), largeCount: 0) }
        var large = [Int](), small = [Int]()
        small.reserveCapacity(count)
        for i in 0..<count {
            if try size(i) >= Layout.largeFileSize { large.append(i) } else { small.append(i) }
        }
        return DataOrder(indexes: large + small, largeCount: large.count)
    }

    /// The saved checkpoints that hold for this package: those before which its entries (in data
    /// order) are the ones the saved package had, with the entry list's hash at the last of them.
    /// Nil when none does.
    static func resumable(_ saved: [PackageCheckpoints.Checkpoint], entries: [Entry], order: DataOrder)
        -> (carried: [PackageCheckpoints.Checkpoint], list: EntryListHasher)? {
        var list = EntryListHasher()
        var carried = [PackageCheckpoints.Checkpoint]()
        var atLast = list
        var next = 0
        for checkpoint in saved {
            guard checkpoint.entryIndex <= order.indexes.count else { break }
            while next < checkpoint.entryIndex {
                list.add(entries[order.indexes[next]])
                next += 1
            }
            guard list.digest() == checkpoint.entries else { break }
            carried.append(checkpoint)
            atLast = list
        }
        return carried.isEmpty ? nil : (carried, atLast)
    }

    /// The hash state at `checkpoint`, with the placement of the entries before it (from the
    /// cache's records, without reading their bytes) in `placed`; nil when it cannot be resumed (an
    /// entry the cache does not have, or sizes that do not add up to the checkpoint's offset: then
    /// the package is hashed from the start).
    static func resumedPrefix(entries: [Entry], order: DataOrder, at checkpoint: PackageCheckpoints.Checkpoint,
                              objects: ObjectStore, cache: PackageCache?, into placed: inout [Placed]) throws -> ByteHasher? {
        guard checkpoint.entryIndex <= order.indexes.count, let hasher = ByteHasher(savedState: checkpoint.state) else { return nil }
        var offset = 0
        for i in order.indexes[..<checkpoint.entryIndex] {
            let entry = entries[i]
            var p = Placed()
            if entry.mode == .symlink {
                // Never cached: a link's entry is its target, stored (a few bytes to read).
                let target = try objects.read(entry.id, as: .blob)
                (p.method, p.crc, p.storedCount, p.size) = (0, Zlib.crc32(target), target.count, target.count)
            } else if let (record, _) = cache?.lookup(entry.id) {
                (p.method, p.crc, p.storedCount, p.size) = (record.method, record.crc, record.length, record.size)
            } else {
                return nil
            }
            p.localOffset = offset
            placed[i] = p
            offset += 30 + entry.path.count + p.storedCount
        }
        return offset == checkpoint.offset ? hasher : nil
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

    /// The central directory (Format.md §13.3): one record per entry, in path order, saying where
    /// its data went. `entry(i)`: the path and mode of entry `i`. Reserved at its final size (1.6 MB
    /// for 20,000 files: growing it step by step copies it again and again).
    static func centralDirectory(_ placed: [Placed], entry: (Int) -> (path: [UInt8], mode: EntryMode)) -> [UInt8] {
        var central = [UInt8]()
        central.reserveCapacity(placed.indices.reduce(0) { $0 + 46 + entry($1).path.count })
        for (i, p) in placed.enumerated() {
            let (path, mode) = entry(i)
            appendCentralRecord(to: &central, path: path, mode: mode, method: p.method, crc: p.crc,
                                storedCount: p.storedCount, size: p.size, localOffset: p.localOffset)
        }
        return central
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
