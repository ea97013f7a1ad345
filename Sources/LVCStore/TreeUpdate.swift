/// A tree with some paths changed, built from the old tree by rewriting only the folders on the
/// changed paths (git's cache-tree idea, without storing a cache: the old trees are the cache).
/// After a one-file change to a 20,000-file `$LATEST`, that is a handful of trees instead of all.
public enum TreeUpdate {
    public struct Change: Sendable {
        /// Full `/`-separated path from the root of the tree being updated.
        public var path: [UInt8]
        /// The new entry (never a folder), or nil to remove the path.
        public var entry: (mode: EntryMode, id: ObjectID)?

        public init(path: [UInt8], entry: (mode: EntryMode, id: ObjectID)?) {
            self.path = path
            self.entry = entry
        }
    }

    /// The id of `root` with `changes` applied (nil if nothing is left). `changes` must be sorted by
    /// path bytes, with no path twice; `read` loads an old tree, `write` stores (or just hashes) a
    /// new one and returns its id. Folders left empty disappear, as in a tree built from an index.
    public static func apply(_ root: ObjectID?, _ changes: [Change], read: (ObjectID) throws -> Tree,
                             write: (Tree) throws -> ObjectID) throws -> ObjectID? {
        try apply(root, changes[...], prefixLength: 0, read: read, write: write)
    }

    private static let slash = UInt8(ascii: "/")

    private static func apply(_ tree: ObjectID?, _ changes: ArraySlice<Change>, prefixLength: Int,
                              read: (ObjectID) throws -> Tree, write: (Tree) throws -> ObjectID) throws -> ObjectID? {
        var entries = try tree.map { try read($0).entries } ?? []
        var i = changes.startIndex
        while i < changes.endIndex {
            let path = changes[i].path
            if let end = path[prefixLength...].firstIndex(of: slash) {
                // Paths under one folder are contiguous in byte order: apply them to it at once.
                let name = Array(path[prefixLength..<end])
                var j = i + 1
                while j < changes.endIndex, changes[j].path.count > end, changes[j].path[end] == slash,
                      changes[j].path[prefixLength..<end].elementsEqual(name) { j += 1 }
                let old = entries.firstIndex { $0.name == name && $0.mode == .directory }
                let new = try apply(old.map { entries[$0].id }, changes[i..<j], prefixLength: end + 1, read: read, write: write)
                if let old { entries.remove(at: old) }
                if let new { entries.append(TreeEntry(name: name, mode: .directory, id: new)) }
                i = j
            } else {
                let name = Array(path[prefixLength...])
                entries.removeAll { $0.name == name && $0.mode != .directory }
                if let entry = changes[i].entry { entries.append(TreeEntry(name: name, mode: entry.mode, id: entry.id)) }
                i += 1
            }
        }
        return entries.isEmpty ? nil : try write(Tree(entries: entries))
    }
}
