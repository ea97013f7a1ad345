#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory (`mmap(PROT_READ, MAP_PRIVATE)`), unmapped when the
/// last reference goes away.
///
/// Used for pack files and their indexes. git never rewrites a pack in place: it writes a new one
/// and renames it into place, and `git gc` only unlinks old ones, which leaves an existing mapping
/// valid. So the mapped bytes never change under a reader.
public final class MappedFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only and immutable for the object's lifetime.
    public let path: String
    public let bytes: UnsafeRawBufferPointer

    /// Maps `path`. Throws `StoreError.io` (errno ENOENT when the file is gone) and
    /// `StoreError.corruptFile` for an empty file, which no pack or index can be.
    public convenience init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        try self.init(fileDescriptor: fd, path: path)
    }

    /// Maps the whole of an open file (which the caller keeps or closes: the mapping outlives
    /// the descriptor). `path` names it in errors.
    public init(fileDescriptor fd: Int32, path: String) throws {
        self.path = path
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError.io(path: path, operation: "stat", errno: errno) }
        let size = Int(st.st_size)
        guard size > 0 else { throw StoreError.corruptFile(path: path, reason: "the file is empty") }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw StoreError.io(path: path, operation: "mmap", errno: errno)
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }

    public var count: Int { bytes.count }

    /// Tells the kernel that the pages wholly inside `part` (a slice of this mapping) will not
    /// be read again soon: they leave the process's resident set and stay in the page cache, so
    /// streaming a 300 MB file through a mapping does not make the process look 300 MB large.
    /// Reading them again is still correct (they fault back in); the mapping is read-only, so
    /// nothing is lost.
    public static func release(_ part: UnsafeRawBufferPointer) {
        guard let base = part.baseAddress, part.count > 0 else { return }
        let page = MappedFile.pageSize
        let start = (Int(bitPattern: base) + page - 1) / page * page
        let end = (Int(bitPattern: base) + part.count) / page * page
        // Below a quarter of a MB it is not worth a system call (a package's small entries).
        guard end - start >= 256 << 10, let address = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(address, end - start, Int32(MADV_DONTNEED))
    }

    /// Hands `part` (a slice of a mapping) to `body` in pieces of `size` bytes, letting each go
    /// (`release`) once `body` has returned: reading a mapped 300 MB entry keeps a few MB of it
    /// resident at a time.
    public static func forEachPiece(of part: UnsafeRawBufferPointer, size: Int = 4 << 20,
                                    _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var at = 0
        repeat {
            let piece = UnsafeRawBufferPointer(rebasing: part[at..<min(at + size, part.count)])
            try body(piece)
            release(piece)
            at += piece.count
        } while at < part.count
    }

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Big-endian u32 at `offset`; the caller has checked the bounds.
    func uint32(at offset: Int) -> UInt32 {
        bytes.loadBE32(offset)
    }

    /// Big-endian u64 at `offset`; the caller has checked the bounds.
    func uint64(at offset: Int) -> UInt64 {
        bytes.loadBE64(offset)
    }

    /// The bytes in `range` (no copy); the caller has checked the bounds.
    public func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }
}
