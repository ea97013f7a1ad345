import Dispatch
import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Walks the function folder in two phases, so that the expensive part runs on all cores:
/// 1. one thread reads every folder with `readdir` (types from `d_type`), applies the ignore rules
///    and sorts each folder in git's tree order (folders compared as "name/");
/// 2. the folders' files are `fstatat`-ed in parallel, relative to their folder's descriptor.
/// Reassembling the folders depth first yields the files sorted by full path, with no global sort.
/// Skips `.git` and `.lambda` at any depth. Never follows a symlink.
enum WorktreeScanner {
    enum Child {
        case file([UInt8])
        case folder(Int)
    }

    final class Folder {
        let path: [UInt8]
        var children: [Child] = []
        var files: [WorktreeFile?] = []
        var skipped: [(path: String, reason: String)] = []
        init(path: [UInt8]) { self.path = path }
    }

    static let slash = UInt8(ascii: "/")

    static func join(_ folder: [UInt8], _ name: [UInt8]) -> [UInt8] {
        folder.isEmpty ? name : folder + [slash] + name
    }

    /// `within` limits the walk to paths (files or folders, relative to `root`); nil walks everything.
    static func scan(root: String, ignore: IgnoreRules, within: [[UInt8]]? = nil) throws -> WorktreeScan {
        guard let within else { return try scanFolder([], root: root, ignore: ignore) }
        var files = [WorktreeFile]()
        var skipped = [(path: String, reason: String)]()
        for path in within {
            var st = stat()
            let full = path.isEmpty ? root : root + "/" + String(decoding: path, as: UTF8.self)
            guard lstat(full, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                let part = try scanFolder(path, root: root, ignore: ignore)
                files += part.files
                skipped += part.skipped
                continue
            }
            let name = path.split(separator: slash).last ?? []
            if ReservedNames.isReserved(name) || ignore.isIgnored(path, isDirectory: false) { continue }
            if let file = worktreeFile(path, st) { files.append(file) } else {
                skipped.append((String(decoding: path, as: UTF8.self), "special file (device, socket or FIFO) skipped"))
            }
        }
        // Overlapping paths (`lvc add lib lib/a.js`) find a file twice: keep one.
        files.sort { $0.path.lexicographicallyPrecedes($1.path) }
        var unique = [WorktreeFile]()
        unique.reserveCapacity(files.count)
        for file in files where unique.last?.path != file.path { unique.append(file) }
        return WorktreeScan(files: unique, skipped: skipped)
    }

    static func worktreeFile(_ path: [UInt8], _ st: stat) -> WorktreeFile? {
        switch st.st_mode & S_IFMT {
        case S_IFREG: return WorktreeFile(path: path, mode: st.st_mode & S_IXUSR != 0 ? .executable : .file, stat: StatData(st))
        case S_IFLNK: return WorktreeFile(path: path, mode: .symlink, stat: StatData(st))
        default: return nil
        }
    }

    static func scanFolder(_ start: [UInt8], root: String, ignore: IgnoreRules) throws -> WorktreeScan {
        let rootFD = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw LVCError.store(action: "read the folder", .io(path: root, operation: "open directory", errno: errno)) }
        defer { close(rootFD) }

        // Phase 1: the folder structure.
        var folders = [Folder]()
        func list(_ path: [UInt8], fd: Int32) {
            let folder = Folder(path: path)
            folders.append(folder)
            guard let dir = fdopendir(fd) else { close(fd); return }
            defer { closedir(dir) }
            var names = [(name: [UInt8], isDir: Bool)]()
            while let entry = readdir(dir) {
                var name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                    let p = raw.bindMemory(to: UInt8.self)
                    return Array(p[..<(p.firstIndex(of: 0) ?? p.count)])
                }
                if name == [46] || name == [46, 46] || ReservedNames.isReserved(name[...]) { continue }
                var type = entry.pointee.d_type
                if type == UInt8(DT_UNKNOWN) {
                    var st = stat()
                    name.append(0)
                    let ok = name.withUnsafeBufferPointer { b in
                        b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { fstatat(fd, $0, &st, AT_SYMLINK_NOFOLLOW) == 0 }
                    }
                    name.removeLast()
                    guard ok else { continue }
                    type = (st.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : UInt8(DT_REG)
                }
                names.append((name, type == UInt8(DT_DIR)))
            }
            names.sort { TreeEntry.compareNames($0.name, $0.isDir, $1.name, $1.isDir) < 0 }
            for (name, isDir) in names {
                let childPath = join(path, name)
                if ignore.isIgnored(childPath, isDirectory: isDir) { continue }
                if let problem = ReservedNames.problem(with: name[...]) {
                    folder.skipped.append((String(decoding: childPath, as: UTF8.self), problem))
                    continue
                }
                if isDir {
                    let childFD = openat(fd, String(decoding: name, as: UTF8.self), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard childFD >= 0 else {
                        folder.skipped.append((String(decoding: childPath, as: UTF8.self), "cannot be read: \(String(cString: strerror(errno)))"))
                        continue
                    }
                    folder.children.append(.folder(folders.count))
                    list(childPath, fd: childFD)
                } else {
                    folder.children.append(.file(name))
                }
            }
        }
        let startFD = start.isEmpty ? dup(rootFD)
            : openat(rootFD, String(decoding: start, as: UTF8.self), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard startFD >= 0 else {
            throw LVCError.store(action: "read the folder", .io(path: String(decoding: start, as: UTF8.self), operation: "open directory", errno: errno))
        }
        list(start, fd: startFD)

        // Phase 2: stat every file, folders spread over the cores.
        let shared = UnsafeSendable(folders)
        let next = AtomicCounter()
        DispatchQueue.concurrentPerform(iterations: min(System.coreCount, max(1, folders.count))) { _ in
            while true {
                let index = next.increment()
                guard index < shared.value.count else { return }
                let folder = shared.value[index]
                let name = folder.path.isEmpty ? "." : String(decoding: folder.path, as: UTF8.self)
                let fd = openat(rootFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard fd >= 0 else { continue }
                defer { close(fd) }
                var files = [WorktreeFile?]()
                for child in folder.children {
                    guard case .file(let childName) = child else { continue }
                    var st = stat()
                    var cName = childName
                    cName.append(0)
                    let ok = cName.withUnsafeBufferPointer { b in
                        b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { fstatat(fd, $0, &st, AT_SYMLINK_NOFOLLOW) == 0 }
                    }
                    let path = join(folder.path, childName)
                    if !ok { files.append(nil); continue }  // vanished meanwhile
                    let file = worktreeFile(path, st)
                    if file == nil, (st.st_mode & S_IFMT) != S_IFDIR {
                        folder.skipped.append((String(decoding: path, as: UTF8.self), "special file (device, socket or FIFO) skipped"))
                    }
                    files.append(file)
                }
                folder.files = files
            }
        }

        // Reassembly, depth first.
        var files = [WorktreeFile]()
        var skipped = [(path: String, reason: String)]()
        func collect(_ index: Int) {
            let folder = folders[index]
            skipped += folder.skipped
            var fileIndex = 0
            for child in folder.children {
                switch child {
                case .file:
                    if fileIndex < folder.files.count, let file = folder.files[fileIndex] { files.append(file) }
                    fileIndex += 1
                case .folder(let sub):
                    collect(sub)
                }
            }
        }
        collect(0)
        return WorktreeScan(files: files, skipped: skipped)
    }
}

/// Shares a value with worker threads that only read it (or write disjoint parts of it).
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A counter that several threads take numbers from.
final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let mutex = PThreadMutex()
    func increment() -> Int { mutex.locked { defer { value += 1 }; return value } }
}
