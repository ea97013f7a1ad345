import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends entries to the package cache one piece at a time while a command runs, and either
/// commits them (writes their records) or takes them back (truncates `data` to where it was), so
/// that a command that fails leaves the cache byte for byte as it found it.
///
/// `PackageCache.append` needs every entry's bytes in memory; `lvc import` streams entries of any
/// size, so it writes each piece as it is produced. The protocol is the cache's own: data first,
/// records last, everything under `append.lock`. Best effort like every cache write: when the lock
/// is held or a write fails, the writer stops writing and nothing is recorded.
final class PackageCacheWriter {
    private let directory: String
    private var lock: LockFile?
    private var dataFD: Int32 = -1
    private let startSize: Int
    private let createdDirectory: Bool
    private let createdData: Bool
    private var offset: Int
    private var records = [UInt8]()
    private var entryStart: Int?
    private var failed = false

    /// Takes `append.lock`; nil when another process holds it or the cache cannot be written.
    init?(directory: String) {
        self.directory = directory
        createdDirectory = !FileSystem.isDirectory(directory)
        guard let lock = try? LockFile(for: directory + "/append") else {
            if createdDirectory { rmdir(directory) }
            return nil
        }
        var st = stat()
        createdData = lstat(directory + "/data", &st) != 0
        let fd = open(directory + "/data", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0, fstat(fd, &st) == 0 else {
            if fd >= 0 { close(fd) }
            lock.rollback()
            if createdDirectory { rmdir(directory) }
            return nil
        }
        self.lock = lock
        dataFD = fd
        startSize = Int(st.st_size)
        offset = startSize
        lseek(fd, off_t(offset), SEEK_SET)
    }

    deinit { rollback() }

    /// Starts a new entry's bytes.
    func begin() { entryStart = offset }

    /// The next piece of the current entry's stored bytes.
    func write(_ bytes: UnsafeRawBufferPointer) {
        guard !failed, entryStart != nil, dataFD >= 0 else { return }
        if (try? FileSystem.writeAll(fd: dataFD, bytes, path: directory + "/data")) == nil {
            failed = true
            return
        }
        offset += bytes.count
    }

    /// Ends the current entry: its record is written by `commit()`.
    func end(id: ObjectID, size: Int, crc: UInt32, method: UInt16) {
        guard let start = entryStart, !failed else { return }
        entryStart = nil
        records += PackageCache.Record(offset: start, length: offset - start, size: size, crc: crc, method: method).encoded(for: id)
    }

    /// Writes the records of every completed entry (after their data) and releases the lock.
    func commit() {
        guard let lock else { return }
        if failed { rollback(); return }
        defer { close(dataFD); dataFD = -1; lock.rollback(); self.lock = nil }
        guard !records.isEmpty else { return }
        PackageCache.appendRecords(records, to: directory + "/index")
    }

    /// Takes back everything written: `data` gets its old length again (or goes, if this writer
    /// created it), then the lock is released.
    func rollback() {
        guard let lock else { return }
        if createdData {
            unlink(directory + "/data")
        } else {
            _ = ftruncate(dataFD, off_t(startSize))
        }
        close(dataFD)
        dataFD = -1
        lock.rollback()
        self.lock = nil
        if createdDirectory { rmdir(directory) }
    }
}
