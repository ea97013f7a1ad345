/// The object database: loose objects (which lvc writes) plus packs (which git gc writes, and
/// which lvc reads). Every read verifies that the bytes hash to the requested id.
public final class ObjectStore: Sendable {
    public let loose: LooseObjects
    public let packs: PackStore

    public init(objectsDirectory: String, temporaryDirectory: String) {
        loose = LooseObjects(directory: objectsDirectory, temporaryDirectory: temporaryDirectory)
        packs = PackStore(directory: objectsDirectory + "/pack")
    }

    public func contains(_ id: ObjectID) -> Bool {
        loose.contains(id) || packs.contains(id)
    }

    public func read(_ id: ObjectID) throws -> RawObject {
        if let object = try loose.read(id) { return object }
        if let object = try packs.read(id) {
            guard ObjectHasher.id(of: object.kind, body: object.body) == id else {
                throw StoreError.corruptObject(id, reason: "hash mismatch in pack")
            }
            return object
        }
        throw StoreError.missingObject(id)
    }

    public func read(_ id: ObjectID, as kind: ObjectKind) throws -> [UInt8] {
        let object = try read(id)
        guard object.kind == kind else { throw StoreError.wrongKind(id, expected: kind, actual: object.kind) }
        return object.body
    }

    public func readTree(_ id: ObjectID) throws -> Tree {
        let body = try read(id, as: .tree)
        do { return try Tree.decode(body) } catch let error as Tree.DecodeError { throw StoreError.corruptObject(id, reason: error.reason) }
    }

    public func readCommit(_ id: ObjectID) throws -> Commit {
        let body = try read(id, as: .commit)
        do { return try Commit.decode(body) } catch let error as Commit.DecodeError { throw StoreError.corruptObject(id, reason: error.reason) }
    }

    @discardableResult
    public func write(_ kind: ObjectKind, _ body: [UInt8]) throws -> ObjectID {
        let id = ObjectHasher.id(of: kind, body: body)
        // Loose first: a stat, where looking in a pack maps its idx (the kernel then makes up to
        // 64 KB of it resident around each page the search touches).
        if loose.contains(id) || packs.contains(id) { return id }
        try body.withUnsafeBytes { raw in try loose.write(kind: kind, body: raw, id: id) }
        return id
    }

    @discardableResult
    public func write(_ tree: Tree) throws -> ObjectID { try write(.tree, tree.encode()) }

    @discardableResult
    public func write(_ commit: Commit) throws -> ObjectID { try write(.commit, commit.encode()) }

    /// A writer for a new pack in this store (for many new objects at once).
    public func packWriter(expectedCount: Int = 0) throws -> PackWriter {
        try PackWriter(packDirectory: packs.directory, temporaryDirectory: loose.temporaryDirectory, expectedCount: expectedCount)
    }

    /// Stores a body whose id the caller computed into `pack`, unless the store has it already.
    public func write(_ kind: ObjectKind, _ body: [UInt8], id: ObjectID, into pack: PackWriter) throws {
        if contains(id) { return }
        try pack.append(kind, id: id, size: body.count, zlibBody: Zlib.deflate(body, level: loose.compressionLevel, format: .zlib))
    }

    /// Every object id in the store, loose and packed (for fsck and gc).
    public func allIDs() throws -> Set<ObjectID> {
        var ids = Set(try loose.allIDs())
        ids.formUnion(try packs.allIDs())
        return ids
    }
}
