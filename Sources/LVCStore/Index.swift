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
        // Sizes first, then one buffer written in place: this runs for every entry each time
        // $LATEST changes.
        func entryLength(_ pathLength: Int) -> Int {
            let length = 40 + ObjectID.byteCount + 2 + pathLength  // stat fields, id, flags, path
            return length + (8 - length % 8)
        }
        let body = 12 + entries.reduce(0) { $0 + entryLength(pathPrefix.count + $1.path.count) }
            + trailing.reduce(0) { $0 + entryLength($1.path.count) }
        // Room for the extensions and the checksum too: growing a 2 MB buffer copies it.
        let total = body + extensions.values.reduce(0) { $0 + 8 + $1.count } + ObjectID.byteCount
        var out = [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            var at = 0
            func put32(_ value: UInt32) {
                buffer[at] = UInt8(truncatingIfNeeded: value >> 24); buffer[at + 1] = UInt8(truncatingIfNeeded: value >> 16)
                buffer[at + 2] = UInt8(truncatingIfNeeded: value >> 8); buffer[at + 3] = UInt8(truncatingIfNeeded: value)
                at += 4
            }
            func putBytes(_ bytes: [UInt8]) {
                bytes.withUnsafeBufferPointer { source in
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[at..<(at + source.count)]).initialize(from: source)
                }
                at += bytes.count
            }
            func put(_ entry: IndexEntry, prefix: [UInt8]) {
                let start = at
                let s = entry.stat
                put32(s.ctimeSeconds); put32(s.ctimeNanoseconds); put32(s.mtimeSeconds); put32(s.mtimeNanoseconds)
                put32(s.device); put32(s.inode); put32(entry.mode.rawValue); put32(s.uid); put32(s.gid); put32(s.size)
                entry.id.withUnsafeBytes { id in for byte in id { buffer[at] = byte; at += 1 } }
                let pathLength = prefix.count + entry.path.count
                let flags = UInt16(min(pathLength, 0xFFF))
                buffer[at] = UInt8(flags >> 8); buffer[at + 1] = UInt8(flags & 0xFF); at += 2
                putBytes(prefix)
                putBytes(entry.path)
                let end = start + entryLength(pathLength)
                while at < end { buffer[at] = 0; at += 1 }
            }
            for byte in "DIRC".utf8 { buffer[at] = byte; at += 1 }
            put32(2)
            put32(UInt32(entries.count + trailing.count))
            for entry in entries { put(entry, prefix: pathPrefix) }
            for entry in trailing { put(entry, prefix: []) }
            count = at
        }
        for (signature, payload) in extensions.sorted(by: { $0.key < $1.key }) {
            out.append(contentsOf: signature.utf8)
            out.appendBigEndian(UInt32(payload.count))
            out.append(contentsOf: payload)
        }
        out.append(contentsOf: ByteHasher.digest(out))
        return out
    }

    public struct DecodeError: Error, Sendable { public var reason: String }

    /// `checksumVerified`: the caller has checked (or is checking, on another thread) the
    /// trailing checksum with `checksumMatches`; otherwise it is checked first.
    public static func decode(_ bytes: [UInt8], checksumVerified: Bool = false) throws -> Index {
        guard bytes.count >= 12 + 32 else { throw DecodeError(reason: "too short") }
        let bodyEnd = bytes.count - 32
        guard checksumVerified || checksumMatches(bytes) else { throw DecodeError(reason: "checksum mismatch") }
        guard Array(bytes[0..<4]) == Array("DIRC".utf8) else { throw DecodeError(reason: "not an index file") }
        guard bytes.readBigEndian32(at: 4) == 2 else {
            throw DecodeError(reason: "index version \(bytes.readBigEndian32(at: 4)) (lvc reads version 2)")
        }
        let count = Int(bytes.readBigEndian32(at: 8))
        var entries = [IndexEntry]()
        entries.reserveCapacity(min(count, bodyEnd / 74))
        var p = 12
        // One pass over the raw bytes: this runs for every entry each time $LATEST is read.
        try bytes.withUnsafeBufferPointer { buffer in
            let raw = UnsafeRawBufferPointer(buffer)
            func be32(_ at: Int) -> UInt32 { raw.loadBE32(at) }
            for _ in 0..<count {
                guard p + 74 <= bodyEnd else { throw DecodeError(reason: "truncated entry") }
                var s = StatData()
                s.ctimeSeconds = be32(p); s.ctimeNanoseconds = be32(p + 4)
                s.mtimeSeconds = be32(p + 8); s.mtimeNanoseconds = be32(p + 12)
                s.device = be32(p + 16); s.inode = be32(p + 20)
                let rawMode = be32(p + 24)
                s.uid = be32(p + 28); s.gid = be32(p + 32)
                s.size = be32(p + 36)
                let id = ObjectID(raw: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[(p + 40)..<(p + 72)])))
                let flags = UInt16(buffer[p + 72]) << 8 | UInt16(buffer[p + 73])
                guard flags & 0x3000 == 0 else { throw DecodeError(reason: "unmerged entries are not supported") }
                guard flags & 0x4000 == 0 else { throw DecodeError(reason: "extended flags are not supported") }
                let nameStart = p + 74
                guard let nul = buffer[nameStart..<bodyEnd].firstIndex(of: 0) else { throw DecodeError(reason: "truncated path") }
                guard let mode = EntryMode(rawValue: rawMode), mode != .directory else {
                    throw DecodeError(reason: "bad mode \(String(rawMode, radix: 8))")
                }
                entries.append(IndexEntry(path: Array(buffer[nameStart..<nul]), id: id, mode: mode, stat: s))
                let length = nul - p
                p += length + (8 - length % 8)
            }
        }
        var extensions = [String: [UInt8]]()
        while p + 8 <= bodyEnd {
            let signature = String(decoding: bytes[p..<(p + 4)], as: UTF8.self)
            let size = Int(bytes.readBigEndian32(at: p + 4))
            guard p + 8 + size <= bodyEnd else { throw DecodeError(reason: "truncated extension \(signature)") }
            extensions[signature] = Array(bytes[(p + 8)..<(p + 8 + size)])
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
