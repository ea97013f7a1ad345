import LVCStore

/// What `lvc import` did, or with `dryRun` would do.
public struct ImportResult: Sendable {
    /// `$LATEST`'s code before and after: paths added, changed (content or mode) and removed.
    public var added: [String] = []
    public var updated: [String] = []
    public var removed: [String] = []
    /// With `intoFolder`: files written into the function folder, and removed from it.
    public var written: [String] = []
    public var deleted: [String] = []
    /// CodeSha256 of `$LATEST`'s canonical zip after the import (nil for a dry run).
    public var canonical: DeploymentPackage.Digest?
    public var changed: Bool { !(added.isEmpty && updated.isEmpty && removed.isEmpty) }
}

extension Repository {
    /// `lvc import FILE.zip`: the package's files become `$LATEST`'s code (its configuration is
    /// kept). `package` was checked as a whole when it was opened; here every file is read once,
    /// with sizes and CRC-32 checked, into pending objects; `$LATEST`, the package cache and
    /// (with `intoFolder`) the folder change only after every file passed. `intoFolder` refuses
    /// to overwrite changes that are not staged unless `force`, as `checkout` does. `dryRun`
    /// writes nothing at all (not even a lock).
    public func importPackage(_ package: PackageImport, intoFolder: Bool, force: Bool = false, dryRun: Bool,
                              progress: ProgressHandler? = nil) throws -> ImportResult {
        if dryRun {
            let latest = try readLatest()
            let output = try ImportPipeline.run(package, objects: nil, cache: nil, cacheWriter: nil, progress: progress)
            let entries = Repository.importedEntries(package, output.staged, keeping: latest.code)
            var result = Repository.compare(latest.code, entries)
            if intoFolder {
                let plan = try planFolder(latest: latest, files: package.contents.files, ids: output.staged.map(\.id), force: force)
                result.written = plan.write.map { package.contents.files[$0].pathString }
                result.deleted = plan.remove.map { String(decoding: $0, as: UTF8.self) }
            }
            return result
        }
        return try withLatestLock("import \(package.displayName)") { latest in
            let writer = PackageCacheWriter(directory: packageCache().directory)
            let output: ImportPipeline.Output
            do {
                output = try ImportPipeline.run(package, objects: objects.loose, cache: packageCache(), cacheWriter: writer,
                                                progress: progress)
            } catch {
                writer?.rollback()
                throw error
            }
            var entries = Repository.importedEntries(package, output.staged, keeping: latest.code)
            var result = Repository.compare(latest.code, entries)
            let plan: FolderPlan?
            do {
                plan = intoFolder ? try planFolder(latest: latest, files: package.contents.files, ids: output.staged.map(\.id), force: force) : nil
                // Every check passed: the objects go in, then the cache records that point at them.
                try install(output.staged, action: "import \(package.displayName)")
            } catch {
                for staged in output.staged { staged.pending?.discard() }
                writer?.rollback()
                throw error
            }
            writer?.commit()
            if let plan {
                let stats = try applyFolder(plan, package: package, ids: output.staged.map(\.id)).merging(plan.present) { written, _ in written }
                for i in entries.indices { if let stat = stats[entries[i].path] { entries[i].stat = stat } }
                result.written = plan.write.map { package.contents.files[$0].pathString }
                result.deleted = plan.remove.map { String(decoding: $0, as: UTF8.self) }
            }
            latest.code = entries
            result.canonical = output.canonical
            return result
        }
    }

    /// `$LATEST`'s new code entries. An entry that does not change keeps its stat data, so that
    /// `status` and `add` need not read the file again.
    static func importedEntries(_ package: PackageImport, _ staged: [ImportPipeline.Staged], keeping old: [IndexEntry]) -> [IndexEntry] {
        zip(package.contents.files, staged).map { file, staged in
            if let entry = find(file.path, in: old), entry.id == staged.id, entry.mode == file.mode { return entry }
            return IndexEntry(path: file.path, id: staged.id, mode: file.mode)
        }
    }

    /// Added, updated and removed paths between two sorted lists of entries (a merge join).
    static func compare(_ old: [IndexEntry], _ new: [IndexEntry]) -> ImportResult {
        var result = ImportResult()
        forEachChange(from: old, to: new) { path, before, after in
            let name = String(decoding: path, as: UTF8.self)
            if after == nil { result.removed.append(name) } else if before == nil { result.added.append(name) } else { result.updated.append(name) }
        }
        return result
    }

    /// Moves the pending objects into the store on all cores (an object the store already has,
    /// loose or packed, is dropped instead).
    func install(_ staged: [ImportPipeline.Staged], action: String) throws {
        let failure = FirstFailure()
        let workers = min(max(1, System.coreCount), staged.count)
        let objects = self.objects
        nonisolated(unsafe) let work = staged
        ThreadGroup.run(workers: workers) { worker in
            var i = worker
            while i < work.count {
                if let pending = work[i].pending {
                    do {
                        if objects.packs.contains(work[i].id) { pending.discard() } else { try objects.loose.install(pending, as: work[i].id) }
                    } catch {
                        failure.record(error, at: i)
                    }
                }
                i += workers
            }
        }
        if let error = failure.first {
            throw (error as? StoreError).map { LVCError.store(action: action, $0) } ?? error
        }
    }
}
