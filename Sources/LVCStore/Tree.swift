/// The mode of a tree entry. Only the modes git accepts are representable.
public enum EntryMode: UInt32, Sendable, Hashable {
    case file = 0o100644
    case executable = 0o100755
    case symlink = 0o120000
    case directory = 0o40000
    case gitlink = 0o160000

    /// As written in a tree: ASCII octal, no leading zero (`40000`, never `040000`).
    public var octal: String { String(rawValue, radix: 8) }

    public var isBlob: Bool { self == .file || self == .executable || self == .symlink }
}

/// One entry of a tree: a name (raw bytes, never containing `/` or NUL), a mode and an object id.
public struct TreeEntry: Sendable, Hashable {
    public var name: [UInt8]
    public var mode: EntryMode
    public var id: ObjectID

    public init(name: [UInt8], mode: EntryMode, id: ObjectID) {
        self.name = name
        self.mode = mode
        self.id = id
    }

    public var nameString: String { String(decoding: name, as: UTF8.self) }

    /// git's tree order: byte-wise, with a directory's name compared as `name + "/"`.
    public static func gitOrder(_ a: TreeEntry, _ b: TreeEntry) -> Bool {
        compareNames(a.name, a.mode == .directory, b.name, b.mode == .directory) < 0
    }

    /// Negative, zero or positive as `a` sorts before, with or after `b` in git's tree order. Bytes
    /// before `from` are known to be equal and skipped (full paths of one folder's entries).
    public static func compareNames(_ a: [UInt8], _ aIsDir: Bool, _ b: [UInt8], _ bIsDir: Bool, from: Int = 0) -> Int {
        let n = min(a.count, b.count)
        for i in min(from, n)..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        let ca: UInt8 = a.count > n ? a[n] : (aIsDir ? UInt8(ascii: "/") : 0)
        let cb: UInt8 = b.count > n ? b[n] : (bIsDir ? UInt8(ascii: "/") : 0)
        return ca == cb ? 0 : (ca < cb ? -1 : 1)
    }
}

/// A tree object: entries in git's order.
public struct Tree: Sendable, Equatable {
    public private(set) var entries: [TreeEntry]

    /// Sorts `entries` into git's order.
    public init(entries: [TreeEntry]) {
        self.entries = entries.sorted(by: TreeEntry.gitOrder)
    }

    private init(sorted: [TreeEntry]) { entries = sorted }

    public func entry(named name: [UInt8]) -> TreeEntry? {
        entries.first { $0.name == name }
    }

    public func encode() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(entries.count * 48)
        for entry in entries {
            out.append(contentsOf: entry.mode.octal.utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: entry.name)
            out.append(0)
            out.append(contentsOf: entry.id.bytes)
        }
        return out
    }

    public struct DecodeError: Error, Sendable { public var reason: String }

    /// Parses a tree body strictly: known modes only, no empty or slash-containing names,
    /// no duplicates, git's order.
    public static func decode(_ body: [UInt8]) throws -> Tree {
        var entries = [TreeEntry]()
        var i = 0
        while i < body.count {
            var mode: UInt32 = 0
            let modeStart = i
            while i < body.count, body[i] != UInt8(ascii: " ") {
                let c = body[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "7"), i - modeStart < 7 else {
                    throw DecodeError(reason: "bad mode in entry \(entries.count + 1)")
                }
                mode = mode << 3 | UInt32(c - UInt8(ascii: "0"))
                i += 1
            }
            guard i < body.count, i > modeStart, body[modeStart] != UInt8(ascii: "0") else {
                throw DecodeError(reason: "bad mode in entry \(entries.count + 1)")
            }
            guard let entryMode = EntryMode(rawValue: mode) else {
                throw DecodeError(reason: "unsupported mode \(String(mode, radix: 8))")
            }
            i += 1
            let nameStart = i
            while i < body.count, body[i] != 0 { i += 1 }
            guard i < body.count else { throw DecodeError(reason: "truncated entry name") }
            let name = Array(body[nameStart..<i])
            guard !name.isEmpty else { throw DecodeError(reason: "empty entry name") }
            guard !name.contains(UInt8(ascii: "/")) else {
                throw DecodeError(reason: "entry name contains '/': \(String(decoding: name, as: UTF8.self))")
            }
            i += 1
            guard i + ObjectID.byteCount <= body.count else { throw DecodeError(reason: "truncated object id") }
            let id = ObjectID(bytes: body[i..<(i + ObjectID.byteCount)])
            i += ObjectID.byteCount
            let entry = TreeEntry(name: name, mode: entryMode, id: id)
            if let last = entries.last {
                let order = TreeEntry.compareNames(last.name, last.mode == .directory, name, entryMode == .directory)
                guard order < 0, last.name != name else {
                    throw DecodeError(reason: last.name == name || order == 0 ? "duplicate entry \(entry.nameString)" : "entries not sorted")
                }
            }
            entries.append(entry)
        }
        return Tree(sorted: entries)
    }
}
