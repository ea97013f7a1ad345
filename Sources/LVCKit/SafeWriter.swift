import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes and removes files under the function folder without ever following a symlink: every
/// folder on the way is opened with O_NOFOLLOW relative to the one before it, and files are
/// created under a temporary name and renamed into place once the old one is removed. Whatever a
/// stored tree contains, nothing outside the folder can be created or changed.
///
/// The temporary files are made in `.lambda/lvc/tmp/` when it is on the same file system as the
/// folder written to (a rename cannot cross file systems; otherwise beside the target): a killed
/// lvc leaves its half-written file there, where `lvc gc` removes it, and never in the function
/// folder, where the next `lvc add` would take it for code.
final class SafeWriter {
    let root: String
    /// `.lambda/lvc/tmp/`, opened once; -1 when it cannot be opened.
    private let staging: Int32
    private let stagingDevice: dev_t?

    init(root: String, temporaryDirectory: String) {
        self.root = root
        staging = open(temporaryDirectory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        var st = stat()
        stagingDevice = staging >= 0 && fstat(staging, &st) == 0 ? st.st_dev : nil
    }

    deinit { if staging >= 0 { close(staging) } }

    /// Where the temporary file for a file in `dir` is made: the staging folder when a rename
    /// from it into `dir` can work.
    private func temporaryFolder(for dir: Int32) -> Int32 {
        var st = stat()
        guard let stagingDevice, fstat(dir, &st) == 0, st.st_dev == stagingDevice else { return dir }
        return staging
    }

    struct Failure: Error { var path: String; var reason: String }

    private func components(_ path: [UInt8]) -> [String] {
        path.split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Opens the folder holding `path`, creating missing folders. A file or symlink where a folder
    /// is needed is removed only if `replaceable` says so.
    private func openParent(_ path: [UInt8], create: Bool, replaceable: ([UInt8]) -> Bool) throws -> (Int32, String)? {
        if let problem = ReservedNames.problem(withPath: path) {
            throw Failure(path: String(decoding: path, as: UTF8.self), reason: problem)
        }
        var parts = components(path)
        let name = parts.removeLast()
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: root, reason: String(cString: strerror(errno))) }
        var walked = [UInt8]()
        for part in parts {
            walked += (walked.isEmpty ? [] : [UInt8(ascii: "/")]) + Array(part.utf8)
            var next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && (errno == ENOTDIR || errno == ELOOP) && create {
                guard replaceable(walked) else {
                    close(fd)
                    throw Failure(path: String(decoding: walked, as: UTF8.self), reason: "is a file or symlink where the version has a folder")
                }
                unlinkat(fd, part, 0)
                next = -1
                errno = ENOENT
            }
            if next < 0 && errno == ENOENT {
                if !create { close(fd); return nil }
                if mkdirat(fd, part, 0o755) != 0 && errno != EEXIST {
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    throw Failure(path: String(decoding: walked, as: UTF8.self), reason: reason)
                }
                next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            guard next >= 0 else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw Failure(path: String(decoding: walked, as: UTF8.self), reason: reason)
            }
            close(fd)
            fd = next
        }
        return (fd, name)
    }

    /// Writes a regular file or a symlink at `path` from content that `produce` hands to its
    /// argument in pieces (a symlink's target is collected first), and returns its stat data. If
    /// `produce` throws, the temporary file is removed and nothing at `path` changes.
    func write(_ path: [UInt8], mode: EntryMode, replaceable: ([UInt8]) -> Bool,
               produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> StatData {
        guard let (dir, name) = try openParent(path, create: true, replaceable: replaceable) else {
            throw Failure(path: String(decoding: path, as: UTF8.self), reason: "cannot create its folder")
        }
        defer { close(dir) }
        let folder = temporaryFolder(for: dir)
        let tmp = ".lvc-tmp-\(getpid())-\(name.utf8.count)-\(UInt32.random(in: 0...UInt32.max))"
        if mode == .symlink {
            var content = [UInt8]()
            try produce { content.append(contentsOf: $0) }
            let target = String(decoding: content, as: UTF8.self)
            guard symlinkat(target, folder, tmp) == 0 else { throw Failure(path: String(decoding: path, as: UTF8.self), reason: String(cString: strerror(errno))) }
        } else {
            let fd = openat(folder, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode == .executable ? 0o755 : 0o644)
            guard fd >= 0 else { throw Failure(path: String(decoding: path, as: UTF8.self), reason: String(cString: strerror(errno))) }
            do {
                defer { close(fd) }
                try produce { try FileSystem.writeAll(fd: fd, $0, path: String(decoding: path, as: UTF8.self)) }
                // The umask must not decide the mode: the version does.
                fchmod(fd, mode == .executable ? 0o755 : 0o644)
            } catch {
                unlinkat(folder, tmp, 0)
                throw error
            }
        }
        // The old file (or link) is removed first, so that the rename does not replace one: ext4
        // writes out a file renamed over another before that rename returns (`auto_da_alloc`),
        // which cost `checkout` 2 ms for ten files, and 5 ms while another program wrote to the
        // disk (decision 0020). A crash in between leaves the file missing, never half written;
        // checkout and import replace only files whose content is staged, unless forced.
        unlinkat(dir, name, 0)
        if renameat(folder, tmp, dir, name) != 0 {
            let code = errno
            // A folder in the way goes only if it holds no file at all (folders alone hold
            // nothing to lose); checkout has made sure of that before writing anything.
            if code == EISDIR || code == ENOTEMPTY || code == EEXIST, removeFolderWithoutFiles(dir, name),
               renameat(folder, tmp, dir, name) == 0 {
                return try statData(dir, name, path)
            }
            unlinkat(folder, tmp, 0)
            throw Failure(path: String(decoding: path, as: UTF8.self), reason: String(cString: strerror(code)))
        }
        return try statData(dir, name, path)
    }

    /// Removes the folder `name` in `dir` if it and its subfolders hold no file, link or other
    /// entry; leaves it as it is otherwise (subfolders already emptied may be gone).
    private func removeFolderWithoutFiles(_ dir: Int32, _ name: String) -> Bool {
        if unlinkat(dir, name, AT_REMOVEDIR) == 0 { return true }
        guard errno == ENOTEMPTY || errno == EEXIST else { return false }
        let fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0, let listing = fdopendir(fd) else {
            if fd >= 0 { close(fd) }
            return false
        }
        var subfolders = [String]()
        var onlyFolders = true
        while let entry = readdir(listing) {
            let child = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if child == "." || child == ".." { continue }
            if entry.pointee.d_type == UInt8(DT_DIR) { subfolders.append(child) } else { onlyFolders = false }
        }
        let emptied = onlyFolders && subfolders.allSatisfy { removeFolderWithoutFiles(dirfd(listing), $0) }
        closedir(listing)
        return emptied && unlinkat(dir, name, AT_REMOVEDIR) == 0
    }

    private func statData(_ dir: Int32, _ name: String, _ path: [UInt8]) throws -> StatData {
        var st = stat()
        guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw Failure(path: String(decoding: path, as: UTF8.self), reason: String(cString: strerror(errno)))
        }
        return StatData(st)
    }

    /// Removes a file or symlink (never what it points to), then any folders it leaves empty.
    func remove(_ path: [UInt8]) throws {
        guard let (dir, name) = try openParent(path, create: false, replaceable: { _ in false }) else { return }
        defer { close(dir) }
        if unlinkat(dir, name, 0) != 0 && errno != ENOENT && errno != EISDIR {
            throw Failure(path: String(decoding: path, as: UTF8.self), reason: String(cString: strerror(errno)))
        }
    }

    /// Removes the folders on `path`'s way that are now empty (deepest first).
    func pruneEmptyFolders(above path: [UInt8]) {
        // Cut at the last "/" each time, in the bytes (no `joined`: decision 0021).
        var folder = path[...]
        while let slash = folder.lastIndex(of: UInt8(ascii: "/")) {
            folder = folder[..<slash]
            guard !folder.isEmpty,
                  let (dir, name) = try? openParent(Array(folder), create: false, replaceable: { _ in false }) else { return }
            let removed = unlinkat(dir, name, AT_REMOVEDIR) == 0
            close(dir)
            if !removed { return }
        }
    }
}
