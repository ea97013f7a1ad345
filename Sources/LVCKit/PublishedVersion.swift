import LVCStore

/// A published version as recorded in its commit: immutable code and configuration.
public struct PublishedVersion: Sendable, Equatable {
    public var number: Int
    public var commit: ObjectID
    /// The commit's root tree: `code/` plus `function.json`.
    public var tree: ObjectID
    /// The code tree, nil when the version has no files.
    public var codeTree: ObjectID?
    public var configuration: FunctionConfiguration
    public var codeSha256: String
    public var codeSize: Int
    /// How the data of the version's zip is laid out: `pathOrder` when the commit has no
    /// `Lambda-Package-Layout` trailer (published before layout 2), nil when the trailer names a
    /// layout this lvc does not know (a newer lvc published the version).
    public var packageLayout: DeploymentPackage.Layout?
    public var revisionId: String
    /// Commit time, seconds since the epoch.
    public var lastModified: Int64
    /// The `$LATEST` tree this version was published from (equal to `tree` unless `publish -d`
    /// gave the version its own description).
    public var publishedFrom: ObjectID?
}

/// The trailer keys of a version commit's message.
enum Trailer {
    static let function = "Lambda-Function"
    static let version = "Lambda-Version"
    static let codeSha256 = "Lambda-Code-Sha256"
    static let codeSize = "Lambda-Code-Size"
    static let packageLayout = "Lambda-Package-Layout"
    static let revisionId = "Lambda-Revision-Id"
    static let latestTree = "Lambda-Latest-Tree"
    static let runtime = "Lambda-Runtime"
    static let handler = "Lambda-Handler"
}

extension Repository {
    static let versionRefPrefix = "refs/versions/"
    static let mainRef = "refs/heads/main"

    /// Published versions that exist, by number.
    public func versionCommits() throws -> [Int: ObjectID] {
        let refsByName = try LVCError.wrap("list versions") { try refs.list(prefix: Repository.versionRefPrefix) }
        var result = [Int: ObjectID]()
        for (name, id) in refsByName {
            let suffix = name.dropFirst(Repository.versionRefPrefix.count)
            if let n = Int(suffix), n > 0, String(n) == suffix { result[n] = id }
        }
        return result
    }

    public func version(_ number: Int) throws -> PublishedVersion {
        // One ref, not the listing of all of them (`refs/versions/N` or its line in packed-refs).
        let name = Repository.versionRefPrefix + String(number)
        guard number > 0, let commit = try LVCError.wrap("read \(name)", { try refs.resolve(name) }) else {
            throw LVCError.notFound("Function not found: \(arn(qualifier: String(number)))")
        }
        return try readVersion(commit: commit, number: number)
    }

    /// All published versions, oldest first.
    public func versions() throws -> [PublishedVersion] {
        try versionCommits().sorted { $0.key < $1.key }.map { try readVersion(commit: $0.value, number: $0.key) }
    }

    /// `known`: the commit, when the caller has read it already.
    func readVersion(commit id: ObjectID, number: Int, known: Commit? = nil) throws -> PublishedVersion {
        try LVCError.wrap("read version \(number)") {
            let commit = try known ?? objects.readCommit(id)
            let root = try objects.readTree(commit.tree)
            guard let configEntry = root.entry(named: Latest.configPath) else {
                throw StoreError.corruptObject(commit.tree, reason: "version \(number) has no function.json")
            }
            let codeTree = root.entry(named: Array("code".utf8))
            guard codeTree == nil || codeTree!.mode == .directory else {
                throw StoreError.corruptObject(commit.tree, reason: "version \(number): 'code' is not a folder")
            }
            let trailers = commit.trailers
            func trailer(_ key: String) -> String? { trailers.last { $0.key == key }?.value }
            guard trailer(Trailer.version) == String(number) else {
                throw StoreError.corruptObject(id, reason: "refs/versions/\(number) points at a commit for version \(trailer(Trailer.version) ?? "none")")
            }
            return PublishedVersion(
                number: number, commit: id, tree: commit.tree, codeTree: codeTree?.id,
                configuration: try readConfiguration(blob: configEntry.id),
                codeSha256: trailer(Trailer.codeSha256) ?? "",
                codeSize: Int(trailer(Trailer.codeSize) ?? "") ?? 0,
                packageLayout: trailer(Trailer.packageLayout).map { Int($0).flatMap(DeploymentPackage.Layout.init(rawValue:)) }
                    ?? .pathOrder,
                revisionId: trailer(Trailer.revisionId) ?? "",
                lastModified: commit.committer.time,
                publishedFrom: trailer(Trailer.latestTree).flatMap { ObjectID(hex: $0) })
        }
    }

    /// The `$LATEST` a version was published from: its root tree and configuration. They differ
    /// from the version's own only when `publish -d` gave the version a description of its own
    /// (which belongs to the version, not to `$LATEST`). When that tree cannot be read, the
    /// version's own tree and configuration.
    func publishedFrom(_ version: PublishedVersion) -> (root: ObjectID, configuration: FunctionConfiguration) {
        guard let from = version.publishedFrom, from != version.tree, let tree = try? objects.readTree(from),
              tree.entry(named: Array("code".utf8))?.id == version.codeTree,
              let blob = tree.entry(named: Latest.configPath), let configuration = try? readConfiguration(blob: blob.id) else {
            return (version.tree, version.configuration)
        }
        return (from, configuration)
    }

    /// The newest published version that still exists. Usually `refs/heads/main` names it: then
    /// it costs two refs and one commit, whatever the number of versions; otherwise (main behind
    /// after an interrupted publish, or on a deleted version) every version ref is listed.
    public func newestVersion() throws -> PublishedVersion? {
        let main = try LVCError.wrap("read \(Repository.mainRef)") { try refs.resolve(Repository.mainRef) }
        if let main, let commit = try? objects.readCommit(main),
           let n = Int(commit.trailer(Trailer.version) ?? ""), n > 0,
           try LVCError.wrap("read version \(n)", { try refs.resolve(Repository.versionRefPrefix + String(n)) }) == main,
           try LVCError.wrap("read version \(n + 1)", { try refs.resolve(Repository.versionRefPrefix + String(n + 1)) }) == nil {
            return try readVersion(commit: main, number: n, known: commit)  // numbers only grow
        }
        let existing = try versionCommits()
        return try existing.keys.max().map { try readVersion(commit: existing[$0]!, number: $0) }
    }

    /// The highest number ever published, including deleted versions still on the main line.
    func versionCounter(newest: PublishedVersion?) throws -> Int {
        var highest = newest?.number ?? 0
        // main's own number counts only when main is not that newest version (a deleted one).
        if let main = try LVCError.wrap("read \(Repository.mainRef)", { try refs.resolve(Repository.mainRef) }),
           main != newest?.commit {
            let commit = try LVCError.wrap("read the newest version") { try objects.readCommit(main) }
            highest = max(highest, Int(commit.trailer(Trailer.version) ?? "") ?? 0)
        }
        return highest
    }
}
