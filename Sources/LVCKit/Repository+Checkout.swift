import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `lvc checkout` changed in the folder.
public struct CheckoutResult: Sendable {
    public var written: [String] = []
    public var removed: [String] = []
}

extension Repository {
    /// `lvc checkout QUALIFIER`: makes `$LATEST` and the folder equal to a version (code and
    /// configuration). Refuses to overwrite changes that are not staged unless `force`.
    public func checkout(_ qualifier: Qualifier, force: Bool) throws -> CheckoutResult {
        // Without --force, the whole folder is walked (untracked files may be in the way) while
        // $LATEST is locked and read and the trees are compared. With --force, only the tracked
        // files are looked at (their folders are not listed), from when $LATEST is read, while the
        // trees are compared.
        let root = self.root
        let walking = force ? nil : BackgroundTask { try WorktreeScanner.scan(root: root, ignore: .none) }
        return try withLatestLock("check out \(qualifier)") { latest in
            let scanning = walking ?? BackgroundTask { [paths = latest.code.map(\.path)] in
                try WorktreeScanner.scanTracked(root: root, paths: paths)
            }
            // What differs between $LATEST and the target, by tree ids: unchanged folders are
            // never read, so the work follows the size of the difference.
            let current = try LVCError.wrap("check out \(qualifier)") { try treeOfLatest(latest) }
            let configuration: FunctionConfiguration
            var targetRoot: ObjectID?
            var targetCode: ObjectID?
            switch qualifier {
            case .latest:
                configuration = latest.configuration
                targetRoot = current.root
                targetCode = current.code
            case .version(let n):
                // $LATEST as it was when the version was published: a description given with
                // `publish -d` stays the version's, as on AWS, and does not become $LATEST's.
                let version = try version(n)
                (targetRoot, configuration) = publishedFrom(version)
                targetCode = version.codeTree
            }
            let diff = try LVCError.wrap("compare $LATEST with \(qualifier)") {
                try TreeDiff.diff(current.code, targetCode) { try objects.readTree($0) }
            }
            var changed = [[UInt8]: DeploymentPackage.Entry?]()  // path -> new entry (nil: removed)
            for change in diff {
                if let new = change.new {
                    if let problem = ReservedNames.problem(withPath: change.path) {
                        throw LVCError.badPath(change.pathString, reason: "stored tree holds an unsafe name: \(problem)")
                    }
                    if new.mode == .gitlink {
                        throw LVCError.badPath(change.pathString, reason: "stored tree holds a submodule (gitlink), which lvc does not support")
                    }
                    changed[change.path] = .some(.init(path: change.path, mode: new.mode, id: new.id))
                } else {
                    changed[change.path] = .some(nil)
                }
            }
            let staged = latest.code
            /// The target's entry for a path: changed by the diff, or else the same as in $LATEST.
            func target(_ path: [UInt8]) -> DeploymentPackage.Entry? {
                if let entry = changed[path] { return entry }
                return Repository.find(path, in: staged).map { .init(path: $0.path, mode: $0.mode, id: $0.id) }
            }

            let scan = try scanning.value()
            let local = try worktreeChanges(scan, latest: latest)

            // Paths the checkout writes: what the diff changes, and local edits of files it restores.
            var toWrite = changed.values.compactMap { $0 }
            var writing = Set(toWrite.map(\.path))
            for change in local where change.kind != .added && !writing.contains(change.path) {
                if let entry = target(change.path) { toWrite.append(entry); writing.insert(change.path) }
            }
            toWrite.sort { $0.path.lexicographicallyPrecedes($1.path) }
            let toRemove = changed.filter { $0.value == nil }.map(\.key).sorted { $0.lexicographicallyPrecedes($1) }
            let tracked: ([UInt8]) -> Bool = { Repository.find($0, in: staged) != nil }
            // A folder where the version has a file must be empty once the checkout has removed
            // the tracked files in it. What else it holds is never removed, not even with --force
            // (git would delete it): checkout refuses before changing anything.
            let inTheWay = Repository.untrackedContent(where: toWrite.map(\.path), root: root, tracked: tracked)
            if !inTheWay.isEmpty {
                let shown = inTheWay.prefix(10).joined(separator: "\n\t") + (inTheWay.count > 10 ? "\n\t… and \(inTheWay.count - 10) more" : "")
                throw LVCError.refused("\(qualifier) has a file where the function folder has a folder, and that folder holds files lvc does not track:\n\t\(shown)\nmove or remove them, then check out again (--force does not delete them)")
            }
            if !force {
                let touched = writing.union(toRemove)
                var conflicts = local.filter { touched.contains($0.path) }
                    .filter { change in
                        // Recreating a deleted file loses nothing; an untracked file is only in
                        // the way if the version has something there.
                        change.kind == .modified || (change.kind == .added && target(change.path) != nil)
                    }
                    .map(\.pathString)
                // Untracked files or links where the version needs a folder.
                conflicts += Repository.blockingFiles(for: toWrite.map(\.path), root: root, tracked: tracked)
                if !conflicts.isEmpty { throw LVCError.wouldOverwrite(paths: conflicts) }
                // Staged work that no version holds would be lost.
                if qualifier != .latest, try !latestIsPublished(latest) {
                    throw LVCError.refused("$LATEST has staged changes that no version holds; checking out \(qualifier) would lose them. Publish them first ('lvc publish'), or use --force to discard them")
                }
            }

            let writer = SafeWriter(root: root, temporaryDirectory: temporaryDirectory)
            var result = CheckoutResult()
            let replaceable: ([UInt8]) -> Bool = { path in force || tracked(path) }
            do {
                for path in toRemove {
                    try writer.remove(path)
                    writer.pruneEmptyFolders(above: path)
                    result.removed.append(String(decoding: path, as: UTF8.self))
                }
                var stats = [[UInt8]: StatData]()
                for entry in toWrite {
                    // Streamed from the store into the temporary file (a 200 MB file is not held
                    // whole); renamed into place only once its hash is verified.
                    stats[entry.path] = try LVCError.wrap("check out \(String(decoding: entry.path, as: UTF8.self))") {
                        try writer.write(entry.path, mode: entry.mode, replaceable: replaceable) { output in
                            try objects.streamBlob(entry.id, into: output)
                        }
                    }
                    result.written.append(String(decoding: entry.path, as: UTF8.self))
                }
                // $LATEST's entries, with the removed and written paths replaced: a merge of sorted
                // lists (no per-path hashing of the thousands that did not change).
                let written = toWrite.map { IndexEntry(path: $0.path, id: $0.id, mode: $0.mode, stat: stats[$0.path] ?? .zero) }
                let dropped = toRemove  // sorted, like toWrite and latest.code
                var entries = [IndexEntry]()
                entries.reserveCapacity(latest.code.count + written.count)
                var w = 0, d = 0
                for entry in latest.code {
                    while w < written.count, comparePaths(written[w].path, entry.path) < 0 { entries.append(written[w]); w += 1 }
                    while d < dropped.count, comparePaths(dropped[d], entry.path) < 0 { d += 1 }
                    if w < written.count, written[w].path == entry.path { continue }  // replaced below
                    if d < dropped.count, dropped[d] == entry.path { continue }
                    entries.append(entry)
                }
                entries += written[w...]
                latest.code = entries
            } catch let failure as SafeWriter.Failure {
                throw LVCError.badPath(failure.path, reason: failure.reason)
            }
            latest.configuration = configuration
            // $LATEST is now exactly the target's tree (code and function.json).
            // (Only when that tree has lvc's shape: `code/` and `function.json`, nothing else.)
            if let targetRoot, let tree = try? objects.readTree(targetRoot),
               tree.entries.allSatisfy({ ($0.name == Array("code".utf8) && $0.mode == .directory) || ($0.name == Latest.configPath && $0.mode == .file) }) {
                latest.tree = targetRoot
            } else {
                latest.tree = nil
            }
            return result
        }
    }
}

extension Repository {
    /// The entry at `path` in entries sorted by path, if there is one (binary search).
    static func find(_ path: [UInt8], in sorted: [IndexEntry]) -> IndexEntry? {
        let at = lowerBound(of: path, in: sorted)
        return at < sorted.count && sorted[at].path == path ? sorted[at] : nil
    }

    /// The position of the first entry whose path is not before `path` (binary search).
    static func lowerBound(of path: [UInt8], in sorted: [IndexEntry]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if comparePaths(sorted[mid].path, path) < 0 { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// For each path the checkout writes as a file but that is a folder on disk: the files and
    /// links in it that lvc does not track (untracked or ignored), as paths from the function
    /// folder. Tracked files in it are removed by the checkout itself (the version has a file
    /// there, so none of them), and folders holding no file at all are removed with them.
    static func untrackedContent(where paths: [[UInt8]], root: String, tracked: ([UInt8]) -> Bool) -> [String] {
        var found = [String]()
        func collect(_ folder: [UInt8]) {
            guard let names = try? FileSystem.listDirectory(root + "/" + String(decoding: folder, as: UTF8.self)) else {
                found.append(String(decoding: folder, as: UTF8.self) + "/")  // unreadable: cannot be emptied
                return
            }
            for name in names {
                let path = folder + [UInt8(ascii: "/")] + Array(name.utf8)
                var st = stat()
                if lstat(root + "/" + String(decoding: path, as: UTF8.self), &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                    collect(path)
                } else if !tracked(path) {
                    found.append(String(decoding: path, as: UTF8.self))
                }
            }
        }
        for path in paths {
            var st = stat()
            guard lstat(root + "/" + String(decoding: path, as: UTF8.self), &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            collect(path)
        }
        return found.sorted()
    }

    /// Untracked files or symlinks standing where one of `paths` needs a folder.
    static func blockingFiles(for paths: [[UInt8]], root: String, tracked: ([UInt8]) -> Bool) -> [String] {
        var blocking = Set<String>()
        var checked = Set<[UInt8]>()
        for path in paths {
            var prefix = [UInt8]()
            for component in path.split(separator: UInt8(ascii: "/")).dropLast() {
                prefix += (prefix.isEmpty ? [] : [UInt8(ascii: "/")]) + component
                guard checked.insert(prefix).inserted else { continue }
                var st = stat()
                let full = root + "/" + String(decoding: prefix, as: UTF8.self)
                if lstat(full, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR, !tracked(prefix) {
                    blocking.insert(String(decoding: prefix, as: UTF8.self))
                }
            }
        }
        return blocking.sorted()
    }

    /// Whether `$LATEST` (code and configuration) equals a published version's, so that replacing
    /// it loses nothing. An empty `$LATEST` before the first publish has nothing to lose either.
    func latestIsPublished(_ latest: Latest) throws -> Bool {
        if latest.code.isEmpty && latest.configuration == FunctionConfiguration() { return true }
        let configBlob = ObjectHasher.id(of: .blob, body: latest.configuration.encoded)
        let root = try latest.buildTrees(configBlob: configBlob) { ObjectHasher.id(of: .tree, body: $0.encode()) }.root
        for (number, commit) in try versionCommits() {
            let version = try readVersion(commit: commit, number: number)
            if version.publishedFrom == root || version.tree == root { return true }
        }
        return false
    }
}
