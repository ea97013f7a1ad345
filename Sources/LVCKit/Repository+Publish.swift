import LVCStore

/// What `lvc publish` returned.
public struct PublishResult: Sendable {
    public var version: PublishedVersion
    /// False when `$LATEST` had not changed since the newest version, which is returned instead.
    public var created: Bool
}

public struct PublishOptions: Sendable {
    public var description: String?
    /// AWS precondition: `$LATEST`'s CodeSha256 must equal this.
    public var codeSha256: String?
    /// AWS precondition: `$LATEST`'s RevisionId must equal this.
    public var revisionId: String?
    public init(description: String? = nil, codeSha256: String? = nil, revisionId: String? = nil) {
        self.description = description
        self.codeSha256 = codeSha256
        self.revisionId = revisionId
    }
}

extension Repository {
    /// `lvc publish`: freezes `$LATEST` into version N+1, or returns the newest version when
    /// `$LATEST` has not changed since it was published.
    ///
    /// Order of writes (nothing lost): objects, then `refs/versions/N` (created only if absent:
    /// this is the commit point), then `refs/heads/main`, then `$LATEST`'s new RevisionId in the index.
    public func publish(_ options: PublishOptions = PublishOptions()) throws -> PublishResult {
        if let description = options.description { try Validation.description(description) }
        var created: Int?  // set at the commit point: from then on, version `created` exists
        do {
            return try publishLocked(options) { created = $0 }
        } catch {
            guard let created else { throw error }
            throw LVCError.publishedIncomplete(version: created, error as? LVCError ?? .refused("\(error)"))
        }
    }

    private func publishLocked(_ options: PublishOptions, committed: (Int) -> Void) throws -> PublishResult {
        try withLatestLock("publish") { latest in
            if let expected = options.revisionId, expected != latest.revisionId {
                throw LVCError.preconditionFailed("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
            }
            let latestTree = try LVCError.wrap("publish") { try treeOfLatest(latest) }
            // The package cache, for a CodeSha256: its records (one per blob ever packaged,
            // 20,000 for the small benchmark tree, about 4 ms) are read on another thread while
            // the package's entries are listed and compared with the last package's. Started only
            // once a digest is sure to be needed, so that a publish that makes no version does not
            // wait for it. The cache is append-only and its readers ignore a torn record, so it
            // needs no lock (Format.md §14).
            let cacheDirectory = packageCacheDirectory
            var prefetched: Prefetch<PackageCache>?
            func cache() -> Prefetch<PackageCache> {
                if let prefetched { return prefetched }
                let started = Prefetch { PackageCache(directory: cacheDirectory) }
                prefetched = started
                return started
            }
            if let expected = options.codeSha256 {
                let current = try codeDigest(codeTree: latestTree.code, latest: latest, cache: cache().value).sha256Base64
                if expected != current {
                    throw LVCError.invalidParameter("CodeSHA256 (\(expected)) is different from current CodeSHA256 in $LATEST (\(current)). Please try again with the CodeSHA256 in $LATEST.")
                }
            }
            let newest = try newestVersion()
            try repairMain(newest: newest)
            // Unchanged since it was published, or equal to the version itself (both code and
            // configuration): AWS returns the existing version.
            if let newest, newest.publishedFrom == latestTree.root || newest.tree == latestTree.root {
                return PublishResult(version: newest, created: false)
            }
            let loading = cache()
            let number = try versionCounter(newest: newest) + 1
            var configuration = latest.configuration
            if let description = options.description { configuration.description = description }
            let digest = try codeDigest(codeTree: latestTree.code, latest: latest, cache: loading.value)
            let revisionId = Latest.newRevisionId()
            let commitID = try LVCError.wrap("publish version \(number)") { () throws -> ObjectID in
                let tree = try versionTree(latestTree, configuration: configuration)
                let parent = try refs.resolve(Repository.mainRef)
                let signature = identity.signature()
                let message = Repository.versionMessage(number: number, configuration: configuration, digest: digest,
                                                        revisionId: revisionId, latestTree: latestTree.root, functionArn: functionArn)
                let commit = Commit(tree: tree, parents: parent.map { [$0] } ?? [], author: signature,
                                    committer: signature, message: message)
                let id = try objects.write(commit)
                let versionRef = try refs.lock(Repository.versionRefPrefix + String(number))
                defer { versionRef.release() }
                try versionRef.update(to: id, expecting: .absent)
                committed(number)
                try LVCError.wrap("move \(Repository.mainRef) to version \(number)") {
                    let main = try refs.lock(Repository.mainRef)
                    defer { main.release() }
                    try main.update(to: id, expecting: parent.map { .value($0) } ?? .absent)
                }
                return id
            }
            // A version that creates a version gives $LATEST a new RevisionId (AWS).
            latest.revisionId = Latest.newRevisionId()
            return PublishResult(version: try readVersion(commit: commitID, number: number), created: true)
        }
    }

    /// `refs/heads/main` follows the newest version. A publish interrupted between creating
    /// `refs/versions/N` (the commit point) and moving main leaves main behind; this moves it on.
    func repairMain(newest version: PublishedVersion?) throws {
        guard let newest = version?.number, let commit = version?.commit else { return }
        try LVCError.wrap("update \(Repository.mainRef)") {
            let main = try refs.resolve(Repository.mainRef)
            if main == commit { return }
            if let main, let mainVersion = Int(try objects.readCommit(main).trailer(Trailer.version) ?? ""), mainVersion >= newest {
                return  // main is on a newer (since deleted) version: it already leads
            }
            let lock = try refs.lock(Repository.mainRef)
            defer { lock.release() }
            try lock.update(to: commit, expecting: main.map { .value($0) } ?? .absent)
        }
    }

    struct LatestTree {
        var root: ObjectID
        var code: ObjectID?
        var rootTree: Tree
    }

    /// `$LATEST`'s trees: read from the store when the index names them, written otherwise.
    func treeOfLatest(_ latest: Latest) throws -> LatestTree {
        if let root = latest.tree, let tree = try? objects.readTree(root) {
            return LatestTree(root: root, code: tree.entry(named: Array("code".utf8))?.id, rootTree: tree)
        }
        return try writeLatestTree(latest)
    }

    /// `$LATEST`'s new root tree, made from `before`'s by rewriting only the folders on the paths
    /// that changed (TreeUpdate); nil when `before` has no tree in the store.
    func updatedLatestTree(from before: Latest, to latest: Latest, into pack: PackWriter? = nil) throws -> ObjectID? {
        guard let old = before.tree, objects.contains(old) else { return nil }
        var changes = [TreeUpdate.Change]()
        forEachChange(from: before.code, to: latest.code) { path, _, new in
            changes.append(.init(path: Latest.codePrefix + path, entry: new.map { ($0.mode, $0.id) }))
        }
        if latest.configuration != before.configuration {
            // "function.json" sorts after every "code/…" path, so the list stays sorted.
            let blob = try objects.write(.blob, latest.configuration.encoded)
            changes.append(.init(path: Latest.configPath, entry: (.file, blob)))
        }
        return try TreeUpdate.apply(old, changes, read: { try objects.readTree($0) }, write: { try write($0, into: pack) })
    }

    /// Writes the tree objects of `$LATEST` (code + function.json); the trees go into `pack` when
    /// there is one, the configuration's blob is loose (the index is written with it later).
    func writeLatestTree(_ latest: Latest, into pack: PackWriter? = nil) throws -> LatestTree {
        let configBlob = try objects.write(.blob, latest.configuration.encoded)
        let trees = try latest.buildTrees(configBlob: configBlob) { try write($0, into: pack) }
        return LatestTree(root: trees.root, code: trees.code, rootTree: trees.rootTree)
    }

    /// A tree into `pack` (which `add` is writing with a fresh tree's files), or loose without one.
    /// In the pack, the 239 trees of the small benchmark tree cost no file each, and nothing
    /// needs the pack's idx to find them until the pack is installed.
    func write(_ tree: Tree, into pack: PackWriter?) throws -> ObjectID {
        guard let pack else { return try objects.write(tree) }
        let body = tree.encode()
        let id = ObjectHasher.id(of: .tree, body: body)
        try objects.write(.tree, body, id: id, into: pack)
        return id
    }

    /// The version's tree: `$LATEST`'s, with function.json replaced when the description differs.
    func versionTree(_ latestTree: LatestTree, configuration: FunctionConfiguration) throws -> ObjectID {
        let blob = try objects.write(.blob, configuration.encoded)
        var entries = latestTree.rootTree.entries.filter { $0.name != Latest.configPath }
        entries.append(TreeEntry(name: Latest.configPath, mode: .file, id: blob))
        return try objects.write(Tree(entries: entries))
    }

    static func versionMessage(number: Int, configuration: FunctionConfiguration, digest: DeploymentPackage.Digest,
                               revisionId: String, latestTree: ObjectID, functionArn: String) -> String {
        var message = "Publish version \(number)\n\n"
        let description = configuration.description.trimmingSpaces
        if !description.isEmpty { message += description + "\n\n" }
        // The trailers are always their own final paragraph (git reads trailers only there).
        var trailers = [
            (Trailer.function, functionArn),
            (Trailer.version, String(number)),
            (Trailer.codeSha256, digest.sha256Base64),
            (Trailer.codeSize, String(digest.size)),
            (Trailer.packageLayout, String(DeploymentPackage.Layout.current.rawValue)),
            (Trailer.revisionId, revisionId),
            (Trailer.latestTree, latestTree.hex),
        ]
        if let runtime = configuration.runtime { trailers.append((Trailer.runtime, runtime)) }
        if let handler = configuration.handler { trailers.append((Trailer.handler, handler)) }
        for (key, value) in trailers { message += "\(key): \(value)\n" }  // no `joined`: decision 0021
        return message
    }

    /// Flattens a code tree into package entries, refusing paths that are unsafe to write.
    /// `prefix`: the folder `codeTree` is at (empty for a version's whole code).
    func packageEntries(codeTree: ObjectID?, prefix top: [UInt8] = []) throws -> [DeploymentPackage.Entry] {
        guard let codeTree else { return [] }
        var entries = [DeploymentPackage.Entry]()
        func walk(_ id: ObjectID, _ prefix: [UInt8]) throws {
            let tree = try LVCError.wrap("read the code tree") { try objects.readTree(id) }
            for entry in tree.entries {
                let path = prefix.isEmpty ? entry.name : prefix + [UInt8(ascii: "/")] + entry.name
                if let problem = ReservedNames.problem(with: entry.name[...]) {
                    throw LVCError.badPath(String(decoding: path, as: UTF8.self), reason: "stored tree holds an unsafe name: \(problem)")
                }
                switch entry.mode {
                case .directory: try walk(entry.id, path)
                case .gitlink:
                    throw LVCError.badPath(String(decoding: path, as: UTF8.self), reason: "stored tree holds a submodule (gitlink), which lvc does not support")
                default: entries.append(.init(path: path, mode: entry.mode, id: entry.id))
                }
            }
        }
        try walk(codeTree, top)
        entries.sort { $0.path.lexicographicallyPrecedes($1.path) }
        return entries
    }

    /// `$LATEST`'s package entries, from the index (sorted by path, as a package's central
    /// directory is; their paths were checked when the index was read).
    func packageEntries(of latest: Latest) throws -> [DeploymentPackage.Entry] {
        try latest.code.map { entry in
            if entry.mode == .gitlink {
                throw LVCError.badPath(entry.pathString, reason: "$LATEST holds a submodule (gitlink), which lvc does not support")
            }
            return DeploymentPackage.Entry(path: entry.path, mode: entry.mode, id: entry.id)
        }
    }

    /// CodeSha256 and CodeSize of the canonical zip of a code tree (current layout), computed
    /// without writing it. The zip is hashed from the last checkpoint of the package computed last
    /// time that this package shares (PackageCheckpoints), and this package's checkpoints replace
    /// those.
    /// `latest`: `$LATEST` when `codeTree` is its code tree, whose entries are then taken from the
    /// index instead of reading every tree.
    /// `cache`: where the package cache comes from when it is needed (read here by default).
    func codeDigest(codeTree: ObjectID?, latest: Latest? = nil, cache: (() -> PackageCache)? = nil,
                    progress: ProgressHandler? = nil) throws -> DeploymentPackage.Digest {
        let entries = try latest.map(packageEntries(of:)) ?? packageEntries(codeTree: codeTree)
        let layout = DeploymentPackage.Layout.current
        guard let codeTree else {
            return try DeploymentPackage.write(entries: entries, layout: layout, objects: objects, progress: progress)
        }
        let path = packageCheckpointsPath
        let saved = PackageCheckpoints.load(from: path)
        if let saved, saved.codeTree == codeTree, saved.entryCount == entries.count { return saved.digest }
        let recorder = CheckpointRecorder()
        let digest = try DeploymentPackage.write(entries: entries, layout: layout, objects: objects,
                                                 cache: cache?() ?? packageCache(), checkpoints: saved?.checkpoints ?? [],
                                                 recorder: recorder, progress: progress)
        PackageCheckpoints(codeTree: codeTree, entryCount: entries.count, digest: digest, checkpoints: recorder.checkpoints)
            .save(to: path)
        return digest
    }

    var packageCheckpointsPath: String { packageCacheDirectory + "/checkpoints" }

    var packageCacheDirectory: String { gitDirectory + "/lvc/package-cache" }

    /// The compressed-entry cache under `.lambda/lvc/package-cache/`.
    func packageCache() -> PackageCache {
        PackageCache(directory: packageCacheDirectory)
    }
}
