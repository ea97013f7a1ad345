#if canImport(FoundationEssentials)
import FoundationEssentials  // lighter than Foundation: lvc starts faster
#else
import Foundation
#endif
import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `$LATEST`: the staged code and configuration. On disk it is `.lambda/index`, a real git index
/// whose entries are exactly the tree the next version would have: `code/<path>` for each file and
/// `function.json` for the configuration. `$LATEST`'s RevisionId and LastModified live beside it in
/// `.lambda/lvc/latest`, keyed by the index's checksum (git warns about unknown index extensions).
public struct Latest: Sendable, Equatable {
    /// Code entries, paths relative to the function folder (without the `code/` prefix), sorted.
    public var code: [IndexEntry]
    public var configuration: FunctionConfiguration
    public var revisionId: String
    /// Seconds since the epoch of the last change to code or configuration.
    public var lastModified: Int64
    /// The root tree (`code/` + `function.json`) of this `$LATEST`, written to the store whenever
    /// the index changes (git's cache-tree idea): publish and status need not rebuild it.
    public var tree: ObjectID?

    static let codePrefix = Array("code/".utf8)
    static let configPath = Array("function.json".utf8)

    static func empty(now: Int64) -> Latest {
        Latest(code: [], configuration: FunctionConfiguration(), revisionId: newRevisionId(), lastModified: now, tree: nil)
    }

    static func newRevisionId() -> String { UUID().uuidString.lowercased() }

    /// Decodes the index's entries; `configLoader` reads the function.json blob; `metadata` is the content of
    /// `lvc/latest`, used only if it was written for this very index (same checksum).
    static func decode(_ entries: consuming [IndexEntry], checksum: [UInt8], metadata: [UInt8]?, fallbackTime: Int64,
                       configLoader: (ObjectID) throws -> FunctionConfiguration) throws -> Latest {
        var code = entries  // taken from the index, so its paths can be stripped in place
        var configBlob: ObjectID?
        var kept = 0
        // In place through the buffer, the prefixes hoisted: subscripting the array copied each
        // entry three times (a third of reading $LATEST's 20,000 entries, not counting the index).
        let prefix = codePrefix, config = configPath
        try code.withUnsafeMutableBufferPointer { entries in
            for i in entries.indices {
                if Latest.strip(prefix, from: &entries[i].path) {
                    if let problem = ReservedNames.problem(withPath: entries[i].path) {
                        throw LVCError.badPath(entries[i].pathString, reason: "the index ($LATEST) holds an unsafe path: \(problem)")
                    }
                    if kept != i { entries.swapAt(kept, i) }
                    kept += 1
                } else if entries[i].path == config {
                    configBlob = entries[i].id
                }
            }
        }
        code.removeLast(code.count - kept)
        let configuration = try configBlob.map(configLoader) ?? FunctionConfiguration()
        // Without matching metadata (a crash between writing it and the index, or an index written
        // by git), the RevisionId is derived from the index itself: stable until the next change.
        let hex = ObjectID(bytes: checksum).hex
        var revisionId = Latest.uuidShaped(hex)
        var lastModified = fallbackTime
        var tree: ObjectID?
        let fields = KeyValueRecord.parse(metadata ?? []).filter { !$0.value.isEmpty }
        if fields["index"] == hex {
            revisionId = fields["revision-id"] ?? revisionId
            lastModified = fields["last-modified"].flatMap { Int64($0) } ?? fallbackTime
            tree = fields["tree"].flatMap { ObjectID(hex: $0) }
        }
        return Latest(code: code, configuration: configuration, revisionId: revisionId, lastModified: lastModified, tree: tree)
    }

    /// Removes `prefix` from the start of `path` if it is there: one memcmp, one memmove (the
    /// generic `starts(with:)` and `removeFirst` cost about 140 instructions per path).
    static func strip(_ prefix: [UInt8], from path: inout [UInt8]) -> Bool {
        let n = prefix.count
        guard n > 0, path.count >= n, sameBytes(path[..<n], prefix[...]) else { return false }
        path.withUnsafeMutableBufferPointer { bytes in
            _ = memmove(bytes.baseAddress!, bytes.baseAddress! + n, bytes.count - n)
        }
        path.removeLast(n)
        return true
    }

    static func uuidShaped(_ hex: String) -> String {
        var bytes = Array(hex.utf8.prefix(32))  // bytes, not Characters: see decision 0021
        for dash in [20, 16, 12, 8] where dash < bytes.count { bytes.insert(UInt8(ascii: "-"), at: dash) }
        return String(decoding: bytes, as: UTF8.self)
    }

    func metadata(indexChecksum: [UInt8]) -> [UInt8] {
        var text = "index \(ObjectID(bytes: indexChecksum).hex)\nrevision-id \(revisionId)\nlast-modified \(lastModified)\n"
        if let tree { text += "tree \(tree.hex)\n" }
        return Array(text.utf8)
    }

    /// The trees of `$LATEST` (Format.md §6): `code/` built from the code entries as they are (no
    /// `code/`-prefixed copy of every path), and the root, which holds `code` (when there are
    /// files) and `function.json`. Each tree goes to `emit` (which stores or only hashes it),
    /// children before parents.
    func buildTrees(configBlob: ObjectID, _ emit: (Tree) throws -> ObjectID) throws -> (root: ObjectID, code: ObjectID?, rootTree: Tree) {
        var entries = [TreeEntry]()
        var codeTree: ObjectID?
        if !code.isEmpty {
            let tree = try Index.buildTree(sorted: code[...], emit)
            entries.append(TreeEntry(name: Array("code".utf8), mode: .directory, id: tree))
            codeTree = tree
        }
        entries.append(TreeEntry(name: Latest.configPath, mode: .file, id: configBlob))
        let rootTree = Tree(entries: entries)
        return (try emit(rootTree), codeTree, rootTree)
    }

    /// Writes `$LATEST`'s index (code entries under `code/`, then `function.json`) to `sink` in
    /// pieces, without making 20,000 prefixed path copies; returns its checksum.
    func writeIndex(configBlob: ObjectID, to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> [UInt8] {
        try Index.write(code, pathPrefix: Latest.codePrefix,
                        then: [IndexEntry(path: Latest.configPath, id: configBlob, mode: .file)], to: sink)
    }

    /// Same code and configuration (stat data, RevisionId and time aside).
    func sameContent(as other: Latest) -> Bool {
        configuration == other.configuration && IndexEntry.same(code, other.code, withStat: false)
    }

    /// Every field equal, the entries compared in place (`IndexEntry.same`).
    public static func == (a: Latest, b: Latest) -> Bool {
        a.revisionId == b.revisionId && a.lastModified == b.lastModified && a.tree == b.tree
            && a.configuration == b.configuration && IndexEntry.same(a.code, b.code, withStat: true)
    }
}

extension Repository {
    /// Reads `$LATEST` without locking (readers never need the lock: writes are atomic renames).
    public func readLatest() throws -> Latest {
        try LVCError.wrap("read $LATEST") {
            // Mapped, not read: a 2.4 MB copy would cost as many page faults as its pages. The
            // index is only ever replaced by a rename, so the mapped bytes never change.
            let file: MappedFile
            do { file = try MappedFile(path: indexPath) } catch StoreError.io(_, _, let code) where code == ENOENT || code == ENOTDIR {
                return Latest.empty(now: identity.now())
            } catch StoreError.corruptFile(let path, _) {
                throw StoreError.corruptFile(path: path, reason: "too short")
            }
            let bytes = file.bytes
            var index: Index
            do {
                // A large index is checksummed on another thread while its entries are decoded.
                if bytes.count >= 1 << 18 {
                    let checking = BackgroundTask { Index.checksumMatches(file.bytes) }
                    let decoded = Result { try Index.decode(bytes, checksumVerified: true) }
                    guard try checking.value() else { throw StoreError.corruptFile(path: indexPath, reason: "checksum mismatch") }
                    index = try decoded.get()
                } else {
                    index = try Index.decode(bytes)
                }
            } catch let error as Index.DecodeError {
                throw StoreError.corruptFile(path: indexPath, reason: error.reason)
            }
            let metadata = try FileSystem.readIfExists(latestMetadataPath)
            return try Latest.decode(index.takeEntries(), checksum: Array(bytes.suffix(32)), metadata: metadata,
                                     fallbackTime: Int64(indexModificationTime().0)) { id in
                try readConfiguration(blob: id)
            }
        }
    }

    func readConfiguration(blob id: ObjectID) throws -> FunctionConfiguration {
        let body = try objects.read(id, as: .blob)
        do { return try FunctionConfiguration.decode(body) } catch {
            throw StoreError.corruptObject(id, reason: "function.json cannot be parsed")
        }
    }

    /// Takes `$LATEST`'s lock (`index.lock`), lets `body` change it, and commits the new index
    /// atomically. If the content changed, `$LATEST` gets a new RevisionId and LastModified.
    @discardableResult
    func withLatestLock<T>(_ action: String, _ body: (inout Latest) throws -> T) throws -> T {
        let lock = try LVCError.wrap(action) { try LockFile(for: indexPath) }
        defer { lock.rollback() }
        let before = try readLatest()
        var latest = before
        let result = try body(&latest)
        if !latest.sameContent(as: before) && latest.revisionId == before.revisionId {
            latest.revisionId = Latest.newRevisionId()
            latest.lastModified = identity.now()
        }
        // The body may name $LATEST's new tree itself (checkout and add do); otherwise rebuild it.
        latest.tree = try LVCError.wrap(action) { try tree(of: latest, before: before) }
        let changed = latest != before
        if changed, IndexEntry.same(latest.code, before.code, withStat: true), latest.configuration == before.configuration,
           let current = FileSystem.readTail(indexPath, count: 32), current.count == 32 {
            // Only the RevisionId or time moved (a publish): the index stays, its metadata changes.
            try LVCError.wrap(action) {
                try FileSystem.atomicWrite(latestMetadataPath, latest.metadata(indexChecksum: Array(current.suffix(32))))
            }
        } else if changed || !FileSystem.exists(indexPath) {
            try LVCError.wrap(action) {
                let configBlob = try objects.write(.blob, latest.configuration.encoded)
                let checksum = try latest.writeIndex(configBlob: configBlob) { try lock.write($0) }
                try FileSystem.atomicWrite(latestMetadataPath, latest.metadata(indexChecksum: checksum))
                try lock.commit()
            }
        }
        // Committed. The history of $LATEST follows (while $LATEST is still locked); if it cannot
        // be written now, the next command that locks $LATEST records the state.
        try? recordLatestState(tree: latest.tree, action: action)
        return result
    }

    /// `latest`'s tree: the one it names, unless its content changed from `before`'s and it still
    /// names `before`'s tree; then the new tree is written. From the old tree when there is one
    /// (only the changed folders are rewritten); any trouble with it, and the whole tree is written
    /// from the entries. From nothing (a first `add`), every path is a change: the entries are
    /// written directly, without a list of 20,000 changes (3.5 MB at the peak).
    /// `pack`: where new trees go when `add` is writing a pack (otherwise they are loose).
    func tree(of latest: Latest, before: Latest, into pack: PackWriter? = nil) throws -> ObjectID? {
        if let tree = latest.tree, latest.sameContent(as: before) || tree != before.tree { return tree }
        if latest.tree != nil, !before.code.isEmpty,
           let updated = try? updatedLatestTree(from: before, to: latest, into: pack) { return updated }
        return try writeLatestTree(latest, into: pack).root
    }

    var latestMetadataPath: String { gitDirectory + "/lvc/latest" }
}
