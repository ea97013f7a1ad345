import LVCStore

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
            if !force {
                let touched = Set(toWrite.map(\.path)).union(toRemove)
                let conflicts = local.filter { touched.contains($0.path) }
                    .filter { change in
                        // An untracked file is only in the way if the version has something different there.
                        change.kind != .added || target[change.path] != nil
                    }
                    .map(\.pathString)
                if !conflicts.isEmpty { throw LVCError.wouldOverwrite(paths: conflicts) }
            }

            let writer = SafeWriter(root: root)
            var result = CheckoutResult()
            let tracked = Set(latest.code.map(\.path))
            let replaceable: ([UInt8]) -> Bool = { path in force || tracked.contains(path) || target[path] == nil }
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
