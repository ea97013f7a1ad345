import LVCStore

/// A file of a version, as `lvc ls` lists it.
public struct FileListing: Sendable {
    /// From the function folder, as stored (bytes: a name need not be UTF-8).
    public var path: [UInt8]
    public var mode: EntryMode
    public var id: ObjectID
    public var size: Int
}

extension Repository {
    /// The code entries of `$LATEST` or of a version.
    public func codeEntries(_ qualifier: Qualifier) throws -> [DeploymentPackage.Entry] {
        switch qualifier {
        case .latest: return try readLatest().code.map { .init(path: $0.path, mode: $0.mode, id: $0.id) }
        case .version(let n): return try packageEntries(codeTree: try version(n).codeTree)
        }
    }

    /// The entries of a qualifier's package and the layout of its zip: the current one for
    /// `$LATEST`, the one a version was published with for a version.
    func codePackage(_ qualifier: Qualifier) throws -> (entries: [DeploymentPackage.Entry], layout: DeploymentPackage.Layout) {
        switch qualifier {
        case .latest: return (try codeEntries(.latest), .current)
        case .version(let n):
            let version = try version(n)
            return (try packageEntries(codeTree: version.codeTree), try Repository.layout(of: version))
        }
    }

    /// The layout of a version's zip; an error when a newer lvc published it with a layout this
    /// one does not know.
    static func layout(of version: PublishedVersion) throws -> DeploymentPackage.Layout {
        guard let layout = version.packageLayout else {
            throw LVCError.refused("version \(version.number)'s zip has a layout this lvc does not know (its commit's \(Trailer.packageLayout) trailer); use a newer lvc")
        }
        return layout
    }

    /// `lvc ls QUALIFIER [PATH]`: files of a version, optionally under a folder or one file.
    public func listFiles(_ qualifier: Qualifier, under path: String? = nil) throws -> [FileListing] {
        var entries: [DeploymentPackage.Entry]
        let prefix = Array((path ?? "").utf8.drop { $0 == UInt8(ascii: "/") })
        let trimmed = prefix.last == UInt8(ascii: "/") ? Array(prefix.dropLast()) : prefix
        if case .version = qualifier, !trimmed.isEmpty {
            // Only the trees on the path and under it are read, not the whole version.
            switch try codeEntry(qualifier, at: trimmed) {
            case .file(let entry): entries = [entry]
            case .folder(let tree?): entries = try packageEntries(codeTree: tree, prefix: trimmed)
            case .folder(nil), .missing: entries = []
            }
        } else {
            entries = try codeEntries(qualifier)
            if !trimmed.isEmpty {
                entries = entries.filter { $0.path == trimmed || $0.path.starts(with: trimmed + [UInt8(ascii: "/")]) }
            }
        }
        if let path, !trimmed.isEmpty, entries.isEmpty {
            throw LVCError.badPath(path, reason: "no such file or folder in \(qualifier)")
        }
        return try entries.map { entry in
            // From the object's header, as `git ls-tree -l` does: listing a version does not
            // inflate its files (ObjectInfo.swift).
            let size = try LVCError.wrap("read \(String(decoding: entry.path, as: UTF8.self))") {
                let info = try objects.info(entry.id)
                guard info.kind == .blob else { throw StoreError.wrongKind(entry.id, expected: .blob, actual: info.kind) }
                return info.size
            }
            return FileListing(path: entry.path, mode: entry.mode, id: entry.id, size: size)
        }
    }

    /// `lvc cat QUALIFIER:PATH`: one file's bytes, exactly (a symlink gives its target), handed
    /// to `sink` in pieces.
    public func writeFile(_ qualifier: Qualifier, path: String, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let wanted = Array(path.utf8.drop { $0 == UInt8(ascii: "/") })
        let entry: DeploymentPackage.Entry
        switch try codeEntry(qualifier, at: wanted) {
        case .file(let found):
            entry = found
        case .folder:
            let name = qualifier == .latest ? "LATEST" : "\(qualifier)"  // no quoting needed in a shell
            let ls = (["lvc ls", name] + (wanted.isEmpty ? [] : [path])).joined(separator: " ")
            throw LVCError.badPath(path, reason: "is a folder in \(qualifier), not a file; '\(ls)' lists it")
        case .missing:
            throw LVCError.badPath(path, reason: "no such file in \(qualifier)")
        }
        try LVCError.wrap("read \(path)") {
            // Verified whole before the first byte goes out: a small file is read (and checked)
            // once; a large one is checked in a first pass and streamed in a second, so that a
            // 200 MB file is never held in memory and a damaged one prints nothing.
            if case .whole(let body) = try objects.readBlob(entry.id, streamingInto: { _ in }) {
                try body.withUnsafeBytes { try sink($0) }
            } else {
                try objects.streamBlob(entry.id, into: sink)
            }
        }
    }

    /// What a path names in the code of `$LATEST` or of a version.
    enum CodeLookup {
        case file(DeploymentPackage.Entry)
        /// A folder, with its tree in a version (nil in `$LATEST`, which is an index).
        case folder(ObjectID?)
        case missing
    }

    /// Finds one path without listing the whole code: a binary search in `$LATEST`'s index, or,
    /// in a version, only the trees on the path are read (`cat` of one file of the python
    /// benchmark tree read every tree of the version: 16 ms, now 3). A path with a name lvc never
    /// stores (`..`, `.git`, a backslash…) is missing, as `packageEntries` refuses such names.
    func codeEntry(_ qualifier: Qualifier, at path: [UInt8]) throws -> CodeLookup {
        if path.last == UInt8(ascii: "/") {  // "lib/" names a folder, never a file
            if case .folder(let tree) = try codeEntry(qualifier, at: Array(path.dropLast())) { return .folder(tree) }
            return .missing
        }
        if path.isEmpty {
            guard case .version(let n) = qualifier else { return .folder(nil) }
            return .folder(try version(n).codeTree)
        }
        if ReservedNames.problem(withPath: path) != nil { return .missing }
        switch qualifier {
        case .latest:
            let code = try readLatest().code
            if let entry = Repository.find(path, in: code) {
                if entry.mode == .gitlink {
                    throw LVCError.badPath(entry.pathString, reason: "$LATEST holds a submodule (gitlink), which lvc does not support")
                }
                return .file(.init(path: entry.path, mode: entry.mode, id: entry.id))
            }
            // A folder if some path starts with "path/": the first entry from "path/" on in order.
            let folder = path + [UInt8(ascii: "/")]
            let at = Repository.lowerBound(of: folder, in: code)
            return at < code.count && code[at].path.starts(with: folder) ? .folder(nil) : .missing
        case .version(let n):
            guard var tree = try version(n).codeTree else { return .missing }
            let names = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            for (depth, name) in names.enumerated() {
                let folder = try LVCError.wrap("read the code tree") { try objects.readTree(tree) }
                guard let entry = folder.entry(named: Array(name)) else { return .missing }
                if depth == names.count - 1 {
                    switch entry.mode {
                    case .directory: return .folder(entry.id)
                    case .gitlink:
                        throw LVCError.badPath(String(decoding: path, as: UTF8.self), reason: "stored tree holds a submodule (gitlink), which lvc does not support")
                    default: return .file(.init(path: path, mode: entry.mode, id: entry.id))
                    }
                }
                guard entry.mode == .directory else { return .missing }
                tree = entry.id
            }
            return .missing
        }
    }

    /// The AWS `FunctionConfiguration` of `$LATEST` (qualifier nil: unqualified ARN, as GetFunction
    /// without a qualifier) or of a version.
    public func functionConfiguration(_ qualifier: Qualifier?, includeState: Bool = true) throws -> JSON {
        switch qualifier {
        case nil, .latest?:
            let latest = try readLatest()
            let digest: DeploymentPackage.Digest
            if let root = latest.tree, let tree = try? objects.readTree(root) {
                digest = try codeDigest(codeTree: tree.entry(named: Array("code".utf8))?.id, latest: latest)
            } else {
                digest = try DeploymentPackage.write(entries: packageEntries(of: latest), layout: .current, objects: objects,
                                                     cache: packageCache())
            }
            return awsShape(latest.configuration, version: "$LATEST",
                            arn: qualifier == nil ? functionArn : arn(qualifier: "$LATEST"),
                            digest: digest, revisionId: latest.revisionId, lastModified: latest.lastModified,
                            includeState: includeState)
        case .version(let n)?:
            return awsShape(try version(n), includeState: includeState)
        }
    }

    func awsShape(_ version: PublishedVersion, includeState: Bool) -> JSON {
        awsShape(version.configuration, version: String(version.number), arn: arn(qualifier: String(version.number)),
                 digest: .init(sha256Base64: version.codeSha256, size: version.codeSize),
                 revisionId: version.revisionId, lastModified: version.lastModified, includeState: includeState)
    }

    func awsShape(_ c: FunctionConfiguration, version: String, arn: String, digest: DeploymentPackage.Digest,
                  revisionId: String, lastModified: Int64, includeState: Bool) -> JSON {
        var m: [String: JSON] = [
            "FunctionName": .string(functionName),
            "FunctionArn": .string(arn),
            "CodeSize": .int(digest.size),
            "CodeSha256": .string(digest.sha256Base64),
            "Description": .string(c.description),
            "Timeout": .int(c.timeout),
            "MemorySize": .int(c.memorySize),
            "LastModified": .string(Timestamp.aws(lastModified)),
            "Version": .string(version),
            "RevisionId": .string(revisionId),
            "PackageType": .string("Zip"),
            "Architectures": .array([.string(c.architecture)]),
            "EphemeralStorage": .object(["Size": .int(c.ephemeralStorage)]),
            "TracingConfig": .object(["Mode": .string("PassThrough")]),
            "SnapStart": .object(["ApplyOn": .string("None"), "OptimizationStatus": .string("Off")]),
            "LoggingConfig": .object(["LogFormat": .string("Text"), "LogGroup": .string("/aws/lambda/\(functionName)")]),
        ]
        if let runtime = c.runtime { m["Runtime"] = .string(runtime) }
        if let handler = c.handler { m["Handler"] = .string(handler) }
        if let role = c.role { m["Role"] = .string(role) }
        if !c.environment.isEmpty {
            m["Environment"] = .object(["Variables": .object(c.environment.mapValues { .string($0) })])
        }
        if !c.layers.isEmpty { m["Layers"] = .array(c.layers.map { .object(["Arn": .string($0)]) }) }
        if includeState {
            // Nothing is pending offline.
            m["State"] = .string("Active")
            m["LastUpdateStatus"] = .string("Successful")
        }
        return .object(m)
    }

    /// `ListVersionsByFunction`'s `{"Versions": [...]}`: `$LATEST` first, then versions by number.
    public func listVersionsJSON() throws -> JSON {
        var items = [try functionConfiguration(.latest, includeState: false)]
        items += try versions().map { awsShape($0, includeState: false) }
        return .object(["Versions": .array(items)])
    }
}
