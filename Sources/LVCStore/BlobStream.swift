#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a large blob in pieces, so that checking out, packaging or verifying a 200 MB file
/// holds about a megabyte of it at a time instead of the whole file (and its compressed form).
///
/// The hash is checked when the last piece has been handed over: a caller must not let anything
/// it did with the pieces count before `readBlob` or `streamBlob` returns (a checkout writes them
/// to a temporary file that is renamed into place only then). Objects below `streamingThreshold`,
/// and deltas in packs (whose base must be whole anyway), are read whole, with the usual
/// verification. Decision 0017.
extension ObjectStore {
    /// From this size on (of the loose file, or of the object in a pack), blobs are streamed.
    public static let streamingThreshold = 4 << 20

    /// A blob read by `readBlob`: whole (it is small, or a delta), or already handed to the sink.
    public enum BlobRead {
        case whole([UInt8])
        case streamed(size: Int)
    }

    /// An object read by `readObject`: whole, or its body already handed to the sink.
    public enum ObjectRead {
        case whole(RawObject)
        case streamed(kind: ObjectKind, size: Int)
    }

    /// Reads blob `id` whole when it is small, as `read` does, or hands its body to `sink` in
    /// pieces when it is large. For a streamed blob, throws `StoreError.corruptObject` (after some
    /// pieces may have been handed over) when the bytes do not hash to `id`.
    public func readBlob(_ id: ObjectID, streamingInto sink: (UnsafeRawBufferPointer) throws -> Void) throws -> BlobRead {
        switch try readObject(id, kind: .blob, streamingInto: sink) {
        case .whole(let object): return .whole(object.body)
        case .streamed(_, let size): return .streamed(size: size)
        }
    }

    /// `readBlob` for an object of any kind (`kind` nil) or of one kind: `fsck` verifies large
    /// objects this way, whatever they are.
    public func readObject(_ id: ObjectID, kind: ObjectKind?,
                           streamingInto sink: (UnsafeRawBufferPointer) throws -> Void) throws -> ObjectRead {
        func checked(_ object: RawObject) throws -> ObjectRead {
            if let kind, object.kind != kind { throw StoreError.wrongKind(id, expected: kind, actual: object.kind) }
            return .whole(object)
        }
        switch try loose.streamObject(id, kind: kind, into: sink) {
        case .streamed(let kind, let size): return .streamed(kind: kind, size: size)
        case .small: return try checked(try read(id))
        case .absent: break
        }
        if case .streamed(let kind, let size) = try packs.streamObject(id, kind: kind, into: sink) {
            return .streamed(kind: kind, size: size)
        }
        guard let object = try packs.read(id) else { throw StoreError.missingObject(id) }
        guard ObjectHasher.id(of: object.kind, body: object.body) == id else {
            throw StoreError.corruptObject(id, reason: "hash mismatch in pack")
        }
        return try checked(object)
    }

    /// Hands the body of blob `id` to `sink`, in pieces when it is large, and returns its size.
    /// Throws `StoreError.corruptObject` (after some pieces may have been handed over) when the
    /// bytes do not hash to `id`, and the store's other errors as `read` does.
    @discardableResult
    public func streamBlob(_ id: ObjectID, into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        switch try readBlob(id, streamingInto: sink) {
        case .streamed(let size): return size
        case .whole(let body):
            try body.withUnsafeBytes { try sink($0) }
            return body.count
        }
    }
}

/// What a store part did with an object asked for streaming.
enum StreamOutcome {
    case absent
    /// There, but small (or a delta): read it whole.
    case small
    case streamed(ObjectKind, Int)
}

/// Takes the inflated bytes of one object (header, then body), hands the body on, and checks
/// kind, size and hash at the end.
struct VerifyingSink {
    let id: ObjectID
    /// The kind the caller wants; nil for any.
    let wanted: ObjectKind?
    private(set) var kind: ObjectKind?
    private var header = [UInt8]()
    private var hasher: ObjectHasher?
    private var size = 0
    private(set) var received = 0

    /// `kind` and `size` from a pack entry's header; without them, from the loose object's own
    /// header at the start of the bytes.
    init(id: ObjectID, wanted: ObjectKind?, kind: ObjectKind? = nil, size: Int? = nil) {
        self.id = id
        self.wanted = wanted
        if let kind, let size {
            self.kind = kind
            hasher = ObjectHasher(kind: kind, size: size)
            self.size = size
        }
    }

    mutating func take(_ chunk: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var body = chunk
        if hasher == nil {
            // The loose object's header (`blob <size>\0`) may arrive split over pieces.
            let nul = chunk.firstIndex(of: 0)
            header += chunk[..<(nul ?? chunk.endIndex)]
            guard let nul else {
                if header.count > ObjectKind.maxHeaderCount { throw StoreError.corruptObject(id, reason: "no object header") }
                return
            }
            let parsed: (kind: ObjectKind, size: Int, count: Int)
            do { parsed = try ObjectKind.parseHeader(header + [0]) } catch {
                throw StoreError.corruptObject(id, reason: error.reason)
            }
            if let wanted, parsed.kind != wanted { throw StoreError.wrongKind(id, expected: wanted, actual: parsed.kind) }
            kind = parsed.kind
            hasher = ObjectHasher(kind: parsed.kind, size: parsed.size)
            size = parsed.size
            body = UnsafeRawBufferPointer(rebasing: chunk[(nul + 1)...])
        }
        guard !body.isEmpty else { return }
        received += body.count
        guard received <= size else {
            throw StoreError.corruptObject(id, reason: "header says \(size) bytes, the object has more")
        }
        hasher!.update(body)
        try sink(body)
    }

    /// The checks once the stream has ended.
    func finish() throws -> Int {
        guard let hasher else { throw StoreError.corruptObject(id, reason: "no object header") }
        guard received == size else {
            throw StoreError.corruptObject(id, reason: "header says \(size) bytes, the object has \(received)")
        }
        guard hasher.finalize() == id else {
            throw StoreError.corruptObject(id, reason: "hash mismatch (the file does not hold the object it is named after)")
        }
        return size
    }
}

extension LooseObjects {
    /// Whether a loose file may hold an object of `streamingThreshold` bytes or more: a large
    /// file always; a small one only if deflate could expand it that far (1032:1 at most), and
    /// then its header says (50 MB of zeros take 50 KB).
    static func mayHoldLargeObject(fd: Int32, compressedSize: Int) -> Bool {
        if compressedSize >= ObjectStore.streamingThreshold { return true }
        guard compressedSize * 1032 >= ObjectStore.streamingThreshold else { return false }
        guard let header = header(fd: fd) else { return false }  // `read` names the fault
        return header.size >= ObjectStore.streamingThreshold
    }

    /// The kind and size a loose object's file announces, from its start; nil when the start
    /// does not inflate to a header. The first deflate block starts with its Huffman tables
    /// (level 1 writes dynamic ones, up to a few hundred bytes) before the header's bytes: a
    /// kilobyte holds them.
    static func header(fd: Int32) -> ObjectInfo? {
        var start = [UInt8](repeating: 0, count: 1024)
        let count = start.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0,
              let header = try? start.withUnsafeBytes({ try Zlib.inflatePrefix(UnsafeRawBufferPointer(rebasing: $0[0..<count]), count: ObjectKind.maxHeaderCount) }),
              let parsed = try? ObjectKind.parseHeader(header) else { return nil }
        return ObjectInfo(kind: parsed.kind, size: parsed.size)
    }

    /// Streams a large loose object (of kind `kind`, or any) from its file, a megabyte at a time.
    func streamObject(_ id: ObjectID, kind: ObjectKind?, into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> StreamOutcome {
        let fd = open(path(of: id), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .absent }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, LooseObjects.mayHoldLargeObject(fd: fd, compressedSize: Int(st.st_size)) else { return .small }
        var verifier = VerifyingSink(id: id, wanted: kind)
        let inflater: Zlib.Inflater
        do { inflater = try Zlib.Inflater(format: .zlib) } catch let error as Zlib.Failure {
            throw StoreError.corruptObject(id, reason: error.description)
        }
        let whole: Bool
        do {
            whole = try FileSystem.readPieces(fd: fd, size: Int(st.st_size), path: path(of: id)) { piece in
                let consumed = try inflater.update(piece) { try verifier.take($0, sink) }
                if consumed != piece.count { throw Zlib.Failure(description: "data after the end of the zlib stream") }
            }
        } catch let error as Zlib.Failure {
            throw StoreError.corruptObject(id, reason: error.description)
        }
        guard whole else { throw StoreError.corruptObject(id, reason: "the file changed while it was read") }
        guard inflater.ended else { throw StoreError.corruptObject(id, reason: "compressed data is truncated") }
        let size = try verifier.finish()
        return .streamed(verifier.kind!, size)
    }
}

extension PackStore {
    /// Streams a large object (of kind `kind`, or any) stored whole, not as a delta, in a pack,
    /// from the mapped pack.
    func streamObject(_ id: ObjectID, kind: ObjectKind?, into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> StreamOutcome {
        let outcome = try streamObject(id, kind: kind, in: packs(), into: sink)
        if case .absent = outcome, let changed = refreshedPacks() { return try streamObject(id, kind: kind, in: changed, into: sink) }
        return outcome
    }

    private func streamObject(_ id: ObjectID, kind wanted: ObjectKind?, in packs: [Pack],
                              into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> StreamOutcome {
        var found = false
        for pack in packs {
            guard let offset = try? pack.offset(of: id) else { continue }
            found = true
            guard let file = try? pack.data(), let entry = try? file.entry(at: offset), case .object(let kind) = entry.content,
                  wanted == nil || kind == wanted, entry.size >= ObjectStore.streamingThreshold else { continue }
            var verifier = VerifyingSink(id: id, wanted: wanted, kind: kind, size: entry.size)
            do {
                let inflater = try Zlib.Inflater(format: .zlib)
                let data = try file.dataAfter(entry)
                let used = try inflater.update(data) { try verifier.take($0, sink) }
                MappedFile.release(UnsafeRawBufferPointer(rebasing: data[0..<used]))
                guard inflater.ended else { throw Zlib.Failure(description: "compressed data is truncated") }
            } catch let error as Zlib.Failure {
                throw StoreError.corruptObject(id, reason: "in pack \(pack.name): \(error.description)")
            }
            return .streamed(kind, try verifier.finish())
        }
        return found ? .small : .absent
    }
}
