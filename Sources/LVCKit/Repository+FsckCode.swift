import LVCStore

/// The checks of `lvc fsck` on what lvc derives from code: the names in stored code trees, the
/// package cache's entries, and (with `--packages`) the CodeSha256 and CodeSize each version
/// records. Decision 0016.
extension Repository {
    /// Why the package cache's entry for blob `id` (of `size` bytes, CRC-32 `crc`) does not hold
    /// it, or nil when it does (or when the cache has no entry for it). The bytes are compared
    /// with `body` when the blob is held, else by their inflated size and CRC-32 (a large blob,
    /// which is streamed).
    static func cacheProblem(_ cache: PackageCache, blob id: ObjectID, size: Int, crc: UInt32, body: [UInt8]?) -> String? {
        guard let (record, stored) = cache.lookup(id) else { return nil }
        if record.size != size { return "records a size of \(record.size) bytes for a blob of \(size)" }
        if record.crc != crc { return "records a CRC-32 that is not the blob's" }
        if !DeploymentPackage.CompressedEntry.holds(stored, record, size: size, crc: crc, body: body) {
            return record.method == 8 ? "its bytes do not inflate to the blob" : "its bytes are not the blob's"
        }
        return nil
    }

    static let cacheRemedy = "a publish would record a wrong CodeSha256; remove .lambda/lvc/package-cache/ while no lvc runs (lvc rebuilds it)"

    /// The first name in a code tree (at any depth) that `checkout` and `export` refuse, as
    /// "path: reason", or nil. Memoised by tree id in `seen`, so that the folders versions share
    /// are read once however many versions there are.
    func unsafeName(inCodeTree id: ObjectID, seen: inout [ObjectID: String?]) -> String? {
        if let known = seen[id] { return known }
        var found: String?
        if let tree = try? objects.readTree(id) {
            for entry in tree.entries {
                let name = String(decoding: entry.name, as: UTF8.self)
                if let problem = ReservedNames.problem(with: entry.name[...]) {
                    found = "\(name): \(problem)"
                } else if entry.mode == .gitlink {
                    found = "\(name): a submodule (gitlink), which lvc does not support"
                } else if entry.mode == .directory, let inner = unsafeName(inCodeTree: entry.id, seen: &seen) {
                    found = name + "/" + inner
                }
                if found != nil { break }
            }
        }
        seen[id] = found
        return found
    }

    /// The CodeSha256 and CodeSize of a code tree's package in `layout`, built from the stored
    /// blobs (each read and verified; a cached entry is used only when it holds the blob), as
    /// `export` does. Adds nothing to the cache.
    func verifiedDigest(codeTree: ObjectID?, layout: DeploymentPackage.Layout, cache: PackageCache) throws -> DeploymentPackage.Digest {
        try DeploymentPackage.write(entries: packageEntries(codeTree: codeTree), layout: layout, objects: objects, cache: cache,
                                    verify: true, updatesCache: false)
    }

    /// `fsck --packages`: every version's recorded CodeSha256 and CodeSize against its package
    /// built again, and the digest saved with the package checkpoints (what `show` prints for
    /// `$LATEST`) against its own tree's package.
    func checkPackages(_ versions: [PublishedVersion], report: inout FsckReport, progress: ProgressHandler?) {
        let cache = packageCache()
        struct Key: Hashable { var tree: ObjectID?; var layout: DeploymentPackage.Layout }
        var built = [Key: Result<DeploymentPackage.Digest, Error>]()
        func digest(_ tree: ObjectID?, _ layout: DeploymentPackage.Layout) -> Result<DeploymentPackage.Digest, Error> {
            let key = Key(tree: tree, layout: layout)
            if let known = built[key] { return known }
            let result = Result { try verifiedDigest(codeTree: tree, layout: layout, cache: cache) }
            built[key] = result
            return result
        }
        let saved = PackageCheckpoints.load(from: packageCheckpointsPath)
        let total = versions.count + (saved == nil ? 0 : 1)
        for (done, version) in versions.enumerated() {
            progress?(done, total)
            let subject = Repository.versionRefPrefix + String(version.number)
            switch Result(catching: { try Repository.layout(of: version) }).flatMap({ digest(version.codeTree, $0) }) {
            case .failure(let error):
                report.problems.append(.init(severity: .error, subject: subject, message: "could not build its package: \(error)"))
            case .success(let actual) where actual.sha256Base64 != version.codeSha256 || actual.size != version.codeSize:
                report.problems.append(.init(severity: .error, subject: subject, message:
                    "records CodeSha256 \(version.codeSha256) and CodeSize \(version.codeSize), but its code packages to "
                    + "\(actual.sha256Base64) (\(actual.size) bytes), which is what 'lvc export \(version.number)' writes and AWS "
                    + "would report; a version's record cannot be changed"))
            case .success:
                report.packagesChecked += 1
            }
        }
        progress?(versions.count, total)
        if let saved, case .success(let actual) = digest(saved.codeTree, .current) {
            if actual == saved.digest {
                report.packagesChecked += 1
            } else {
                report.problems.append(.init(severity: .error, subject: packageCheckpointsPath, message:
                    "says code tree \(saved.codeTree) packages to \(saved.digest.sha256Base64) (\(saved.digest.size) bytes), "
                    + "but it packages to \(actual.sha256Base64) (\(actual.size) bytes); remove the file while no lvc runs"))
            }
        }
        progress?(total, total)
    }
}
