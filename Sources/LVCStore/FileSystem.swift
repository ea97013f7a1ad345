#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, throwing wrappers over the POSIX calls the store needs. Paths are plain strings.
public enum FileSystem {
    public static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        return try readAll(fd: fd, path: path)
    }

    public static func readAll(fd: Int32, path: String) throws -> [UInt8] {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError.io(path: path, operation: "stat", errno: errno) }
        var capacity = max(Int(st.st_size), 0) + 1  // one spare byte notices a file that grew
        while true {
            var failure: Int32 = 0
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                count = 0
                while count < capacity {
                    let n = read(fd, buffer.baseAddress! + count, capacity - count)
                    if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                    if n == 0 { return }
                    count += n
                }
            }
            if failure != 0 { throw StoreError.io(path: path, operation: "read", errno: failure) }
            if bytes.count < capacity { return bytes }
            // The file is larger than fstat said (it is growing): read it again from the start.
            capacity *= 2
            lseek(fd, 0, SEEK_SET)
        }
    }

    /// Reads a file that should hold `size` bytes from its start, a megabyte at a time, handing
    /// each piece to `body`: a large file is never held whole. Returns false when the file did not
    /// hold exactly `size` bytes (it changed while it was read; the caller decides what that
    /// means). Reads with `pread`, so the descriptor's offset does not matter.
    public static func readPieces(fd: Int32, size: Int, path: String,
                                  _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(total)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(path: path, operation: "read", errno: errno)
            }
            if count == 0 { return total == size }
            total += count
            if total > size { return false }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    /// nil when the file does not exist; other errors throw.
    public static func readIfExists(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw StoreError.io(path: path, operation: "open", errno: errno)
        }
        defer { close(fd) }
        return try readAll(fd: fd, path: path)
    }

    /// The last `count` bytes of a file (fewer if it is shorter); nil when it cannot be read.
    public static func readTail(_ path: String, count: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let n = min(count, Int(st.st_size))
        var bytes = [UInt8](repeating: 0, count: n)
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, off_t(Int(st.st_size) - n)) }
        return got == n ? bytes : nil
    }

    public static func writeAll(fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(path: path, operation: "write", errno: errno)
            }
            offset += n
        }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and its missing parents with mode 0755.
    public static func makeDirectories(_ path: String) throws {
        if isDirectory(path) { return }
        let parent = dirname(of: path)
        if parent != path && !parent.isEmpty { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw StoreError.io(path: path, operation: "create directory", errno: errno)
        }
    }

    public static func rename(_ from: String, _ to: String) throws {
        #if canImport(Glibc)
        let rc = Glibc.rename(from, to)
        #else
        let rc = Darwin.rename(from, to)
        #endif
        guard rc == 0 else { throw StoreError.io(path: to, operation: "rename \(from) to", errno: errno) }
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    public static func dirname(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Writes `bytes` to a new temporary file in `directory` and returns its path.
    /// The caller renames it into place; until then no reader can see it.
    public static func writeTemporary(in directory: String, prefix: String, _ bytes: UnsafeRawBufferPointer,
                                      mode: mode_t = 0o444, sync: Bool = false) throws -> String {
        try writeTemporary(in: directory, prefix: prefix, mode: mode, sync: sync) { fd, path in
            try writeAll(fd: fd, bytes, path: path)
        }
    }

    /// `writeTemporary` for content written piece by piece: `write` gets the open file and its path.
    public static func writeTemporary(in directory: String, prefix: String, mode: mode_t = 0o444, sync: Bool = false,
                                      _ write: (_ fd: Int32, _ path: String) throws -> Void) throws -> String {
        var template = Array("\(directory)/\(prefix)XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let path = string(fromCBuffer: template)
        guard fd >= 0 else { throw StoreError.io(path: directory, operation: "create a temporary file in", errno: errno) }
        do {
            defer { close(fd) }
            try write(fd, path)
            if sync && fsync(fd) != 0 { throw StoreError.io(path: path, operation: "fsync", errno: errno) }
            fchmod(fd, mode)
        } catch {
            unlink(path)
            throw error
        }
        return path
    }

    /// Replaces `path` atomically with `bytes` (temp file + fsync + rename). For files that are
    /// not guarded by a lock file of their own (objects, caches). `sync: false` skips the fsync,
    /// for caches that check their own content when read.
    public static func atomicWrite(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644, sync: Bool = true) throws {
        let tmp = try bytes.withUnsafeBytes { raw in
            try writeTemporary(in: dirname(of: path), prefix: ".tmp-", raw, mode: mode, sync: sync)
        }
        do { try rename(tmp, path) } catch { unlink(tmp); throw error }
    }
}

extension FileSystem {
    /// Names in a directory, without `.` and `..`.
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw StoreError.io(path: path, operation: "open directory", errno: errno) }
        defer { closedir(dir) }
        var names = [String]()
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

extension FileSystem {
    /// The text of a NUL-terminated C buffer (what mkstemp and getcwd fill in).
    public static func string(fromCBuffer buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
