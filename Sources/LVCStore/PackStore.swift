import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The packed objects of a store, as `git gc`, `git repack` or a fetch leave them in
/// `objects/pack`: read-only, pack v2 with idx v2 and 32-byte SHA-256 names, with OFS_DELTA and
/// REF_DELTA entries resolved (see `PackFile`, `PackIndex`, `Delta`).
///
/// Only `pack-<hex>.idx` files with a matching `pack-<hex>.pack` count; `.bitmap`, `.rev`,
/// `.keep`, `.promisor` and `multi-pack-index` are ignored. Files are mapped on first use. The
/// directory is listed lazily and listed again when a lookup misses and the directory has changed
/// since (git may have written or replaced packs meanwhile). Reads check that entries are
/// well-formed but not the object hash: `ObjectStore.read` does that. Safe to use from several
/// threads at once.
public final class PackStore: Sendable {
    public let directory: String
    /// Longer delta chains are taken for cycles (REF_DELTA entries can name each other).
    static let maxDeltaDepth = 10_000

    private struct Listing {
        var packs: [Pack] = []
        var stamp: DirectoryStamp?
        var scanned = false
        /// False when the directory changed so recently that a further change might not move
        /// its timestamp: the next refresh lists it regardless.
        var stampIsReliable = false
    }

    private let listing = Mutex(Listing())
    private let bases = Mutex(DeltaBaseCache())

    public init(directory: String) {
        self.directory = directory
    }

    public func contains(_ id: ObjectID) -> Bool {
        if contains(id, in: packs()) { return true }
        guard let changed = refreshedPacks() else { return false }
        return contains(id, in: changed)
    }

    /// The object, or nil if it is in no pack. Throws `StoreError.corruptFile` when the pack
    /// holding it (or its index) is damaged and no other pack has it.
    public func read(_ id: ObjectID) throws -> RawObject? {
        if let object = try read(id, in: packs()) { return object }
        guard let changed = refreshedPacks() else { return nil }
        return try read(id, in: changed)
    }

    /// Every packed object id, sorted, each once.
    public func allIDs() throws -> [ObjectID] {
        _ = refreshedPacks()
        var ids = Set<ObjectID>()
        for pack in packs() {
            do {
                ids.formUnion(try pack.index().allIDs())
            } catch let error as StoreError where error.isFileMissing {
                continue  // removed by git gc since the listing
            }
        }
        return ids.sorted()
    }

    // MARK: - Lookup

    private func contains(_ id: ObjectID, in packs: [Pack]) -> Bool {
        packs.contains { pack in (try? pack.index().position(of: id)) != nil }
    }

    private func read(_ id: ObjectID, in packs: [Pack]) throws -> RawObject? {
        var failure: (any Error)?
        for pack in packs {
            do {
                guard let offset = try pack.offset(of: id) else { continue }
                return try resolve(pack: pack, offset: offset)
            } catch let error as StoreError where error.isFileMissing {
                continue  // removed by git gc since the listing; the caller lists again
            } catch {
                // Another pack may hold a good copy; report the damage only if none does.
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return nil
    }

    /// The pack entry of `id` for a REF_DELTA base: in `pack` if it is there, else in any pack.
    func locate(_ id: ObjectID, preferring pack: Pack) throws -> (pack: Pack, offset: Int)? {
        if let offset = try pack.offset(of: id) { return (pack, offset) }
        for other in packs() where other !== pack {
            if let offset = try? other.offset(of: id) { return (other, offset) }
        }
        return nil
    }

    // MARK: - Delta resolution

    private struct Link {
        var file: PackFile
        var entry: PackFile.Entry
        var key: DeltaBaseCache.Key
    }

    /// Reads the entry at `offset`: walks delta entries down to a whole object (or a cached
    /// base), then applies the deltas back up, caching the intermediate bases.
    private func resolve(pack: Pack, offset: Int) throws -> RawObject {
        var chain: [Link] = []
        var current = (pack: pack, offset: offset)
        var object: RawObject
        walk: while true {
            let key = DeltaBaseCache.Key(pack: current.pack.name, offset: current.offset)
            if !chain.isEmpty, let cached = bases.withLock({ $0.object(for: key) }) {
                object = cached
                break walk
            }
            guard chain.count < Self.maxDeltaDepth else {
                let reason = "entry at offset \(offset): delta chain longer than \(Self.maxDeltaDepth) (a cycle?)"
                throw StoreError.corruptFile(path: pack.dataPath, reason: reason)
            }
            let file = try current.pack.data()
            let entry = try file.entry(at: current.offset)
            switch entry.content {
            case .object(let kind):
                object = RawObject(kind: kind, body: try file.inflate(entry))
                if !chain.isEmpty { remember(object, key) }
                break walk
            case .offsetDelta(let baseOffset):
                chain.append(Link(file: file, entry: entry, key: key))
                current.offset = baseOffset
            case .referenceDelta(let base):
                chain.append(Link(file: file, entry: entry, key: key))
                guard let located = try locate(base, preferring: current.pack) else {
                    throw StoreError.corruptFile(path: current.pack.dataPath,
                                                 reason: "entry at offset \(entry.offset): delta base \(base) is in no pack")
                }
                current = located
            }
        }
        for (depth, link) in chain.enumerated().reversed() {
            let delta = try link.file.inflate(link.entry)
            do {
                object.body = try Delta.apply(delta, to: object.body)
            } catch let failure as Delta.Failure {
                throw StoreError.corruptFile(path: link.file.file.path,
                                             reason: "entry at offset \(link.entry.offset): \(failure.description)")
            }
            if depth > 0 { remember(object, link.key) }
        }
        return object
    }

    private func remember(_ object: RawObject, _ key: DeltaBaseCache.Key) {
        bases.withLock { $0.insert(object, for: key) }
    }

    // MARK: - Listing the directory

    /// The packs as last listed (listing the directory on first use).
    func packs() -> [Pack] {
        listing.withLock { listing in
            if !listing.scanned { rescan(&listing) }
            return listing.packs
        }
    }

    /// Lists the directory again if it may have changed; returns the new packs if the set of
    /// packs changed, nil if it did not.
    func refreshedPacks() -> [Pack]? {
        listing.withLock { listing -> [Pack]? in
            if listing.scanned && listing.stampIsReliable && DirectoryStamp(path: directory) == listing.stamp {
                return nil
            }
            let before = listing.packs.map(\.name)
            rescan(&listing)
            return listing.packs.map(\.name) == before ? nil : listing.packs
        }
    }

    private func rescan(_ listing: inout Listing) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let stamp = DirectoryStamp(path: directory)
        // A missing directory means no packs; an unreadable one is treated the same (nothing to
        // read from it), and is listed again on the next miss.
        let names = (try? FileSystem.listDirectory(directory)) ?? []
        let files = Set(names)
        var known = Dictionary(listing.packs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var packs = [Pack]()
        for name in names.sorted() where name.hasPrefix("pack-") && name.hasSuffix(".idx") {
            let base = String(name.dropLast(".idx".count))
            guard files.contains(base + ".pack") else { continue }
            packs.append(known.removeValue(forKey: base) ?? Pack(directory: directory, name: base))
        }
        listing.packs = packs
        listing.stamp = stamp
        listing.scanned = true
        listing.stampIsReliable = stamp.map { Int(now.tv_sec) - $0.seconds >= 2 } ?? (names.isEmpty)
    }
}

/// What `stat` says about a directory: when it is unchanged, so are its entries (as long as the
/// change was not within the same timestamp tick as the listing; see `stampIsReliable`).
struct DirectoryStamp: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var seconds: Int
    var nanoseconds: Int

    /// nil when the path cannot be stat'ed (usually: it does not exist).
    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        #if canImport(Darwin)
        seconds = Int(st.st_mtimespec.tv_sec)
        nanoseconds = Int(st.st_mtimespec.tv_nsec)
        #else
        seconds = Int(st.st_mtim.tv_sec)
        nanoseconds = Int(st.st_mtim.tv_nsec)
        #endif
    }
}

extension StoreError {
    /// A file that was listed has been removed since (git gc deletes replaced packs).
    var isFileMissing: Bool {
        if case .io(_, _, let code) = self { return code == ENOENT }
        return false
    }
}
