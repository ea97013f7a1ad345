import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `lvc import --into-folder` writes into the function folder and removes from it.
struct FolderPlan {
    /// Indexes into the package's files whose content the folder does not have yet.
    var write: [Int] = []
    /// Files of the old `$LATEST` that the package does not have (unchanged in the folder).
    var remove: [[UInt8]] = []
    /// Paths `$LATEST` tracked before the import (a file or link there may be replaced).
    var tracked = Set<[UInt8]>()
    /// Unstaged changes are discarded: anything in the way may be replaced.
    var force = false
    /// Files the folder already holds with the package's content and mode: their stat data, so
    /// that the index's stat cache knows them.
    var present = [[UInt8]: StatData]()
}

extension PackageContents.File {
    var pathString: String { String(decoding: path, as: UTF8.self) }
}

extension Repository {
    /// Decides what the folder needs, with checkout's rule: nothing that is not staged is ever
    /// overwritten or removed. A file the package would write or remove conflicts when it is
    /// modified in the folder, or untracked, unless it already holds exactly the package's content
    /// and mode (then it is left as it is). An untracked file or symlink where the package needs a
    /// folder, and a folder holding anything that stays where the package has a file, conflict
    /// too. All conflicts are reported at once; nothing has been written.
    /// With `force`, such changes are discarded instead (as `checkout --force` does).
    func planFolder(latest: Latest, files: [PackageContents.File], ids: [ObjectID], force: Bool) throws -> FolderPlan {
        let scan = try WorktreeScanner.scan(root: root, ignore: .none)
        let local = try worktreeChanges(scan, latest: latest)
        var changes = [[UInt8]: TreeChange]()
        for change in local { changes[change.path] = change }
        var inFolder = [[UInt8]: WorktreeFile]()
        for file in scan.files { inFolder[file.path] = file }
        let incoming = Set(files.map(\.path))
        var plan = FolderPlan()
        plan.tracked = Set(latest.code.map(\.path))
        var conflicts = [String]()

        plan.force = force
        for old in latest.code where !incoming.contains(old.path) {
            switch changes[old.path]?.kind {
            case .modified? where !force: conflicts.append(old.pathString)
            case .deleted?: break  // already gone: nothing to lose, nothing to do
            default: plan.remove.append(old.path)
            }
        }
        let removing = Set(plan.remove)
        for (i, file) in files.enumerated() {
            if let present = inFolder[file.path] {
                let change = changes[file.path]
                var current: (mode: EntryMode, id: ObjectID)
                if let change, change.kind == .added {
                    current = (present.mode, try hashWorktreeFile(present))
                } else if let change, let new = change.new {
                    current = new
                } else if let old = Repository.find(file.path, in: latest.code) {
                    current = (old.mode, old.id)
                } else {
                    current = (present.mode, try hashWorktreeFile(present))
                }
                if current.mode == file.mode && current.id == ids[i] {  // already there
                    plan.present[file.path] = present.stat
                    continue
                }
                if change != nil && !force { conflicts.append(file.pathString); continue }
                plan.write.append(i)
                continue
            }
            var st = stat()
            if lstat(root + "/" + file.pathString, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                // A folder where the package has a file: it may go only if all it holds goes.
                let prefix = file.path + [UInt8(ascii: "/")]
                if !force, scan.files.contains(where: { $0.path.starts(with: prefix) && !removing.contains($0.path) }) {
                    conflicts.append(file.pathString)
                    continue
                }
            }
            plan.write.append(i)
        }
        let safe: ([UInt8]) -> Bool = { plan.tracked.contains($0) && changes[$0] == nil }
        if !force { conflicts += Repository.blockingFiles(for: plan.write.map { files[$0].path }, root: root, tracked: safe) }
        if !conflicts.isEmpty {
            var seen = Set<String>()
            throw LVCError.wouldOverwrite(paths: conflicts.filter { seen.insert($0).inserted }.sorted())
        }
        return plan
    }

    /// Removes, then writes, what `plan` says, never through a symlink (`SafeWriter`). Contents
    /// are streamed from the archive again (sizes, CRC-32 and the blob id checked once more) into
    /// a temporary file in `.lambda/lvc/tmp/` (SafeWriter), renamed into place. Returns the stat data of the
    /// written files for the index.
    func applyFolder(_ plan: FolderPlan, package: PackageImport, ids: [ObjectID]) throws -> [[UInt8]: StatData] {
        let writer = SafeWriter(root: root, temporaryDirectory: temporaryDirectory)
        let files = package.contents.files
        let reader = try ZipArchive.Reader()
        // A tracked file or link (unchanged: conflicts were refused) may make way for a folder;
        // an empty folder may make way for a file. SafeWriter never removes a non-empty folder.
        let replaceable: ([UInt8]) -> Bool = { path in
            if plan.force || plan.tracked.contains(path) { return true }
            var st = stat()
            return lstat(self.root + "/" + String(decoding: path, as: UTF8.self), &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
        }
        var stats = [[UInt8]: StatData]()
        do {
            for path in plan.remove {
                try writer.remove(path)
                writer.pruneEmptyFolders(above: path)
            }
            for i in plan.write {
                let file = files[i]
                stats[file.path] = try writer.write(file.path, mode: file.mode, replaceable: replaceable) { output in
                    var hasher = ObjectHasher(kind: .blob, size: file.entry.size)
                    if let target = file.target {
                        hasher.update(target)
                        try target.withUnsafeBytes { try output($0) }
                    } else {
                        try package.archive.stream(file.entry, with: reader) { chunk in
                            hasher.update(chunk)
                            try output(chunk)
                        }
                    }
                    guard hasher.finalize() == ids[i] else {
                        throw ZipArchive.Failure(entry: file.entry.name, reason: "changed while lvc read it (the archive was modified during the import)")
                    }
                }
            }
        } catch let failure as SafeWriter.Failure {
            throw LVCError.badPath(failure.path, reason: failure.reason)
        } catch let failure as ZipArchive.Failure {
            throw PackageImport.error(failure, file: package.displayName)
        }
        return stats
    }
}
