import LVCStore

/// One side of a diff: a published version, `$LATEST`, or the function folder.
public enum DiffSide: Sendable, Equatable, CustomStringConvertible {
    case latest
    case version(Int)
    case folder
    /// No code and AWS's default configuration: what `diff --staged` compares `$LATEST` with
    /// before the first version (everything is new, as `git diff --staged` shows before the
    /// first commit).
    case nothingPublished

    public var description: String {
        switch self {
        case .latest: return "$LATEST"
        case .version(let n): return String(n)
        case .folder: return "."
        case .nothingPublished: return "(no version)"
        }
    }
}

/// A file that differs, with both contents when the caller asked for them.
public struct FileDiff: Sendable {
    public var change: TreeChange
    public var oldContent: [UInt8]?
    public var newContent: [UInt8]?
    /// Set instead of the contents when a side is a large binary file (decision 0017): only its
    /// first 8,000 bytes and its size were kept while it streamed. A missing side counts 0.
    public var largeBinary: (oldSize: Int, newSize: Int)?

    /// The sizes of the two sides when the file is binary (git's rule: a NUL in the first 8,000
    /// bytes of either side), nil for a text file.
    public var binarySizes: (oldSize: Int, newSize: Int)? {
        if let largeBinary { return largeBinary }
        let old = oldContent ?? [], new = newContent ?? []
        return LineDiff.isBinary(old) || LineDiff.isBinary(new) ? (old.count, new.count) : nil
    }
    /// Its lines added and removed, worked out while the contents were read and then let go
    /// (`log --stat` over a long history); nil when not asked for.
    public var summary: LineSummary?
}

/// One side of a changed file, as read for a diff.
enum DiffContent {
    case bytes([UInt8])
    case largeBinary(size: Int)

    var size: Int {
        switch self {
        case .bytes(let bytes): return bytes.count
        case .largeBinary(let size): return size
        }
    }
}

extension FileDiff {
    /// Takes the sides read for it: their bytes, or only their sizes when either is a large
    /// binary file.
    mutating func load(old: DiffContent?, new: DiffContent?) {
        func isLarge(_ side: DiffContent?) -> Bool { if case .largeBinary = side { return true } else { return false } }
        if isLarge(old) || isLarge(new) {
            largeBinary = (old?.size ?? 0, new?.size ?? 0)
            return
        }
        if case .bytes(let bytes) = old { oldContent = bytes }
        if case .bytes(let bytes) = new { newContent = bytes }
    }
}

/// What `--stat` shows of a changed file.
public enum LineSummary: Sendable, Equatable {
    case text(added: Int, removed: Int)
    case binary(oldSize: Int, newSize: Int)

    public static func of(_ file: FileDiff) -> LineSummary {
        if let sizes = file.binarySizes { return .binary(oldSize: sizes.oldSize, newSize: sizes.newSize) }
        let counts = LineDiff.counts(LineDiff.lines(file.oldContent ?? []), LineDiff.lines(file.newContent ?? []))
        return .text(added: counts.added, removed: counts.removed)
    }
}

/// Everything that differs between two states: files (by path) and configuration keys.
public struct StateDiff: Sendable {
    public var files: [FileDiff]
    public var config: [ConfigChange]
    public var isEmpty: Bool { files.isEmpty && config.isEmpty }
}

extension Repository {
    /// Parses a diff side: `.` (the folder), `$LATEST`/`LATEST`, a version number or an alias.
    public func diffSide(_ text: String) throws -> DiffSide {
        if text == "." { return .folder }
        switch try qualifier(text) {
        case .latest: return .latest
        case .version(let n): return .version(n)
        }
    }

    /// A state resolved for diffing: its code tree (possibly built in memory), configuration,
    /// and where blob contents come from.
    struct ResolvedSide {
        var codeTree: ObjectID?
        var configuration: FunctionConfiguration
        var memoryTrees: [ObjectID: Tree] = [:]
        /// For the folder: blob id -> file path, read from disk instead of the store.
        var folderFiles: [ObjectID: WorktreeFile] = [:]
    }

    /// With `publishBaseline`, a version's configuration is the one `$LATEST` had when the version
    /// was published (see `diff`).
    func resolve(_ side: DiffSide, publishBaseline: Bool = false) throws -> ResolvedSide {
        switch side {
        case .nothingPublished:
            return ResolvedSide(codeTree: nil, configuration: FunctionConfiguration())
        case .version(let n):
            let version = try version(n)
            let configuration = publishBaseline ? publishedFrom(version).configuration : version.configuration
            return ResolvedSide(codeTree: version.codeTree, configuration: configuration)
        case .latest:
            let latest = try readLatest()
            let tree = try LVCError.wrap("read $LATEST") { try treeOfLatest(latest) }
            return ResolvedSide(codeTree: tree.code, configuration: latest.configuration)
        case .folder:
            // The folder's trees are hashed in memory (nothing is written); unchanged files take
            // their ids from the index's stat cache, the others are hashed.
            let latest = try readLatest()
            let scan = try WorktreeScanner.scan(root: root, ignore: try ignoreRules())
            let racyTime = indexModificationTime()
            var entries = [IndexEntry]()
            var folderFiles = [ObjectID: WorktreeFile]()
            var j = 0
            for file in scan.files {
                while j < latest.code.count, comparePaths(latest.code[j].path, file.path) < 0 { j += 1 }
                if j < latest.code.count, latest.code[j].path == file.path, latest.code[j].mode == file.mode,
                   latest.code[j].stat == file.stat, !isRacy(file.stat, racyTime) {
                    entries.append(latest.code[j])
                } else {
                    let id = try hashWorktreeFile(file)
                    folderFiles[id] = file
                    entries.append(IndexEntry(path: file.path, id: id, mode: file.mode, stat: file.stat))
                }
            }
            var memory = [ObjectID: Tree]()
            let root: ObjectID? = entries.isEmpty ? nil : try Index(entries: entries).buildTree { tree in
                let id = ObjectHasher.id(of: .tree, body: tree.encode())
                memory[id] = tree
                return id
            }
            return ResolvedSide(codeTree: root, configuration: latest.configuration, memoryTrees: memory, folderFiles: folderFiles)
        }
    }

    /// Compares two states by tree ids (unchanged folders are never read); `paths` limits the
    /// files compared; `contents` loads both sides of each changed file for patches.
    /// With `publishBaseline`, a version on the left is compared with the `$LATEST` it was
    /// published from (so `publish -d`'s description is not a difference): `lvc diff --staged`.
    public func diff(_ a: DiffSide, _ b: DiffSide, paths: [[UInt8]]? = nil, contents: Bool,
                     publishBaseline: Bool = false) throws -> StateDiff {
        let left = try resolve(a, publishBaseline: publishBaseline)
        let right = try resolve(b)
        let load: (ObjectID) throws -> Tree = { id in
            if let tree = left.memoryTrees[id] ?? right.memoryTrees[id] { return tree }
            return try LVCError.wrap("read a tree") { try self.objects.readTree(id) }
        }
        var changes = try TreeDiff.diff(left.codeTree, right.codeTree, load: load)
        if let paths { changes = changes.filter { Repository.inScope($0.path, paths) } }
        var files = [FileDiff]()
        for change in changes {
            var file = FileDiff(change: change)
            if contents {
                file.load(old: try change.old.map { try diffContent($0.id, from: left) },
                          new: try change.new.map { try diffContent($0.id, from: right) })
            }
            files.append(file)
        }
        return StateDiff(files: files, config: Repository.configChanges(left.configuration, right.configuration))
    }

    /// A side of a changed file as a diff needs it: its bytes, or, for a large binary blob, its
    /// size alone (the blob is streamed and verified, and let go once its first 8,000 bytes show
    /// a NUL).
    func diffContent(_ id: ObjectID, from side: ResolvedSide?) throws -> DiffContent {
        if let side, let file = side.folderFiles[id] {
            if file.mode != .symlink, let size = try largeBinaryFile(file) { return .largeBinary(size: size) }
            return .bytes(try blobContent(id, from: side))
        }
        var kept = [UInt8](), binary = false
        let read = try LVCError.wrap("read object \(id)") {
            try objects.readBlob(id) { piece in
                guard !binary else { return }
                let before = kept.count
                kept.append(contentsOf: piece)
                let decisive = LineDiff.binaryCheckLength
                if before < decisive && kept.count >= decisive, LineDiff.isBinary(kept) {
                    binary = true
                    kept = []
                }
            }
        }
        switch read {
        case .whole(let body): return .bytes(body)
        case .streamed(let size): return binary ? .largeBinary(size: size) : .bytes(kept)
        }
    }

    /// The size of a file in the folder when it is large and binary (a NUL in its first 8,000
    /// bytes), read from its first bytes only; nil otherwise (then it is read whole).
    func largeBinaryFile(_ file: WorktreeFile) throws -> Int? {
        try LVCError.wrap("read \(file.pathString)") {
            let path = root + "/" + file.pathString
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw StoreError.io(path: file.pathString, operation: "open", errno: errno) }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw StoreError.io(path: file.pathString, operation: "stat", errno: errno) }
            guard Int(st.st_size) >= ObjectStore.streamingThreshold else { return nil }
            var start = [UInt8](repeating: 0, count: LineDiff.binaryCheckLength)
            let count = start.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            guard count == start.count else { return nil }
            return LineDiff.isBinary(start) ? Int(st.st_size) : nil
        }
    }

    func blobContent(_ id: ObjectID, from side: ResolvedSide) throws -> [UInt8] {
        if let file = side.folderFiles[id] {
            return try LVCError.wrap("read \(file.pathString)") {
                if file.mode == .symlink {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    let n = buffer.withUnsafeMutableBytes { readlink(root + "/" + file.pathString, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
                    guard n >= 0 else { throw StoreError.io(path: file.pathString, operation: "read link", errno: errno) }
                    return Array(buffer[..<n])
                }
                return try FileSystem.readAll(root + "/" + file.pathString)
            }
        }
        return try LVCError.wrap("read object \(id)") { try objects.read(id, as: .blob) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One entry of `lvc log`: a published version, possibly deleted since.
public struct LogEntry: Sendable {
    public var version: PublishedVersion
    public var deleted: Bool
    /// Aliases pointing at it, as "PROD" or "PROD (10%)" for a weighted share.
    public var aliases: [String]
    /// Files changed since the version before it (filled for `--stat`).
    public var changes: StateDiff?
}

extension Repository {
    /// `lvc log [QUALIFIER]`: versions newest first, following each commit's parent (so versions
    /// deleted since still show while their history is in the store). One entry at a time, so that
    /// a long history is shown as it is read and only one version's changed files are in memory.
    /// `withChanges` fills `changes` with the files changed since the version before; `summaries`
    /// reads both sides of each for its line counts (keeping the counts, not the files).
    /// `body` returns false to stop early.
    public func log(from start: Qualifier? = nil, limit: Int? = nil, withChanges: Bool = false, summaries: Bool = false,
                    _ body: (LogEntry) throws -> Bool) throws {
        let existing = try versionCommits()
        let state = try readState()
        var next: ObjectID?
        switch start {
        case nil, .latest?: next = try LVCError.wrap("read the history") { try refs.resolve(Repository.mainRef) }
        case .version(let n)?:
            try requireVersion(n, existing)
            next = existing[n]
        }
        var count = 0
        var seen = Set<ObjectID>()
        while let id = next, seen.insert(id).inserted {
            if let limit, count >= limit { break }
            let commit = try LVCError.wrap("read the history") { try objects.readCommit(id) }
            guard let number = Int(commit.trailer(Trailer.version) ?? "") else { break }
            let version = try readVersion(commit: id, number: number)
            var aliases = [String]()
            for alias in state.aliases.values.sorted(by: { $0.name < $1.name }) {
                if alias.target == .version(number) {
                    aliases.append(alias.routing.map { "\(alias.name) (\(Alias.percent(1 - $0.weight)))" } ?? alias.name)
                } else if let routing = alias.routing, routing.version == number {
                    aliases.append("\(alias.name) (\(Alias.percent(routing.weight)))")
                }
            }
            var entry = LogEntry(version: version, deleted: existing[number] != id, aliases: aliases)
            next = commit.parents.first
            if withChanges {
                let previousCode: ObjectID? = try next.flatMap { parent in
                    let tree = try LVCError.wrap("read the history") { try objects.readTree(objects.readCommit(parent).tree) }
                    return tree.entry(named: Array("code".utf8))?.id
                }
                let load: (ObjectID) throws -> Tree = { id in try LVCError.wrap("read a tree") { try self.objects.readTree(id) } }
                let changes = try TreeDiff.diff(previousCode, version.codeTree, load: load)
                entry.changes = StateDiff(files: try changes.map { change in
                    var file = FileDiff(change: change)
                    if summaries {
                        file.load(old: try change.old.map { try diffContent($0.id, from: nil) },
                                  new: try change.new.map { try diffContent($0.id, from: nil) })
                        file.summary = .of(file)
                        file.oldContent = nil; file.newContent = nil
                    }
                    return file
                }, config: [])
            }
            count += 1
            guard try body(entry) else { return }
        }
    }
}
