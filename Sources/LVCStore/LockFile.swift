#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LVCSystem

/// git's protocol for a mutable file: `<file>.lock` is created with O_EXCL (so exactly one process
/// can hold it), the new contents are written into the lock file, and `commit()` renames it over
/// the file. Dropping the lock without committing removes it and leaves the file untouched.
public final class LockFile {
    public let path: String
    public let lockPath: String
    private let fd: Int32
    private var done = false
    /// Bytes written so far, and how many of them were handed to the disk's writeback early.
    private var written = 0
    private var writebackStarted = 0

    /// Once this many written bytes wait, their writeback starts (decision 0024): the fsync of a
    /// 2.4 MB index then waits for the last piece and the journal, not for all of it.
    static let writebackStep = 512 << 10

    public init(for path: String) throws {
        self.path = path
        self.lockPath = path + ".lock"
        // Open into a local first: if this initializer throws, deinit must not run rollback(),
        // which would delete the lock that another process holds.
        fd = try LockFile.create(lockPath)
    }

    private static func create(_ lockPath: String) throws -> Int32 {
        var fd = open(lockPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 && errno == ENOENT {
            // The parent folder may not exist yet (a new ref); create it and try once more.
            try FileSystem.makeDirectories(FileSystem.dirname(of: lockPath))
            fd = open(lockPath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        if fd < 0 {
            if errno == EEXIST { throw StoreError.locked(lockPath: lockPath) }
            throw StoreError.io(path: lockPath, operation: "create", errno: errno)
        }
        return fd
    }

    deinit { rollback() }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in try write(raw) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try FileSystem.writeAll(fd: fd, bytes, path: lockPath)
        written += bytes.count
        if written - writebackStarted >= LockFile.writebackStep {
            // Only a head start for `commit`'s fsync, which still makes the file durable: a
            // failure here changes nothing and is left for that fsync to report.
            _ = lvc_start_writeback(fd, Int64(writebackStarted), Int64(written - writebackStarted))
            writebackStarted = written
        }
    }

    /// Makes the new contents durable and visible in one atomic step; visible only (atomic, not
    /// fsynced) when `durable` is false, for a file whose loss in a power cut loses no data.
    public func commit(durable: Bool = true) throws {
        precondition(!done, "lock already released")
        if durable, fsync(fd) != 0 { throw StoreError.io(path: lockPath, operation: "fsync", errno: errno) }
        close(fd)
        done = true
        do { try FileSystem.rename(lockPath, path) } catch { unlink(lockPath); throw error }
    }

    /// Commits by removing the file instead (used to delete a ref under its lock).
    public func commitRemoval() throws {
        precondition(!done, "lock already released")
        close(fd)
        done = true
        defer { unlink(lockPath) }
        if unlink(path) != 0 && errno != ENOENT { throw StoreError.io(path: path, operation: "remove", errno: errno) }
    }

    public func rollback() {
        guard !done else { return }
        done = true
        close(fd)
        unlink(lockPath)
    }
}
