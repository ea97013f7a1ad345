import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A configuration key whose value differs between two states.
public struct ConfigChange: Sendable, Equatable {
    public var key: String
    public var old: String?
    public var new: String?
}

/// `lvc status`: what `lvc add` would stage and what `lvc publish` would freeze.
public struct StatusReport: Sendable {
    /// Folder vs `$LATEST`: files `lvc add` would stage (added = not yet staged).
    public var unstaged: [TreeChange] = []
    /// `$LATEST` vs the newest version: what `lvc publish` would freeze.
    public var staged: [TreeChange] = []
    public var configChanges: [ConfigChange] = []
    /// The newest published version, nil before the first publish.
    public var newestVersion: Int?
    /// True when `lvc publish` would create a version.
    public var publishWouldCreate: Bool = true
    public var skipped: [(path: String, reason: String)] = []
}

extension Repository {
    public func status() throws -> StatusReport {
        var report = StatusReport()
        let ignore = try ignoreRules()
        let (latest, scan) = try concurrently({ try self.readLatest() }) {
            try WorktreeScanner.scan(root: root, ignore: ignore)
        }
        report.skipped = scan.skipped
        report.unstaged = try worktreeChanges(scan, latest: latest)

        // $LATEST vs the newest version, by tree ids computed in memory (nothing is written).
        var memory = [ObjectID: Tree]()
        let rootID: ObjectID
        if let known = latest.tree, objects.contains(known) {
            rootID = known  // written with the index: its trees are in the store
        } else {
            let configBlob = ObjectHasher.id(of: .blob, body: latest.configuration.encoded)
            rootID = try latest.buildTrees(configBlob: configBlob) { tree in
                let id = ObjectHasher.id(of: .tree, body: tree.encode())
                memory[id] = tree
                return id
            }.root
        }
        let load: (ObjectID) throws -> Tree = { id in
            if let tree = memory[id] { return tree }
            return try LVCError.wrap("read a tree") { try self.objects.readTree(id) }
        }
        let codeID = try load(rootID).entry(named: Array("code".utf8))?.id
        if let version = try newestVersion() {
            report.newestVersion = version.number
            // As publish decides: $LATEST equal to the version's own tree (after `checkout`) or
            // to the one it was published from.
            report.publishWouldCreate = version.publishedFrom != rootID && version.tree != rootID
            if report.publishWouldCreate {
                report.staged = try TreeDiff.diff(version.codeTree, codeID, load: load)
                // Against the $LATEST configuration the version was published from.
                report.configChanges = Repository.configChanges(publishedFrom(version).configuration, latest.configuration)
            }
        } else {
            report.staged = try TreeDiff.diff(nil, codeID, load: load)
        }
        return report
    }

    /// Field-level differences between two configurations, in `lvc config` key order.
    public static func configChanges(_ old: FunctionConfiguration, _ new: FunctionConfiguration) -> [ConfigChange] {
        let a = Dictionary(old.listing, uniquingKeysWith: { $1 })
        let b = Dictionary(new.listing, uniquingKeysWith: { $1 })
        var order = FunctionConfiguration.keys
        order += Set(a.keys).union(b.keys).filter { $0.hasPrefix("env.") }.sorted()
        return order.compactMap { key in a[key] == b[key] ? nil : ConfigChange(key: key, old: a[key], new: b[key]) }
    }

    /// Folder vs index: unchanged stat data means unchanged content; otherwise the content is hashed.
    /// Both lists are sorted by path, so they are walked side by side (no hashing of paths).
    func worktreeChanges(_ scan: WorktreeScan, latest: Latest) throws -> [TreeChange] {
        let racyTime = indexModificationTime()
        var changes = [TreeChange]()
        let files = scan.files, entries = latest.code
        var i = 0, j = 0
        while i < files.count || j < entries.count {
            let order = i == files.count ? 1 : (j == entries.count ? -1 : comparePaths(files[i].path, entries[j].path))
            if order < 0 {
                changes.append(TreeChange(kind: .added, path: files[i].path, old: nil, new: (files[i].mode, .zero)))
                i += 1
            } else if order > 0 {
                changes.append(TreeChange(kind: .deleted, path: entries[j].path, old: (entries[j].mode, entries[j].id), new: nil))
                j += 1
            } else {
                let file = files[i], entry = entries[j]
                i += 1; j += 1
                if entry.mode == file.mode && entry.stat == file.stat && !isRacy(entry.stat, racyTime) { continue }
                let id = try hashWorktreeFile(file)
                if id != entry.id || entry.mode != file.mode {
                    changes.append(TreeChange(kind: .modified, path: file.path, old: (entry.mode, entry.id), new: (file.mode, id)))
                }
            }
        }
        return changes
    }

    /// The blob id a folder file would get, without storing it. A large file is hashed a
    /// megabyte at a time (decision 0017); one that changes while it is read is read whole.
    func hashWorktreeFile(_ file: WorktreeFile) throws -> ObjectID {
        let full = root + "/" + file.pathString
        return try LVCError.wrap("read \(file.pathString)") {
            if file.mode == .symlink {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = buffer.withUnsafeMutableBytes { readlink(full, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
                guard n >= 0 else { throw StoreError.io(path: full, operation: "read link", errno: errno) }
                return ObjectHasher.id(of: .blob, body: Array(buffer[..<n]))
            }
            let fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { throw StoreError.io(path: full, operation: "open", errno: errno) }
            defer { close(fd) }
            var st = stat()
            if fstat(fd, &st) == 0, Int(st.st_size) >= ObjectStore.streamingThreshold {
                var hasher = ObjectHasher(kind: .blob, size: Int(st.st_size))
                if try FileSystem.readPieces(fd: fd, size: Int(st.st_size), path: full, { hasher.update($0) }) {
                    return hasher.finalize()
                }
            }
            let bytes = try FileSystem.readAll(fd: fd, path: full)
            return ObjectHasher.id(of: .blob, body: bytes)
        }
    }
}
