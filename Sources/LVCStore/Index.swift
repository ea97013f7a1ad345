#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File-system facts cached per index entry so that an unchanged file need not be read again.
public struct StatData: Sendable, Equatable {
    public var ctimeSeconds: UInt32 = 0, ctimeNanoseconds: UInt32 = 0
    public var mtimeSeconds: UInt32 = 0, mtimeNanoseconds: UInt32 = 0
    public var device: UInt32 = 0, inode: UInt32 = 0
    public var uid: UInt32 = 0, gid: UInt32 = 0
    public var size: UInt32 = 0

    public init() {}

    public static let zero = StatData()
}

/// One staged path of `$LATEST`.
public struct IndexEntry: Sendable, Equatable {
    /// Full path, `/`-separated, as stored in trees.
    public var path: [UInt8]
    public var id: ObjectID
    public var mode: EntryMode
    public var stat: StatData

    public init(path: [UInt8], id: ObjectID, mode: EntryMode, stat: StatData = .zero) {
        self.path = path
        self.id = id
        self.mode = mode
        self.stat = stat
    }

    public var pathString: String { String(decoding: path, as: UTF8.self) }

    /// Two entry lists compared in place: `==` on the arrays copies every entry to compare it
    /// (20,000 entries, several times per `add`). `withStat` false compares paths, ids and modes.
    public static func same(_ a: [IndexEntry], _ b: [IndexEntry], withStat: Bool) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                if x.baseAddress == y.baseAddress { return true }
                for i in x.indices {
                    if x[i].id != y[i].id || x[i].mode != y[i].mode || (withStat && x[i].stat != y[i].stat)
                        || x[i].path != y[i].path { return false }
                }
                return true
            }
        }
    }
}

/// git's index file, version 2 (`DIRC`), with SHA-256 ids: `git ls-files`, `git fsck` and `git gc`
/// read it. Optional extensions (signature starting with an uppercase letter) are kept as bytes.
public struct Index: Sendable, Equatable {
    /// Sorted by path bytes (which is also git's tree order for full paths).
    public private(set) var entries: [IndexEntry]
    public var extensions: [String: [UInt8]]

    public init(entries: [IndexEntry] = [], extensions: [String: [UInt8]] = [:]) {
        self.entries = entries.sorted { $0.path.lexicographicallyPrecedes($1.path) }
        self.extensions = extensions
    }

    public func encode() -> [UInt8] {
        Index.encode(entries, pathPrefix: [], then: [], extensions: extensions)
    }

    /// The bytes of an index holding `entries` with `pathPrefix` before each path, then
    /// `trailing` as they are (together in sorted order), without building that index: `$LATEST`
    /// keeps its code paths without `code/`.
    public static func encode(_ entries: [IndexEntry], pathPrefix: [UInt8], then trailing: [IndexEntry],
                              extensions: [String: [UInt8]] = [:]) -> [UInt8] {
        var out = [UInt8]()
        write(entries, pathPrefix: pathPrefix, then: trailing, extensions: extensions) { out.append(contentsOf: $0) }
        return out
    }

    /// Writes the index that `encode` returns to `sink`, in pieces of at most 64 KiB, and returns
    /// its checksum (the last 32 bytes written). The bytes pass through one small buffer: the
    /// 2.4 MB index of a 20,000-file function is never held whole, so writing it costs no page
    /// faults for a buffer that size.
    @discardableResult
    public static func write<E: Error>(_ entries: [IndexEntry], pathPrefix: [UInt8], then trailing: [IndexEntry],
                                       extensions: [String: [UInt8]] = [:],
                                       to sink: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) -> [UInt8] {
        let capacity = 64 << 10
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        var at = 0
        var hasher = SHA256()
        func flush() throws(E) {
            let part = UnsafeRawBufferPointer(rebasing: buffer[..<at])
            hasher.update(part)
            try sink(part)
            at = 0
        }
        func append(_ bytes: [UInt8]) throws(E) {
            var from = 0
            while from < bytes.count {
                if at == capacity { try flush() }
                let n = min(capacity - at, bytes.count - from)
                bytes.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + n)])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[from..<(from + n)]))
                }
                at += n
                from += n
            }
        }
        /// Room for `count` bytes written in place (`count` is at most the buffer's size).
        func reserve(_ count: Int) throws(E) { if capacity - at < count { try flush() } }
        func put32(_ value: UInt32) {
            buffer.storeBytes(of: value.bigEndian, toByteOffset: at, as: UInt32.self)
            at += 4
        }
        func put(_ entry: IndexEntry, prefix: [UInt8]) throws(E) {
            // Stat fields, id and flags (74 bytes) in place; then the path and 1-8 NULs.
            try reserve(74)
            let s = entry.stat
            put32(s.ctimeSeconds); put32(s.ctimeNanoseconds); put32(s.mtimeSeconds); put32(s.mtimeNanoseconds)
            put32(s.device); put32(s.inode); put32(entry.mode.rawValue); put32(s.uid); put32(s.gid); put32(s.size)
            entry.id.store(into: buffer, at: at)  // (a closure here made every access to `at` checked)
            at += ObjectID.byteCount
            let pathLength = prefix.count + entry.path.count
            let flags = UInt16(min(pathLength, 0xFFF))
            buffer.storeBytes(of: flags.bigEndian, toByteOffset: at, as: UInt16.self)
            at += 2
            try append(prefix)
            try append(entry.path)
            try reserve(8)
            for _ in 0..<(8 - (74 + pathLength) % 8) { buffer[at] = 0; at += 1 }
        }
        try reserve(12)
        for byte in "DIRC".utf8 { buffer[at] = byte; at += 1 }
        put32(2)
        put32(UInt32(entries.count + trailing.count))
        // Not in a closure (to spare the loop's copies): the nested functions' write position
        // would then be checked for exclusive access on every use, which costs more.
        for entry in entries { try put(entry, prefix: pathPrefix) }
        for entry in trailing { try put(entry, prefix: []) }
        for (signature, payload) in extensions.sorted(by: { $0.key < $1.key }) {
            try reserve(8)
            for byte in signature.utf8.prefix(4) { buffer[at] = byte; at += 1 }
            put32(UInt32(payload.count))
            try append(payload)
        }
        try flush()
        let checksum = hasher.finalize()
        buffer.copyBytes(from: checksum)
        try sink(UnsafeRawBufferPointer(rebasing: buffer[..<checksum.count]))
        return checksum
    }

    public struct DecodeError: Error, Sendable { public var reason: String }

    /// `checksumVerified`: the caller has checked (or is checking, on another thread) the
    /// trailing checksum with `checksumMatches`; otherwise it is checked first.
    public static func decode(_ bytes: [UInt8], checksumVerified: Bool = false) throws -> Index {
        try bytes.withUnsafeBytes { try decode($0, checksumVerified: checksumVerified) }
    }

    /// Decodes an index from bytes that need not be an array: `$LATEST` reads its index through
    /// a mapping of the file (a MappedFile) rather than a 2.4 MB copy of it.
    public static func decode(_ raw: UnsafeRawBufferPointer, checksumVerified: Bool = false) throws -> Index {
        guard raw.count >= 12 + 32 else { throw DecodeError(reason: "too short") }
        let bodyEnd = raw.count - 32
        guard checksumVerified || checksumMatches(raw) else { throw DecodeError(reason: "checksum mismatch") }
        guard raw[0..<4].elementsEqual("DIRC".utf8) else { throw DecodeError(reason: "not an index file") }
        func be32(_ at: Int) -> UInt32 { raw.loadBE32(at) }
        guard be32(4) == 2 else { throw DecodeError(reason: "index version \(be32(4)) (lvc reads version 2)") }
        let count = Int(be32(8))
        var entries = [IndexEntry]()
        entries.reserveCapacity(min(count, bodyEnd / 74))
        var p = 12
        // One pass over the raw bytes: this runs for every entry each time $LATEST is read.
        for _ in 0..<count {
            guard p + 74 <= bodyEnd else { throw DecodeError(reason: "truncated entry") }
            var s = StatData()
            s.ctimeSeconds = be32(p); s.ctimeNanoseconds = be32(p + 4)
            s.mtimeSeconds = be32(p + 8); s.mtimeNanoseconds = be32(p + 12)
            s.device = be32(p + 16); s.inode = be32(p + 20)
            let rawMode = be32(p + 24)
            s.uid = be32(p + 28); s.gid = be32(p + 32)
            s.size = be32(p + 36)
            let id = ObjectID(raw: UnsafeRawBufferPointer(rebasing: raw[(p + 40)..<(p + 72)]))
            let flags = UInt16(raw[p + 72]) << 8 | UInt16(raw[p + 73])
            guard flags & 0x3000 == 0 else { throw DecodeError(reason: "unmerged entries are not supported") }
            guard flags & 0x4000 == 0 else { throw DecodeError(reason: "extended flags are not supported") }
            let nameStart = p + 74
            // memchr: the generic firstIndex(of:) over a slice of raw bytes cost about 450
            // instructions per path, 4% of `lvc status` on 20,000 files.
            guard let found = memchr(raw.baseAddress! + nameStart, 0, bodyEnd - nameStart) else { throw DecodeError(reason: "truncated path") }
            let nul = UnsafeRawPointer(found) - raw.baseAddress!
            guard let mode = EntryMode(rawValue: rawMode), mode != .directory else {
                throw DecodeError(reason: "bad mode \(String(rawMode, radix: 8))")
            }
            entries.append(IndexEntry(path: Array(UnsafeRawBufferPointer(rebasing: raw[nameStart..<nul])), id: id, mode: mode, stat: s))
            let length = nul - p
            p += length + (8 - length % 8)
        }
        var extensions = [String: [UInt8]]()
        while p + 8 <= bodyEnd {
            let signature = String(decoding: raw[p..<(p + 4)], as: UTF8.self)
            let size = Int(be32(p + 4))
            guard p + 8 + size <= bodyEnd else { throw DecodeError(reason: "truncated extension \(signature)") }
            extensions[signature] = Array(UnsafeRawBufferPointer(rebasing: raw[(p + 8)..<(p + 8 + size)]))
            p += 8 + size
        }
        var index = Index(entries: [], extensions: extensions)
        index.entries = entries
        return index
    }

    /// Whether the index file's trailing SHA-256 matches the bytes before it.
    public static func checksumMatches(_ bytes: [UInt8]) -> Bool {
        ByteHasher.endsWithDigest(bytes)
    }

    public static func checksumMatches(_ raw: UnsafeRawBufferPointer) -> Bool {
        ByteHasher.endsWithDigest(raw)
    }

    /// Moves the entries out (leaving none), so the caller holds the only reference to them and
    /// can change them without copying.
    public mutating func takeEntries() -> [IndexEntry] {
        defer { entries = [] }
        return entries
    }

    /// An index of entries already sorted by path (checked in debug builds), not sorted again.
    public init(sortedEntries: [IndexEntry]) {
        assert(zip(sortedEntries, sortedEntries.dropFirst()).allSatisfy { $0.path.lexicographicallyPrecedes($1.path) },
                     "index entries must be sorted by path")
        entries = sortedEntries
        extensions = [:]
    }

    /// Replaces the entries (sorting them) while keeping extensions.
    public mutating func setEntries(_ newEntries: [IndexEntry]) {
        entries = newEntries.sorted { $0.path.lexicographicallyPrecedes($1.path) }
    }

    /// Writes the tree objects for the staged paths and returns the root tree's id.
    public func writeTree(to store: ObjectStore) throws -> ObjectID {
        try Index.buildTree(entries[...], prefixLength: 0) { try store.write($0) }
    }

    /// Builds the trees for the staged paths, handing each to `emit` (which stores or just
    /// hashes it and returns its id), children before parents. Returns the root tree's id.
    public func buildTree(_ emit: (Tree) throws -> ObjectID) throws -> ObjectID {
        try Index.buildTree(entries[...], prefixLength: 0, emit)
    }

    /// Builds the trees for any entries sorted by path, as `buildTree` does for an index's own.
    public static func buildTree(sorted entries: ArraySlice<IndexEntry>, _ emit: (Tree) throws -> ObjectID) throws -> ObjectID {
        try buildTree(entries, prefixLength: 0, emit)
    }

    private static func buildTree(_ slice: ArraySlice<IndexEntry>, prefixLength: Int,
                                  _ emit: (Tree) throws -> ObjectID) throws -> ObjectID {
        var treeEntries = [TreeEntry]()
        var i = slice.startIndex
        while i < slice.endIndex {
            let path = slice[i].path
            let rest = path[prefixLength...]
            if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
                let name = Array(path[prefixLength..<slash])
                let dirPrefix = Array(path[prefixLength...slash])
                var j = i + 1
                while j < slice.endIndex, slice[j].path.count > slash,
                      slice[j].path[prefixLength...slash].elementsEqual(dirPrefix) { j += 1 }
                let child = try buildTree(slice[i..<j], prefixLength: slash + 1, emit)
                treeEntries.append(TreeEntry(name: name, mode: .directory, id: child))
                i = j
            } else {
                treeEntries.append(TreeEntry(name: Array(rest), mode: slice[i].mode, id: slice[i].id))
                i += 1
            }
        }
        return try emit(Tree(entries: treeEntries))
    }
}
