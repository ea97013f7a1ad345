import LVCStore
import LVCSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Walks the function folder in two overlapping phases, so that the expensive part runs on all cores:
/// 1. one thread reads every folder with `readdir` (types from `d_type`), applies the ignore rules
///    and sorts each folder in git's tree order (folders compared as "name/");
/// 2. as soon as a folder is listed, any free thread `fstatat`s its files, relative to the folder.
/// Reassembling the folders depth first yields the files sorted by full path, with no global sort.
/// Skips `.git` and `.lambda` at any depth. Never follows a symlink.
enum WorktreeScanner {
    enum Child {
        /// The file's path from the function folder; its name starts at `nameStart`.
        case file(path: [UInt8], nameStart: Int)
        case folder(Folder)
    }

    final class Folder: @unchecked Sendable {
        let path: [UInt8]
        /// Written by the listing thread before the folder is queued, then only read.
        var children: [Child] = []
        var listingSkipped: [(path: String, reason: String)] = []
        /// Written by the one thread that stats the folder's files.
        var files: [WorktreeFile?] = []
        var statSkipped: [(path: String, reason: String)] = []
        /// A descriptor of the folder handed from phase 1 to phase 2 (which closes it), or -1.
        var fd: Int32 = -1
        init(path: [UInt8]) { self.path = path }
    }

    /// Folders that phase 1 has listed and phase 2 has not taken yet.
    final class FolderQueue: @unchecked Sendable {
        private let condition = Condition()
        private var ready = [Folder]()
        private var taken = 0
        private var listingDone = false
        private var sleeping = 0

        /// Folders listed and not taken yet (a hint: phase 1 hands over descriptors only while
        /// few are waiting, so a fast listing never holds hundreds of them open).
        var waiting: Int {
            condition.lock()
            defer { condition.unlock() }
            return ready.count - taken
        }

        func push(_ folder: Folder) {
            condition.lock()
            ready.append(folder)
            // Wake a sleeping thread only once a few folders wait: waking it for every folder
            // costs more in context switches than the stats it would do.
            if sleeping > 0 && ready.count - taken >= 8 { condition.signal() }
            condition.unlock()
        }

        func finishListing() {
            condition.lock()
            listingDone = true
            condition.broadcast()
            condition.unlock()
        }

        /// The next listed folder, waiting for one if the listing goes on; nil when all are taken.
        func take() -> Folder? {
            condition.lock()
            defer { condition.unlock() }
            while taken == ready.count && !listingDone {
                sleeping += 1
                condition.wait()
                sleeping -= 1
            }
            guard taken < ready.count else { return nil }
            taken += 1
            return ready[taken - 1]
        }
    }

    static let slash = UInt8(ascii: "/")
    /// Why a device, socket or FIFO in the folder is not staged.
    static let specialFile = "special file (device, socket or FIFO) skipped"

    /// `folder/name` in one allocation (`+` would make an intermediate array per file).
    static func join(_ folder: [UInt8], _ name: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var path = [UInt8]()
        path.reserveCapacity(folder.count + 1 + name.count)
        if !folder.isEmpty {
            path += folder
            path.append(slash)
        }
        path += name
        return path
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
                skipped.append((String(decoding: path, as: UTF8.self), specialFile))
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
        let startFD = start.isEmpty ? dup(rootFD)
            : openat(rootFD, String(decoding: start, as: UTF8.self), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard startFD >= 0 else {
            throw LVCError.store(action: "read the folder", .io(path: String(decoding: start, as: UTF8.self), operation: "open directory", errno: errno))
        }

        let top = Folder(path: start)
        return walk(top, rootFD: rootFD) { queue in list(top, fd: startFD, ignore: ignore, queue: queue) }
    }

    /// Only the given files (paths sorted, as index entries), for `checkout --force`, which needs
    /// to know which tracked files changed and nothing about the others: their folders are opened
    /// (each relative to its parent, never through a symlink) but not listed. A file whose folder
    /// cannot be opened is missing.
    static func scanTracked(root: String, paths: [[UInt8]]) throws -> WorktreeScan {
        // The folders are only named, never listed: descriptors that serve fstatat and openat
        // and cost the kernel less than ones opened for reading.
        let rootFD = open(root, pathOnly | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw LVCError.store(action: "read the folder", .io(path: root, operation: "open directory", errno: errno)) }
        defer { close(rootFD) }
        // The folders of the paths, children in path order. Paths under a folder are contiguous
        // in byte order, so the folders being filled are a stack (the current folder and its
        // parents), and the depth-first reassembly comes out sorted.
        // Each open folder's children are gathered in the stack and handed to the folder when it
        // is left: appending to the class's property for every path costs an exclusivity check.
        let top = Folder(path: [])
        var filling: [(folder: Folder, children: [Child])] = [(top, [])]
        for path in paths {
            let end = path.lastIndex(of: slash)
            let dir = end.map { path[..<$0] } ?? []
            if !sameBytes(filling[filling.count - 1].folder.path[...], dir) {
                // Leave the folders that do not hold this path, then enter the ones that do,
                // one name at a time.
                while filling.count > 1, !isInside(dir, filling[filling.count - 1].folder.path) {
                    let left = filling.removeLast()
                    left.folder.children = left.children
                }
                let inner = filling[filling.count - 1].folder.path
                var start = inner.isEmpty ? dir.startIndex : dir.startIndex + inner.count + 1
                while start < dir.endIndex {
                    let next = dir[start...].firstIndex(of: slash) ?? dir.endIndex
                    let made = Folder(path: Array(dir[..<next]))
                    filling[filling.count - 1].children.append(.folder(made))
                    filling.append((made, []))
                    start = next + 1
                }
            }
            filling[filling.count - 1].children.append(.file(path: path, nameStart: end.map { $0 + 1 } ?? 0))
        }
        for (folder, children) in filling { folder.children = children }
        let startFD = dup(rootFD)
        return walk(top, rootFD: rootFD) { queue in openTracked(top, fd: startFD, queue: queue) }
    }

    /// True when `path` is `folder` or inside it (`folder` empty: the function folder).
    private static func isInside(_ path: ArraySlice<UInt8>, _ folder: [UInt8]) -> Bool {
        if folder.isEmpty { return true }
        guard path.count >= folder.count, sameBytes(path.prefix(folder.count), folder[...]) else { return false }
        return path.count == folder.count || path[path.startIndex + folder.count] == slash
    }

    /// The open flag for a folder that is only named, never listed (O_PATH on Linux).
    static var pathOnly: Int32 { lvc_path_only_flag() }

    /// Phase 1 of `scanTracked`: queues the folder, then opens its subfolders one at a time
    /// relative to it (closing `fd` at the end, as `list` does).
    private static func openTracked(_ folder: Folder, fd: Int32, queue: FolderQueue) {
        defer { close(fd) }
        if queue.waiting < 32 { folder.fd = dup(fd) }  // phase 2 need not look the path up again
        queue.push(folder)
        let nameStart = folder.path.isEmpty ? 0 : folder.path.count + 1
        for child in folder.children {
            guard case .folder(let sub) = child else { continue }
            let subFD = openat(fd, String(decoding: sub.path[nameStart...], as: UTF8.self), pathOnly | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if subFD >= 0 { openTracked(sub, fd: subFD, queue: queue) }  // else: all its files are missing
        }
    }

    /// Runs phase 1 (`list`, on the first worker) and phase 2 (every worker, the first one when
    /// its listing is done) over a queue of folders, then reassembles the files depth first.
    private static func walk(_ top: Folder, rootFD: Int32, list: (FolderQueue) -> Void) -> WorktreeScan {
        let queue = FolderQueue()
        ThreadGroup.run(workers: max(1, System.coreCount)) { worker in
            if worker == 0 {
                list(queue)
                queue.finishListing()
            }
            var name = [CChar](repeating: 0, count: 256)  // NAME_MAX + 1, reused for every file
            while let folder = queue.take() {
                statFiles(of: folder, rootFD: rootFD, nameBuffer: &name)
            }
        }

        // Reassembly, depth first, into one array of the right size; each folder's own list is
        // dropped once copied (20,000 entries held twice would be 1.6 MB more at the peak).
        func count(_ folder: Folder) -> Int {
            folder.children.reduce(folder.files.count) { total, child in
                if case .folder(let sub) = child { return total + count(sub) } else { return total }
            }
        }
        var files = [WorktreeFile]()
        files.reserveCapacity(count(top))
        var skipped = [(path: String, reason: String)]()
        func collect(_ folder: Folder) {
            skipped += folder.listingSkipped
            skipped += folder.statSkipped
            var fileIndex = 0
            let own = folder.files
            folder.files = []
            for child in folder.children {
                switch child {
                case .file:
                    if fileIndex < own.count, let file = own[fileIndex] { files.append(file) }
                    fileIndex += 1
                case .folder(let sub):
                    collect(sub)
                }
            }
        }
        collect(top)
        return WorktreeScan(files: files, skipped: skipped)
    }

    /// Phase 1 for one folder and, depth first, its subfolders: reads the names (closing `fd`),
    /// sorts them, queues the folder for phase 2, then lists the subfolders.
    private static func list(_ folder: Folder, fd: Int32, ignore: IgnoreRules, queue: FolderQueue) {
        guard let dir = fdopendir(fd) else {
            close(fd)
            queue.push(folder)
            return
        }
        defer { closedir(dir) }
        // Each name is read straight into its full path: one allocation per entry. The paths
        // share the folder's prefix, so they sort as their names do.
        let nameStart = folder.path.isEmpty ? 0 : folder.path.count + 1
        var paths = [(key: UInt64, path: [UInt8], isDir: Bool)]()
        while let entry = readdir(dir) {
            var type = entry.pointee.d_type
            let listed = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8]? in
                let bytes = raw.bindMemory(to: UInt8.self)
                let name = UnsafeBufferPointer(rebasing: bytes[..<(bytes.firstIndex(of: 0) ?? bytes.count)])
                if name.first == 46, name.count == 1 || (name.count == 2 && name[1] == 46) { return nil }  // "." and ".."
                if type == UInt8(DT_UNKNOWN) {
                    var st = stat()
                    guard fstatat(fd, raw.baseAddress!.assumingMemoryBound(to: CChar.self), &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
                    type = (st.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : UInt8(DT_REG)
                }
                return join(folder.path, name)
            }
            guard let path = listed, !ReservedNames.isReserved(path[nameStart...]) else { continue }
            let isDir = type == UInt8(DT_DIR)
            paths.append((sortKey(path[nameStart...], isDir: isDir), path, isDir))
        }
        // Most names differ in their first eight bytes: those decide as one integer comparison.
        paths.sort {
            $0.key != $1.key ? $0.key < $1.key : TreeEntry.compareNames($0.path, $0.isDir, $1.path, $1.isDir, from: nameStart) < 0
        }
        var children = [Child]()
        children.reserveCapacity(paths.count)
        var subfolders = [Folder]()
        var hasFiles = false
        for (_, childPath, isDir) in paths {
            if ignore.isIgnored(childPath, isDirectory: isDir) { continue }
            if let problem = ReservedNames.problem(with: childPath[nameStart...]) {
                folder.listingSkipped.append((ZipArchive.display(childPath), problem))
                continue
            }
            if isDir {
                let sub = Folder(path: childPath)
                children.append(.folder(sub))
                subfolders.append(sub)
            } else {
                children.append(.file(path: childPath, nameStart: nameStart))
                hasFiles = true
            }
        }
        folder.children = children
        if hasFiles && queue.waiting < 32 { folder.fd = dup(fd) }  // phase 2 need not look the path up again
        queue.push(folder)
        for sub in subfolders {
            let childFD = openat(fd, String(decoding: sub.path[nameStart...], as: UTF8.self), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard childFD >= 0 else {
                sub.listingSkipped.append((String(decoding: sub.path, as: UTF8.self), "cannot be read: \(String(cString: strerror(errno)))"))
                continue  // never queued: it has no children, so phase 2 has nothing to do
            }
            list(sub, fd: childFD, ignore: ignore, queue: queue)
        }
    }

    /// The first eight bytes of a name in git's tree order, as a big-endian integer: a folder's
    /// name continues with "/", a file's with nothing (0, which no name holds). Keys that differ
    /// order their names as `TreeEntry.compareNames` does; equal keys need the full comparison.
    static func sortKey(_ name: ArraySlice<UInt8>, isDir: Bool) -> UInt64 {
        var key: UInt64 = 0
        var n = 0
        for byte in name.prefix(8) {
            key = key << 8 | UInt64(byte)
            n += 1
        }
        if n < 8 {
            key = key << 8 | (isDir ? UInt64(slash) : 0)
            n += 1
            key <<= UInt64(8 * (8 - n))
        }
        return key
    }

    /// Phase 2 for one folder: `fstatat` of each file, relative to the folder.
    private static func statFiles(of folder: Folder, rootFD: Int32, nameBuffer: inout [CChar]) {
        let hasFiles = folder.children.contains { if case .file = $0 { return true } else { return false } }
        var fd = folder.fd
        folder.fd = -1
        if !hasFiles {
            if fd >= 0 { close(fd) }
            return
        }
        if fd < 0 {
            let name = folder.path.isEmpty ? "." : String(decoding: folder.path, as: UTF8.self)
            fd = openat(rootFD, name, pathOnly | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return }  // vanished meanwhile: its files are not there either
        }
        defer { close(fd) }
        var files = [WorktreeFile?]()
        files.reserveCapacity(folder.children.count)
        for child in folder.children {
            guard case .file(let path, let nameStart) = child else { continue }
            var st = stat()
            let ok = nameBuffer.withUnsafeMutableBufferPointer { buffer -> Bool in
                var n = 0
                for byte in path[nameStart...] where n < buffer.count - 1 {
                    buffer[n] = CChar(bitPattern: byte)
                    n += 1
                }
                buffer[n] = 0
                return fstatat(fd, buffer.baseAddress!, &st, AT_SYMLINK_NOFOLLOW) == 0
            }
            if !ok { files.append(nil); continue }  // vanished meanwhile
            let file = worktreeFile(path, st)
            if file == nil, (st.st_mode & S_IFMT) != S_IFDIR {
                folder.statSkipped.append((String(decoding: path, as: UTF8.self), specialFile))
            }
            files.append(file)
        }
        folder.files = files
    }
}
