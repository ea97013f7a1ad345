import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loose objects: one zlib stream per file at `objects/<2 hex>/<62 hex>`, as git writes them.
/// Writes go to a temporary file outside `objects/` and are renamed into place, so a reader (or a
/// crash) never sees a partial object. Safe to use from several threads at once.
public final class LooseObjects: Sendable {
    public let directory: String
    public let temporaryDirectory: String
    /// git writes loose objects at level 1 (core.looseCompression); deflate dominates staging time.
    let compressionLevel: Int32 = 1
    private let knownFanout = Mutex<Set<UInt8>>([])

    public init(directory: String, temporaryDirectory: String) {
        self.directory = directory
        self.temporaryDirectory = temporaryDirectory
    }

    public func path(of id: ObjectID) -> String {
        let hex = id.hex
        return "\(directory)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    public func contains(_ id: ObjectID) -> Bool {
        FileSystem.exists(path(of: id))
    }

    /// Reads and verifies an object: nil if absent; throws if present but corrupt.
    ///
    /// For a large object the header is inflated first, so that the object is inflated once into a
    /// buffer of the size it announces; the body is cut from that buffer in place. A 30 MB file
    /// costs its compressed bytes and one 30 MB buffer, not a guessed buffer regrown by doubling
    /// and a copy.
    public func read(_ id: ObjectID, limit: Int = Int.max) throws -> RawObject? {
        guard let compressed = try FileSystem.readIfExists(path(of: id)) else { return nil }
        var inflated: [UInt8]
        do {
            inflated = try compressed.withUnsafeBytes { raw in
                // The announced size is trusted only as far as deflate can expand (1032:1), so a
                // corrupt header cannot make lvc allocate more than the data could hold.
                if raw.count >= LooseObjects.sizedReadThreshold,
                   let (_, size, headerCount) = try? ObjectKind.parseHeader(Zlib.inflatePrefix(raw, count: ObjectKind.maxHeaderCount)),
                   size <= limit - headerCount, size <= raw.count * 1032,
                   let exact = try? Zlib.inflate(raw, expectedSize: headerCount + size, limit: headerCount + size) {
                    return exact
                }
                // No readable header, or a stream that does not match it: inflate as it comes, so
                // that the checks below name the fault.
                return try Zlib.inflate(raw, expectedSize: compressed.count * 3, limit: limit)
            }
        } catch let error as Zlib.Failure {
            throw StoreError.corruptObject(id, reason: error.description)
        }
        let kind: ObjectKind, size: Int, headerCount: Int
        do {
            (kind, size, headerCount) = try ObjectKind.parseHeader(inflated)
        } catch {
            throw StoreError.corruptObject(id, reason: error.reason)
        }
        inflated.removeSubrange(..<headerCount)  // in place: the body is what is left
        let body = inflated
        guard body.count == size else {
            throw StoreError.corruptObject(id, reason: "header says \(size) bytes, the object has \(body.count)")
        }
        guard ObjectHasher.id(of: kind, body: body) == id else {
            throw StoreError.corruptObject(id, reason: "hash mismatch (the file does not hold the object it is named after)")
        }
        return RawObject(kind: kind, body: body)
    }

    /// From this compressed size on, `read` inflates the header first to size the buffer; below
    /// it, a second inflate set-up costs more than a regrown buffer would (trees in a diff).
    static let sizedReadThreshold = 32 << 10

    /// Writes an object whose id the caller computed and which the caller found missing from the
    /// store (`ObjectStore.write` looks here first, then in the packs).
    public func write(kind: ObjectKind, body: UnsafeRawBufferPointer, id: ObjectID) throws {
        let deflater = Zlib.Deflater(level: compressionLevel)
        var compressed = [UInt8]()
        compressed.reserveCapacity(body.count / 2 + 64)
        ObjectKind.header(kind, size: body.count).withUnsafeBytes { h in
            deflater.update(h) { compressed.append(contentsOf: $0) }
        }
        deflater.update(body) { compressed.append(contentsOf: $0) }
        deflater.finish { compressed.append(contentsOf: $0) }
        try compressed.withUnsafeBytes { raw in
            let tmp = try FileSystem.writeTemporary(in: temporaryDirectory, prefix: "obj-", raw)
            try install(tmp, as: id)
        }
    }

    /// Streams a file of known size into the store without holding it in memory.
    /// Returns nil if the file's size changed while it was read (the caller retries or reports).
    public func writeBlob(fromFileDescriptor fd: Int32, size: Int, path: String) throws -> ObjectID? {
        var template = Array("\(temporaryDirectory)/obj-XXXXXX".utf8CString)
        let out = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let tmp = FileSystem.string(fromCBuffer: template)
        guard out >= 0 else { throw StoreError.io(path: temporaryDirectory, operation: "create a temporary file in", errno: errno) }
        var installed = false
        defer {
            close(out)
            if !installed { unlink(tmp) }
        }
        let deflater = Zlib.Deflater(level: compressionLevel)
        var hasher = ObjectHasher(kind: .blob, size: size)
        var writeError: StoreError?
        let sink: (UnsafeRawBufferPointer) -> Void = { chunk in
            guard writeError == nil else { return }
            do { try FileSystem.writeAll(fd: out, chunk, path: tmp) } catch { writeError = error as? StoreError }
        }
        ObjectKind.header(.blob, size: size).withUnsafeBytes { deflater.update($0, sink: sink) }
        let whole = try FileSystem.readPieces(fd: fd, size: size, path: path) { chunk in
            hasher.update(chunk)
            deflater.update(chunk, sink: sink)
        }
        guard whole else { return nil }
        deflater.finish(sink: sink)
        if let writeError { throw writeError }
        let id = hasher.finalize()
        if contains(id) { return id }
        fchmod(out, 0o444)
        try install(tmp, as: id)
        installed = true
        return id
    }

    func install(_ tmp: String, as id: ObjectID) throws {
        let fan = id.firstByte
        let known = knownFanout.withLock { $0.contains(fan) }
        let target = path(of: id)
        if !known {
            let dir = FileSystem.dirname(of: target)
            if mkdir(dir, 0o755) != 0 && errno != EEXIST {
                unlink(tmp)
                throw StoreError.io(path: dir, operation: "create directory", errno: errno)
            }
            knownFanout.withLock { _ = $0.insert(fan) }
        }
        // rename() replaces an object that appeared meanwhile; both have the same verified bytes.
        do { try FileSystem.rename(tmp, target) } catch { unlink(tmp); throw error }
    }

    /// Every loose object id (for fsck and gc).
    public func allIDs() throws -> [ObjectID] {
        var ids = [ObjectID]()
        for fan in 0..<256 {
            let hi = String(fan, radix: 16)
            let prefix = hi.count == 1 ? "0" + hi : hi
            let dir = "\(directory)/\(prefix)"
            guard let names = try? FileSystem.listDirectory(dir) else { continue }
            for name in names where name.utf8.count == ObjectID.hexCount - 2 {
                if let id = ObjectID(hex: prefix + name) { ids.append(id) }
            }
        }
        return ids
    }
}
