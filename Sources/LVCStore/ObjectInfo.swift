#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An object's kind and size, as its header gives them: what `lvc ls` shows for every file of a
/// version, read the way `git ls-tree -l` and `git cat-file -s` read it, without inflating the
/// body. Listing the 20,000 files of a version took 1.4 s when every blob was read whole; from
/// the headers it takes tens of milliseconds.
///
/// Nothing of the body is handed out, so its hash is not checked here; every read of the bytes
/// (`read`, `readBlob`, `streamBlob`) and `lvc fsck` check it. A header that cannot be read falls
/// back to reading the object whole, so that a damaged object is reported as `read` reports it.
public struct ObjectInfo: Sendable, Equatable {
    public var kind: ObjectKind
    public var size: Int

    public init(kind: ObjectKind, size: Int) {
        self.kind = kind
        self.size = size
    }
}

extension ObjectStore {
    /// The kind and size of object `id` (Format.md §3, §4), from its header.
    public func info(_ id: ObjectID) throws -> ObjectInfo {
        // Packs first: looking an id up in an idx costs less than a failed open of a loose file.
        if let info = packs.info(id) ?? loose.info(id) { return info }
        // Missing, or a header that does not parse: `read` names the fault (or finds the object
        // after all, in a pack that git wrote meanwhile).
        let object = try read(id)
        return ObjectInfo(kind: object.kind, size: object.body.count)
    }
}

extension LooseObjects {
    /// The header of a loose object, from the start of its file; nil when there is no such file
    /// or its start does not inflate to a header.
    func info(_ id: ObjectID) -> ObjectInfo? {
        let fd = open(path(of: id), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return LooseObjects.header(fd: fd)
    }
}

extension PackStore {
    /// The kind and size of a packed object: an entry stored whole gives both in its header; a
    /// delta gives the size at the start of its delta data, and the kind of the object at the
    /// end of its chain. nil when no pack holds `id` or its entries cannot be parsed.
    func info(_ id: ObjectID) -> ObjectInfo? {
        for pack in packs() {
            guard let offset = try? pack.offset(of: id) else { continue }
            if let info = try? info(pack: pack, offset: offset) { return info }
        }
        return nil
    }

    private func info(pack: Pack, offset: Int) throws -> ObjectInfo? {
        let file = try pack.data()
        let entry = try file.entry(at: offset)
        if case .object(let kind) = entry.content { return ObjectInfo(kind: kind, size: entry.size) }
        // Delta data starts with the base's size and the result's (Delta.header).
        let sizes = try Delta.header(try Zlib.inflatePrefix(try file.dataAfter(entry), count: 20))
        guard let kind = try baseKind(pack: pack, entry: entry) else { return nil }
        return ObjectInfo(kind: kind, size: sizes.resultSize)
    }

    /// The kind of the whole object at the end of a delta chain.
    private func baseKind(pack: Pack, entry: PackFile.Entry) throws -> ObjectKind? {
        var current = (pack: pack, entry: entry)
        for _ in 0..<Self.maxDeltaDepth {
            switch current.entry.content {
            case .object(let kind):
                return kind
            case .offsetDelta(let baseOffset):
                current.entry = try current.pack.data().entry(at: baseOffset)
            case .referenceDelta(let base):
                guard let located = try locate(base, preferring: current.pack) else { return nil }
                current = (located.pack, try located.pack.data().entry(at: located.offset))
            }
        }
        return nil
    }
}
