import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes new objects into one pack (v2, no deltas) with its idx v2, instead of one loose file per
/// object: staging a fresh 20,000-file tree creates two files, not 20,000 (ext4 pays for every
/// inode it allocates, more so right after many were freed). `git gc` deltifies later if asked.
///
/// Objects are appended from any thread, in any order; `finish` writes the idx (names sorted) and
/// renames the pack, then the idx, into `objects/pack/` (the reader, like git, only sees a pack
/// once its idx exists). Until then nothing is visible; `abandon` (or dropping the writer without
/// `finish`) deletes the temporary files. Like loose objects, packs are not fsynced
/// (Documentation/Decisions/0006-durability.md). Format.md §4.1.
public final class PackWriter: Sendable {
    typealias Entry = PackEntries.Entry

    private struct State {
        var fd: Int32
        var offset = 0
        var entries: PackEntries
        var finished = false
        var failure: StoreError?
    }

    private let packDirectory: String
    private let temporaryPath: String
    private let state: Mutex<State>

    /// `temporaryDirectory` must be on the same file system as `packDirectory` (lvc/tmp).
    /// `expectedCount`: about how many objects will be added (room is reserved for them).
    public init(packDirectory: String, temporaryDirectory: String, expectedCount: Int = 0) throws {
        self.packDirectory = packDirectory
        var template = Array("\(temporaryDirectory)/pack-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        temporaryPath = FileSystem.string(fromCBuffer: template)
        guard fd >= 0 else { throw StoreError.io(path: temporaryDirectory, operation: "create a temporary pack in", errno: errno) }
        state = Mutex(State(fd: fd, entries: PackEntries(expectedCount: expectedCount)))
        // The header's object count is written by `finish`, once it is known.
        try append(raw: [UInt8](repeating: 0, count: 12))
    }

    deinit {
        state.withLock { state in
            if state.fd >= 0 { close(state.fd) }
            if !state.finished { unlink(temporaryPath) }
        }
    }

    /// Adds an object whose id the caller computed, given its body compressed as one zlib stream
    /// (`Zlib.Deflater` with the zlib format). An id added twice is stored once.
    public func append(_ kind: ObjectKind, id: ObjectID, size: Int, zlibBody: [UInt8]) throws {
        var header = [UInt8]()
        var rest = size >> 4
        header.append(UInt8(kind.packType << 4) | UInt8(size & 0x0F) | (rest > 0 ? 0x80 : 0))
        while rest > 0 {
            let byte = UInt8(rest & 0x7F)
            rest >>= 7
            header.append(byte | (rest > 0 ? 0x80 : 0))
        }
        try state.withLock { state in
            let crc = Zlib.crc32(zlibBody, seed: Zlib.crc32(header))
            guard state.entries.insert(Entry(id: id, offset: state.offset, crc: crc)) else { return }
            try write(header, &state)
            try write(zlibBody, &state)
        }
    }

    /// Completes the pack and its idx and moves them into `objects/pack/`. Returns the pack's
    /// name (`pack-<hex>`), or nil if no object was added (then nothing is written).
    @discardableResult
    public func finish() throws -> String? {
        try state.withLock { state -> String? in
            var installed = false
            defer {
                state.finished = true
                close(state.fd)
                state.fd = -1
                if !installed { unlink(temporaryPath) }  // once renamed, the name is no longer ours
                // The list of entries (about a megabyte for 20,000 objects) is needed no more:
                // freed now, not when the writer goes, since `add` goes on to write the index.
                state.entries = PackEntries()
            }
            if let failure = state.failure { throw failure }
            guard !state.entries.isEmpty else { return nil }
            var header = Array("PACK".utf8)
            header.appendBigEndian(UInt32(2))
            header.appendBigEndian(UInt32(state.entries.count))
            guard header.withUnsafeBytes({ pwrite(state.fd, $0.baseAddress, 12, 0) }) == 12 else {
                throw StoreError.io(path: temporaryPath, operation: "write", errno: errno)
            }
            // The checksum covers the header, which is only known now: read the pack back once.
            let checksum = try checksum(fd: state.fd, length: state.offset)
            try checksum.withUnsafeBytes { try FileSystem.writeAll(fd: state.fd, $0, path: temporaryPath) }
            let name = "pack-" + ObjectID(bytes: checksum).hex
            let entries = state.entries.list, order = state.entries.positionsByID()
            try FileSystem.makeDirectories(packDirectory)
            let idxTemporary = try FileSystem.writeTemporary(in: FileSystem.dirname(of: temporaryPath), prefix: "idx-") { fd, path in
                try PackWriter.writeIndex(entries, order: order, packChecksum: checksum) { try FileSystem.writeAll(fd: fd, $0, path: path) }
            }
            fchmod(state.fd, 0o444)
            do {
                try FileSystem.rename(temporaryPath, "\(packDirectory)/\(name).pack")
                installed = true
                try FileSystem.rename(idxTemporary, "\(packDirectory)/\(name).idx")
            } catch {
                unlink(idxTemporary)
                throw error
            }
            return name
        }
    }

    /// Deletes the temporary pack without installing anything.
    public func abandon() {
        state.withLock { state in
            state.finished = true
            if state.fd >= 0 { close(state.fd); state.fd = -1 }
            unlink(temporaryPath)
        }
    }

    private func append(raw: [UInt8]) throws {
        try state.withLock { state in try write(raw, &state) }
    }

    private func write(_ bytes: [UInt8], _ state: inout State) throws {
        if let failure = state.failure { throw failure }
        do {
            try bytes.withUnsafeBytes { try FileSystem.writeAll(fd: state.fd, $0, path: temporaryPath) }
            state.offset += bytes.count
        } catch let error as StoreError {
            state.failure = error
            throw error
        }
    }

    /// SHA-256 of the first `length` bytes of the file (the pack's trailer), read back through a
    /// 64 KiB buffer (a larger one is no faster, and this runs near `add`'s memory peak).
    private func checksum(fd: Int32, length: Int) throws -> [UInt8] {
        var hasher = ByteHasher()
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var at = 0
        while at < length {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, min($0.count, length - at), off_t(at)) }
            guard n > 0 else { throw StoreError.io(path: temporaryPath, operation: "read back", errno: n < 0 ? errno : EIO) }
            hasher.update(buffer[..<n])
            at += n
        }
        return hasher.finalize()
    }

    /// Writes the idx v2 of a pack (Format.md §4.1) to `sink`: fanout, sorted names, CRC-32s,
    /// offsets, checksums, in pieces of about 64 KiB. `entries` are in pack order; `order` lists
    /// their positions by id (`PackEntries.positionsByID`). The idx of 20,000 objects is 800 KB,
    /// which would otherwise be allocated and filled at the end of a fresh `add`, when its memory
    /// peaks.
    static func writeIndex(_ packed: [Entry], order: [UInt32], packChecksum: [UInt8],
                           to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let entries = order.lazy.map { packed[Int($0)] }  // by id
        let pieceSize = 64 << 10
        var piece = [UInt8]()
        piece.reserveCapacity(pieceSize + ObjectID.byteCount)
        var hasher = ByteHasher()
        func send(whenFull: Bool = true) throws {
            guard !whenFull || piece.count >= pieceSize else { return }
            hasher.update(piece)
            try piece.withUnsafeBytes(sink)
            piece.removeAll(keepingCapacity: true)
        }
        piece += PackIndex.magic
        piece.appendBigEndian(UInt32(2))
        var fanout = [UInt32](repeating: 0, count: 256)
        for entry in entries { fanout[Int(entry.id.firstByte)] += 1 }
        var total: UInt32 = 0
        for b in 0..<256 {
            total += fanout[b]
            piece.appendBigEndian(total)
        }
        for entry in entries {
            entry.id.withUnsafeBytes { piece.append(contentsOf: $0) }
            try send()
        }
        for entry in entries {
            piece.appendBigEndian(entry.crc)
            try send()
        }
        var large = [UInt64]()
        for entry in entries {
            if entry.offset < 0x8000_0000 {
                piece.appendBigEndian(UInt32(entry.offset))
            } else {
                piece.appendBigEndian(0x8000_0000 | UInt32(large.count))
                large.append(UInt64(entry.offset))
            }
            try send()
        }
        for offset in large {
            piece.appendBigEndian(offset)
            try send()
        }
        piece += packChecksum
        try send(whenFull: false)
        try hasher.finalize().withUnsafeBytes(sink)
    }
}

extension ObjectKind {
    /// The type code in a pack entry's header.
    var packType: Int {
        switch self {
        case .commit: 1
        case .tree: 2
        case .blob: 3
        case .tag: 4
        }
    }
}
