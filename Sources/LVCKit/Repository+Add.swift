import LVCSystem
import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `lvc add` did.
public struct AddResult: Sendable {
    /// Paths from the function folder, as bytes: they share the index entries' storage (20,000
    /// `String` copies were 2 MB at the peak of a fresh `add`).
    public var added: [[UInt8]] = []
    public var modified: [[UInt8]] = []
    public var deleted: [[UInt8]] = []
    public var skipped: [(path: String, reason: String)] = []
    public var changed: Bool { !(added.isEmpty && modified.isEmpty && deleted.isEmpty) }
}

/// Progress of long operations: (done, total). Called from any thread.
public typealias ProgressHandler = @Sendable (Int, Int) -> Void

extension Repository {
    static let ignoreFileName = ".lambdaignore"

    func ignoreRules() throws -> IgnoreRules {
        guard let bytes = try? FileSystem.readIfExists(root + "/" + Repository.ignoreFileName) else { return .none }
        var rules = IgnoreRules(text: String(decoding: bytes, as: UTF8.self))
        // The ignore file configures lvc; it is not part of the function's code.
        rules.rules.append(.init(pattern: Array(Repository.ignoreFileName.utf8), negated: false, directoryOnly: false, anchored: true))
        return rules
    }

    /// Turns user paths (relative to `cwd`, or absolute) into paths relative to the function folder.
    public func relativePaths(_ paths: [String], cwd: String) throws -> [[UInt8]] {
        try paths.map { path in
            let absolute = Repository.normalize(path.hasPrefix("/") ? path : cwd + "/" + path)
            if absolute == root { return [] }
            guard absolute.hasPrefix(root + "/") else {
                throw LVCError.badPath(path, reason: "it is outside the function folder \(root)")
            }
            let relative = Array(absolute.dropFirst(root.count + 1).utf8)
            if let problem = ReservedNames.problem(withPath: relative) { throw LVCError.badPath(path, reason: problem) }
            return relative
        }
    }

    /// `lvc add [PATH...]`: makes `$LATEST`'s code equal to the folder (or to the given paths in it).
    @discardableResult
    public func add(paths: [[UInt8]]? = nil, progress: ProgressHandler? = nil) throws -> AddResult {
        let ignore = try ignoreRules()
        for path in paths ?? [] { try checkExplicitPath(path, ignore: ignore) }
        // The folder is walked while $LATEST is locked and read (the walk needs no lock).
        let root = self.root
        let scanning = BackgroundTask { try WorktreeScanner.scan(root: root, ignore: ignore, within: paths) }
        return try withLatestLock("stage files") { latest in
            var scan = try scanning.value()
            if let paths {
                for path in paths where !path.isEmpty {
                    let known = latest.code.contains { $0.path == path || $0.path.starts(with: path + [UInt8(ascii: "/")]) }
                    let found = scan.files.contains { $0.path == path || $0.path.starts(with: path + [UInt8(ascii: "/")]) }
                    if !known && !found {
                        throw LVCError.badPath(String(decoding: path, as: UTF8.self), reason: "did not match any file")
                    }
                }
            }
            let skipped = scan.skipped
            let before = latest
            let staged = try stage(&scan, into: latest.code, scope: paths, progress: progress)
            latest.code = staged.entries
            // $LATEST's trees go into the new files' pack, when there is one, before it is
            // installed: with the pack in place, looking each tree up in its idx (800 KB for
            // 20,000 files) would map most of it at add's memory peak. Nothing refers to the
            // trees until the index is committed, and the pack is in place by then.
            latest.tree = try LVCError.wrap("stage files") { try tree(of: latest, before: before, into: staged.pack) }
            if let pack = staged.pack {
                _ = try LVCError.wrap("stage files") { try pack.finish() }
                // The pack's list of entries is freed: give it back before the index is written,
                // when add's memory peaks (decision 0023).
                lvc_release_free_memory()
            }
            var result = staged.result
            result.skipped = skipped
            return result
        }
    }

    /// A path named on the command line must not go through a symlink (that could reach outside
    /// the folder) nor be ignored by `.lambdaignore`.
    func checkExplicitPath(_ path: [UInt8], ignore: IgnoreRules) throws {
        let components = path.split(separator: UInt8(ascii: "/"))
        var prefix = [UInt8]()
        for (n, component) in components.enumerated() {
            prefix += (prefix.isEmpty ? [] : [UInt8(ascii: "/")]) + component
            var st = stat()
            let exists = lstat(root + "/" + String(decoding: prefix, as: UTF8.self), &st) == 0
            let isLast = n == components.count - 1
            let isDirectory = exists && (st.st_mode & S_IFMT) == S_IFDIR
            if exists && !isLast && (st.st_mode & S_IFMT) == S_IFLNK {
                throw LVCError.badPath(String(decoding: path, as: UTF8.self),
                                       reason: "it is beyond a symbolic link (\(String(decoding: prefix, as: UTF8.self)))")
            }
            if ignore.isIgnored(prefix, isDirectory: !isLast || isDirectory) {
                throw LVCError.badPath(String(decoding: path, as: UTF8.self), reason: "it is ignored by \(Repository.ignoreFileName)")
            }
        }
    }

    /// Merges a scan into index entries: unchanged files keep their entry (stat cache), changed
    /// files are hashed and written in parallel; entries in scope that are gone are dropped.
    /// The scan's files are taken (`scan.files` is left empty): once merged, their list is freed
    /// before the hashing starts, which is when `add` holds the most memory.
    /// The new objects may wait in `pack`, which the caller installs (`finish`) before anything
    /// that refers to them is committed.
    func stage(_ scan: inout WorktreeScan, into current: [IndexEntry], scope: [[UInt8]]?,
               progress: ProgressHandler?) throws -> (entries: [IndexEntry], result: AddResult, pack: PackWriter?) {
        let racyTime = indexModificationTime()
        var result = AddResult()
        var entries = [IndexEntry]()
        entries.reserveCapacity(max(scan.files.count, current.count))
        var toHash = [Int]()     // indexes into `entries` that need content hashing
        var previous = [Int: IndexEntry]()  // what those entries replace, if anything
        // Both lists are sorted by path: walk them side by side.
        do {  // `files` is released at the end of this block
            let files = scan.files
            scan.files = []
            var i = 0, j = 0
            while i < files.count || j < current.count {
                let order = i == files.count ? 1 : (j == current.count ? -1 : comparePaths(files[i].path, current[j].path))
                if order > 0 {
                    // Staged but not found: gone if it is in scope, kept otherwise.
                    if Repository.inScope(current[j].path, scope) { result.deleted.append(current[j].path) }
                    else { entries.append(current[j]) }
                    j += 1
                    continue
                }
                let file = files[i]
                let old = order == 0 ? current[j] : nil
                i += 1
                if order == 0 { j += 1 }
                if let old, old.mode == file.mode, old.stat == file.stat, !isRacy(old.stat, racyTime) {
                    entries.append(old)
                } else {
                    toHash.append(entries.count)
                    if let old { previous[entries.count] = old }
                    entries.append(IndexEntry(path: file.path, id: .zero, mode: file.mode, stat: file.stat))
                }
            }
        }
        let pack = try hashAndStore(&entries, toHash, progress: progress)
        // The lists are sized once (grown by doubling, 20,000 paths went through half a
        // megabyte of arrays) and made before the trim below, from memory the hashing freed.
        result.added.reserveCapacity(toHash.count - previous.count)
        result.modified.reserveCapacity(previous.count)
        for index in toHash {
            let entry = entries[index]
            if let old = previous[index] {
                if old.id != entry.id || old.mode != entry.mode { result.modified.append(entry.path) }
            } else {
                result.added.append(entry.path)
            }
        }
        // Staging enough files to write a pack leaves freed memory resident in malloc's arenas
        // (file buffers, zlib state, the walk's lists, spread over the threads' arenas): give it
        // back before the last phase, when add's memory peaks (decision 0023).
        if pack != nil { lvc_release_free_memory() }
        if scope != nil {
            // Explicit paths can mix with entries outside them; a whole-folder scan cannot clash.
            entries.sort { $0.path.lexicographicallyPrecedes($1.path) }
            try Repository.checkNoFileFolderClash(entries)
        }
        return (entries, result, pack)
    }

    static func inScope(_ path: [UInt8], _ scope: [[UInt8]]?) -> Bool {
        guard let scope else { return true }
        return scope.contains { $0.isEmpty || path == $0 || path.starts(with: $0 + [UInt8(ascii: "/")]) }
    }

    /// A path cannot be both a file and a folder in one tree.
    static func checkNoFileFolderClash(_ sorted: [IndexEntry]) throws {
        var files = Set<[UInt8]>()
        for entry in sorted { files.insert(entry.path) }
        for entry in sorted {
            var prefix = entry.path
            while let slash = prefix.lastIndex(of: UInt8(ascii: "/")) {
                prefix = Array(prefix[..<slash])
                if files.contains(prefix) {
                    throw LVCError.badPath(entry.pathString, reason: "'\(String(decoding: prefix, as: UTF8.self))' is staged as a file; stage the whole folder with 'lvc add'")
                }
            }
        }
    }

    /// Hashes the given entries' files and writes their blobs, on all cores. Many new files go
    /// into a pack, returned unfinished: the caller installs it (`finish`) before it commits
    /// anything that refers to them, or drops it (then nothing of it is left).
    func hashAndStore(_ entries: inout [IndexEntry], _ indexes: [Int], progress: ProgressHandler?) throws -> PackWriter? {
        guard !indexes.isEmpty else { return nil }
        let root = self.root
        let objects = self.objects
        // Many new files (a fresh tree) go into one pack instead of one loose file each, and so
        // do $LATEST's new trees after them: the pack's list is sized for both at once (grown
        // by doubling, it took a megabyte more at add's peak).
        let pack = indexes.count < Repository.packThreshold ? nil : try LVCError.wrap("stage files") {
            try objects.packWriter(expectedCount: indexes.count + Repository.folderCount(entries) + 2)  // + code/ and the root
        }
        // The workers write each id straight into its entry (each index is written by one worker
        // only): no list of work or of results beside the entries (1.3 MB of them for 20,000
        // files; the peak RSS of a fresh `add` went down 0.5 MiB). The first failure in path
        // order is the one reported, and the pack is then dropped unwritten.
        let failure = FirstFailure()
        entries.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedEntries(buffer: buffer)
            let counter = ProgressCounter(total: indexes.count, handler: progress)
            let workers = min(max(1, System.coreCount), indexes.count)
            ThreadGroup.run(workers: workers) { worker in
                var n = worker
                while n < indexes.count {
                    let index = indexes[n]
                    let (path, mode) = (shared.buffer[index].path, shared.buffer[index].mode)
                    do {
                        shared.buffer[index].id = try Repository.storeBlob(root: root, path: path, mode: mode, objects: objects, pack: pack)
                    } catch {
                        failure.record(error, at: n)
                    }
                    counter.tick()
                    n += workers
                }
            }
        }
        if let error = failure.first { throw error }
        return pack
    }

    /// How many folders hold the entries (sorted by path), at any depth: one tree each. Paths
    /// under a folder are contiguous in sorted order, so each folder is counted once, where
    /// the first path under it comes.
    static func folderCount(_ entries: [IndexEntry]) -> Int {
        let slash = UInt8(ascii: "/")
        /// Leading components that `a` and `b` have in common.
        func sharedComponents(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
            var shared = 0
            for (x, y) in zip(a, b) {
                if x != y { return shared }
                if x == slash { shared += 1 }
            }
            let n = min(a.count, b.count)
            let longer = a.count > b.count ? a : b
            // The shorter one matched to its end: its last component is shared if the longer
            // one ends there too or has a slash there.
            if n > 0 && (a.count == b.count || longer[longer.startIndex + n] == slash) { shared += 1 }
            return shared
        }
        var count = 0
        var previous: ArraySlice<UInt8> = []  // the folder of the entry before
        for entry in entries {
            let path = entry.path[...]
            let folder = path.lastIndex(of: slash).map { path[..<$0] } ?? []
            if sameBytes(folder, previous) { continue }
            let components = folder.isEmpty ? 0 : folder.reduce(1) { $0 + ($1 == slash ? 1 : 0) }
            count += components - sharedComponents(folder, previous)
            previous = folder
        }
        return count
    }

    /// From this many files to store at once, `add` writes a pack (Format.md §4.1).
    static let packThreshold = 1000

    /// Reads one file (or a symlink's target) into a blob; streams large files.
    static func storeBlob(root: String, path: [UInt8], mode: EntryMode, objects: ObjectStore,
                          pack: PackWriter? = nil) throws -> ObjectID {
        func store(_ bytes: [UInt8]) throws -> ObjectID {
            guard let pack else { return try objects.write(.blob, bytes) }
            let id = ObjectHasher.id(of: .blob, body: bytes)
            try objects.write(.blob, bytes, id: id, into: pack)
            return id
        }
        let full = root + "/" + String(decoding: path, as: UTF8.self)
        let action = "stage \(String(decoding: path, as: UTF8.self))"
        if mode == .symlink {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { readlink(full, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
            guard n >= 0 else { throw LVCError.store(action: action, .io(path: full, operation: "read link", errno: errno)) }
            return try LVCError.wrap(action) { try store(Array(buffer[..<n])) }
        }
        let fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw LVCError.store(action: action, .io(path: full, operation: "open", errno: errno)) }
        defer { close(fd) }
        return try LVCError.wrap(action) {
            // A large file is streamed with the size it has when the read starts. If it changes
            // meanwhile (a log being written), it is read again with its new size; a file that
            // changes during three reads in a row is refused.
            for _ in 0..<3 {
                var st = stat()
                guard fstat(fd, &st) == 0 else { throw StoreError.io(path: full, operation: "stat", errno: errno) }
                let size = Int(st.st_size)
                if size <= 4 << 20 { return try store(FileSystem.readAll(fd: fd, path: full)) }
                if let id = try objects.loose.writeBlob(fromFileDescriptor: fd, size: size, path: full) { return id }
            }
            throw StoreError.io(path: full, operation: "read (it keeps changing while being read)", errno: EAGAIN)
        }
    }

    /// The index file's own mtime: entries modified at or after it may have changed unseen
    /// ("racily clean", git's term) and are re-hashed instead of trusted.
    func indexModificationTime() -> (UInt32, UInt32) {
        var st = stat()
        guard lstat(indexPath, &st) == 0 else { return (0, 0) }
        return (UInt32(truncatingIfNeeded: st.st_mtim.tv_sec), UInt32(truncatingIfNeeded: st.st_mtim.tv_nsec))
    }

    func isRacy(_ stat: StatData, _ indexTime: (UInt32, UInt32)) -> Bool {
        (stat.mtimeSeconds, stat.mtimeNanoseconds) >= indexTime
    }
}

/// Byte-wise order of two paths (memcmp, then length), the order of index entries.
func comparePaths(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let n = min(a.count, b.count)
    guard n > 0 else { return a.count - b.count }
    let c = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in memcmp(pa.baseAddress!, pb.baseAddress!, n) } }
    if c != 0 { return Int(c) }
    return a.count - b.count
}

/// Byte equality with memcmp: the generic `elementsEqual` walks iterators, about 400
/// instructions for a 30-byte folder path, 20,000 times per checkout or fresh `add`.
func sameBytes(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    guard !a.isEmpty else { return true }
    return a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0 } }
}

/// Walks two lists of entries sorted by path side by side (a merge join: no hashing of paths) and
/// calls `change` for each path whose entry is only in `old`, only in `new`, or in both with
/// another blob or mode.
func forEachChange(from old: [IndexEntry], to new: [IndexEntry],
                   _ change: (_ path: [UInt8], _ old: IndexEntry?, _ new: IndexEntry?) throws -> Void) rethrows {
    var i = 0, j = 0
    while i < old.count || j < new.count {
        let order = i == old.count ? 1 : (j == new.count ? -1 : comparePaths(old[i].path, new[j].path))
        if order < 0 {
            try change(old[i].path, old[i], nil)
            i += 1
        } else if order > 0 {
            try change(new[j].path, nil, new[j])
            j += 1
        } else {
            if old[i].id != new[j].id || old[i].mode != new[j].mode { try change(new[j].path, old[i], new[j]) }
            i += 1; j += 1
        }
    }
}

/// Slots that worker threads fill, each exactly once.
final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [Result<T, Error>?]
    private let lock = PThreadMutex()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<T, Error>) { lock.locked { slots[i] = value } }
    func get(_ i: Int) -> Result<T, Error> { lock.locked { slots[i]! } }
}

/// Index entries that worker threads fill in place, each worker its own indexes.
private struct SharedEntries: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<IndexEntry>
}

/// The error of the lowest-numbered piece of work that failed, from any thread.
final class FirstFailure: @unchecked Sendable {
    private var failure: (at: Int, error: Error)?
    private let lock = PThreadMutex()
    func record(_ error: Error, at n: Int) {
        lock.locked { if failure.map({ n < $0.at }) ?? true { failure = (n, error) } }
    }
    var first: Error? { lock.locked { failure?.error } }
}

final class ProgressCounter: @unchecked Sendable {
    private var done = 0
    private let total: Int
    private let handler: ProgressHandler?
    private let lock = PThreadMutex()
    init(total: Int, handler: ProgressHandler?) { self.total = total; self.handler = handler }
    func tick() {
        guard let handler else { return }
        let n = lock.locked { done += 1; return done }
        handler(n, total)
    }
}

/// A plain pthread mutex.
final class PThreadMutex: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

enum System {
    static var coreCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
