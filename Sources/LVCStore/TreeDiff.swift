/// One path that differs between two trees.
public struct TreeChange: Sendable, Equatable {
    public enum Kind: String, Sendable { case added, deleted, modified }
    public var kind: Kind
    public var path: [UInt8]
    public var old: (mode: EntryMode, id: ObjectID)?
    public var new: (mode: EntryMode, id: ObjectID)?

    public var pathString: String { String(decoding: path, as: UTF8.self) }

    /// A file that became a symlink or the other way round (git's "typechange", `T`): git shows
    /// it as a deletion and an addition, since no patch turns one into the other.
    public var isTypeChange: Bool {
        guard kind == .modified, let old, let new else { return false }
        return (old.mode == .symlink) != (new.mode == .symlink)
    }

    public init(kind: Kind, path: [UInt8], old: (mode: EntryMode, id: ObjectID)?, new: (mode: EntryMode, id: ObjectID)?) {
        self.kind = kind
        self.path = path
        self.old = old
        self.new = new
    }

    public static func == (a: TreeChange, b: TreeChange) -> Bool {
        a.kind == b.kind && a.path == b.path && a.old?.mode == b.old?.mode && a.old?.id == b.old?.id
            && a.new?.mode == b.new?.mode && a.new?.id == b.new?.id
    }
}

/// Compares two trees by object id first: equal subtrees are skipped without being read, so the
/// cost follows the size of the change, not of the trees.
public enum TreeDiff {
    public static func diff(_ old: ObjectID?, _ new: ObjectID?, load: (ObjectID) throws -> Tree) throws -> [TreeChange] {
        var changes = [TreeChange]()
        try diff(old, new, prefix: [], load: load, into: &changes)
        return changes
    }

    static func diff(_ old: ObjectID?, _ new: ObjectID?, prefix: [UInt8], load: (ObjectID) throws -> Tree,
                     into changes: inout [TreeChange]) throws {
        if old == new { return }
        let a = try old.map(load)?.entries ?? []
        let b = try new.map(load)?.entries ?? []
        var i = 0, j = 0
        func path(_ name: [UInt8]) -> [UInt8] { prefix.isEmpty ? name : prefix + [UInt8(ascii: "/")] + name }
        func removed(_ e: TreeEntry) throws {
            if e.mode == .directory { try diff(e.id, nil, prefix: path(e.name), load: load, into: &changes) }
            else { changes.append(TreeChange(kind: .deleted, path: path(e.name), old: (e.mode, e.id), new: nil)) }
        }
        func added(_ e: TreeEntry) throws {
            if e.mode == .directory { try diff(nil, e.id, prefix: path(e.name), load: load, into: &changes) }
            else { changes.append(TreeChange(kind: .added, path: path(e.name), old: nil, new: (e.mode, e.id))) }
        }
        while i < a.count || j < b.count {
            // Compare by name only (a file and a folder of the same name are a delete plus an add).
            let order: Int
            if i == a.count { order = 1 } else if j == b.count { order = -1 } else {
                order = a[i].name == b[j].name ? 0 : (TreeEntry.gitOrder(a[i], b[j]) ? -1 : 1)
            }
            if order < 0 { try removed(a[i]); i += 1; continue }
            if order > 0 { try added(b[j]); j += 1; continue }
            let x = a[i], y = b[j]
            i += 1; j += 1
            switch (x.mode == .directory, y.mode == .directory) {
            case (true, true): try diff(x.id, y.id, prefix: path(x.name), load: load, into: &changes)
            case (false, false):
                if x.id != y.id || x.mode != y.mode {
                    changes.append(TreeChange(kind: .modified, path: path(x.name), old: (x.mode, x.id), new: (y.mode, y.id)))
                }
            default: try removed(x); try added(y)
            }
        }
    }
}
