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
        try withLatestLock("check out \(qualifier)") { latest in
            let targetEntries: [DeploymentPackage.Entry]
            let configuration: FunctionConfiguration
            switch qualifier {
            case .latest:
                targetEntries = latest.code.map { .init(path: $0.path, mode: $0.mode, id: $0.id) }
                configuration = latest.configuration
            case .version(let n):
                let version = try version(n)
                targetEntries = try packageEntries(codeTree: version.codeTree)
                configuration = version.configuration
            }
            var target = [[UInt8]: DeploymentPackage.Entry](minimumCapacity: targetEntries.count)
            for entry in targetEntries { target[entry.path] = entry }
            var current = [[UInt8]: IndexEntry](minimumCapacity: latest.code.count)
            for entry in latest.code { current[entry.path] = entry }

            let scan = try WorktreeScanner.scan(root: root, ignore: .none)
            let local = try worktreeChanges(scan, latest: latest)
            let localByPath = Dictionary(local.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })

            // Paths the checkout writes or removes.
            var toWrite = [DeploymentPackage.Entry]()
            for entry in targetEntries {
                let old = current[entry.path]
                if old?.id != entry.id || old?.mode != entry.mode || localByPath[entry.path] != nil {
                    toWrite.append(entry)
                }
            }
            let toRemove = latest.code.filter { target[$0.path] == nil }.map(\.path)
            let tracked = Set(latest.code.map(\.path))
            if !force {
                let touched = Set(toWrite.map(\.path)).union(toRemove)
                var conflicts = local.filter { touched.contains($0.path) }
                    .filter { change in
                        // An untracked file is only in the way if the version has something different there.
                        change.kind != .added || target[change.path] != nil
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

            let writer = SafeWriter(root: root)
            var result = CheckoutResult()
            let replaceable: ([UInt8]) -> Bool = { path in force || tracked.contains(path) }
            do {
                for path in toRemove {
                    try writer.remove(path)
                    writer.pruneEmptyFolders(above: path)
                    result.removed.append(String(decoding: path, as: UTF8.self))
                }
                var stats = [[UInt8]: StatData]()
                for entry in toWrite {
                    let content = try LVCError.wrap("check out \(String(decoding: entry.path, as: UTF8.self))") {
                        try objects.read(entry.id, as: .blob)
                    }
                    stats[entry.path] = try writer.write(entry.path, mode: entry.mode, content: content, replaceable: replaceable)
                    result.written.append(String(decoding: entry.path, as: UTF8.self))
                }
                latest.code = targetEntries.map { entry in
                    IndexEntry(path: entry.path, id: entry.id, mode: entry.mode,
                               stat: stats[entry.path] ?? current[entry.path]?.stat ?? .zero)
                }
            } catch let failure as SafeWriter.Failure {
                throw LVCError.badPath(failure.path, reason: failure.reason)
            }
            latest.configuration = configuration
            return result
        }
    }
}

extension Repository {
    /// Untracked files or symlinks standing where one of `paths` needs a folder.
    static func blockingFiles(for paths: [[UInt8]], root: String, tracked: Set<[UInt8]>) -> [String] {
        var blocking = Set<String>()
        var checked = Set<[UInt8]>()
        for path in paths {
            var prefix = [UInt8]()
            for component in path.split(separator: UInt8(ascii: "/")).dropLast() {
                prefix += (prefix.isEmpty ? [] : [UInt8(ascii: "/")]) + component
                guard checked.insert(prefix).inserted else { continue }
                var st = stat()
                let full = root + "/" + String(decoding: prefix, as: UTF8.self)
                if lstat(full, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR, !tracked.contains(prefix) {
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
        let root = try latest.encode(configBlob: configBlob).buildTree { ObjectHasher.id(of: .tree, body: $0.encode()) }
        for (number, commit) in try versionCommits() {
            let version = try readVersion(commit: commit, number: number)
            if version.publishedFrom == root || version.tree == root { return true }
        }
        return false
    }

    /// `lvc config KEY VALUE`: changes one setting of `$LATEST` (validated as AWS validates it).
    public func setConfiguration(_ key: String, to value: String) throws {
        try withLatestLock("change the configuration") { latest in
            try latest.configuration.set(key, to: value)
        }
    }

    /// `lvc config --unset KEY`.
    public func unsetConfiguration(_ key: String) throws {
        try withLatestLock("change the configuration") { latest in
            try latest.configuration.unset(key)
        }
    }
}
