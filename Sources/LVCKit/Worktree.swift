import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file found in the function folder.
public struct WorktreeFile: Sendable {
    public var path: [UInt8]
    public var mode: EntryMode
    public var stat: StatData
    public var pathString: String { String(decoding: path, as: UTF8.self) }
}

/// The result of walking the function folder.
public struct WorktreeScan: Sendable {
    /// Sorted by path bytes, like index entries.
    public var files: [WorktreeFile]
    /// Things lvc saw and did not take, with the reason (special files, unstorable names).
    public var skipped: [(path: String, reason: String)]
}

/// Names lvc never stores at any depth, compared without case: git's own folder and lvc's store.
enum ReservedNames {
    static func isReserved(_ name: ArraySlice<UInt8>) -> Bool {
        let lower = name.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        return lower == Array(".git".utf8) || lower == Array(".lambda".utf8)
    }

    /// Why a path component cannot be stored or checked out safely, or nil if it can.
    static func problem(with name: ArraySlice<UInt8>) -> String? {
        if name.isEmpty { return "empty name" }
        if name.elementsEqual(".".utf8) || name.elementsEqual("..".utf8) { return "'.' and '..' cannot be stored" }
        if isReserved(name) { return "'.git' and '.lambda' are reserved names" }
        if name.contains(UInt8(ascii: "/")) { return "a name cannot contain '/'" }
        if name.contains(UInt8(ascii: "\\")) { return "a name cannot contain a backslash (it is a path separator on Windows)" }
        if name.contains(where: { $0 < 0x20 }) { return "a name cannot contain control characters (newline, tab, NUL …)" }
        return nil
    }

    /// Checks every component of a relative path.
    static func problem(withPath path: [UInt8]) -> String? {
        if path.first == UInt8(ascii: "/") { return "absolute paths are not allowed" }
        for component in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if let problem = problem(with: component) { return problem }
        }
        return nil
    }
}

extension StatData {
    init(_ st: stat) {
        self.init()
        ctimeSeconds = UInt32(truncatingIfNeeded: st.st_ctim.tv_sec)
        ctimeNanoseconds = UInt32(truncatingIfNeeded: st.st_ctim.tv_nsec)
        mtimeSeconds = UInt32(truncatingIfNeeded: st.st_mtim.tv_sec)
        mtimeNanoseconds = UInt32(truncatingIfNeeded: st.st_mtim.tv_nsec)
        device = UInt32(truncatingIfNeeded: st.st_dev)
        inode = UInt32(truncatingIfNeeded: st.st_ino)
        uid = UInt32(truncatingIfNeeded: st.st_uid)
        gid = UInt32(truncatingIfNeeded: st.st_gid)
        size = UInt32(truncatingIfNeeded: st.st_size)
    }
}

enum WorktreeScanner {
    /// Walks `root` with readdir + lstat (much cheaper than FileManager), skipping `.git` and
    /// `.lambda` at any depth and whatever `ignore` excludes. `within` limits the walk to paths
    /// (files or folders, relative to `root`); nil walks everything.
    static func scan(root: String, ignore: IgnoreRules, within: [[UInt8]]? = nil) throws -> WorktreeScan {
        var files = [WorktreeFile]()
        var skipped = [(path: String, reason: String)]()
        func visit(_ relative: [UInt8], isRoot: Bool) throws {
            let full = relative.isEmpty ? root : root + "/" + String(decoding: relative, as: UTF8.self)
            guard let dir = opendir(full) else {
                if isRoot { throw LVCError.store(action: "read the folder", .io(path: full, operation: "open directory", errno: errno)) }
                skipped.append((String(decoding: relative, as: UTF8.self), "cannot be read: \(String(cString: strerror(errno)))"))
                return
            }
            var names = [[UInt8]]()
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                    let p = raw.bindMemory(to: UInt8.self)
                    return Array(p[..<(p.firstIndex(of: 0) ?? p.count)])
                }
                if name == [46] || name == [46, 46] { continue }
                names.append(name)
            }
            closedir(dir)
            for name in names {
                if ReservedNames.isReserved(name[...]) { continue }
                let path = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
                let pathString = String(decoding: path, as: UTF8.self)
                var st = stat()
                guard lstat(root + "/" + pathString, &st) == 0 else { continue }  // vanished meanwhile
                let kind = st.st_mode & S_IFMT
                if ignore.isIgnored(path, isDirectory: kind == S_IFDIR) { continue }
                if let problem = ReservedNames.problem(with: name[...]) {
                    skipped.append((pathString, problem))
                    continue
                }
                switch kind {
                case S_IFDIR:
                    try visit(path, isRoot: false)
                case S_IFREG:
                    let mode: EntryMode = st.st_mode & S_IXUSR != 0 ? .executable : .file
                    files.append(WorktreeFile(path: path, mode: mode, stat: StatData(st)))
                case S_IFLNK:
                    files.append(WorktreeFile(path: path, mode: .symlink, stat: StatData(st)))
                default:
                    skipped.append((pathString, "special file (device, socket or FIFO) skipped"))
                }
            }
        }
        if let within {
            for path in within {
                var st = stat()
                let full = path.isEmpty ? root : root + "/" + String(decoding: path, as: UTF8.self)
                guard lstat(full, &st) == 0 else { continue }
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    try visit(path, isRoot: path.isEmpty)
                } else {
                    let name = path.split(separator: UInt8(ascii: "/")).last ?? []
                    if ReservedNames.isReserved(name) || ignore.isIgnored(path, isDirectory: false) { continue }
                    let kind = st.st_mode & S_IFMT
                    if kind == S_IFREG {
                        files.append(WorktreeFile(path: path, mode: st.st_mode & S_IXUSR != 0 ? .executable : .file, stat: StatData(st)))
                    } else if kind == S_IFLNK {
                        files.append(WorktreeFile(path: path, mode: .symlink, stat: StatData(st)))
                    } else {
                        skipped.append((String(decoding: path, as: UTF8.self), "special file (device, socket or FIFO) skipped"))
                    }
                }
            }
        } else {
            try visit([], isRoot: true)
        }
        files.sort { $0.path.lexicographicallyPrecedes($1.path) }
        return WorktreeScan(files: files, skipped: skipped)
    }
}
