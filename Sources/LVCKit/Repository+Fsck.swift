import LVCStore

/// One problem `lvc fsck` found, naming the object, ref or file.
public struct FsckProblem: Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var severity: Severity
    public var subject: String
    public var message: String
    public var description: String { "\(severity.rawValue): \(subject): \(message)" }
}

public struct FsckReport: Sendable {
    public var problems: [FsckProblem] = []
    public var objectsChecked = 0
    public var versionsChecked = 0
    /// Package cache entries compared with their blobs.
    public var cacheEntriesChecked = 0
    /// Packages built again (`packages: true`) whose digest matched the recorded one.
    public var packagesChecked = 0
    public var ok: Bool { !problems.contains { $0.severity == .error } }
}

extension Repository {
    /// `lvc fsck`: verifies every object's hash and format, that refs and the index point at
    /// objects that exist (with everything they reach), that stored code trees hold only names
    /// lvc can check out, that the package cache holds the blobs it names, and reports stale lock
    /// files. With `packages`, also builds every version's package again and compares its
    /// CodeSha256 and CodeSize with the recorded ones (`packageProgress` counts versions).
    public func fsck(packages: Bool = false, progress: ProgressHandler? = nil,
                     packageProgress: ProgressHandler? = nil) throws -> FsckReport {
        var report = FsckReport()
        func error(_ subject: String, _ message: String) { report.problems.append(.init(severity: .error, subject: subject, message: message)) }

        // 1. Every object: hash, header and (for trees and commits) structure. A blob's entry in
        // the package cache is compared with the blob while it is read.
        let ids = (try? objects.allIDs()) ?? []
        let cache = packageCache()
        var valid = [ObjectID: ObjectKind]()
        var done = 0
        for id in ids.sorted() {
            done += 1
            progress?(done, ids.count)
            do {
                // A large object is verified as it streams (a 300 MB file is not held whole);
                // its CRC-32 is taken on the way for the package cache's entry.
                let cached = cache.count > 0 ? cache.lookup(id) : nil
                var crc: UInt32 = 0
                let read = try objects.readObject(id, kind: nil) { piece in
                    if cached != nil { crc = Zlib.crc32(raw: piece, seed: crc) }
                }
                let kind: ObjectKind
                var cacheProblem: String?
                switch read {
                case .whole(let object):
                    kind = object.kind
                    switch object.kind {
                    case .tree: _ = try Tree.decode(object.body)
                    case .commit: _ = try Commit.decode(object.body)
                    case .blob where cached != nil:
                        cacheProblem = Repository.cacheProblem(cache, blob: id, size: object.body.count,
                                                               crc: Zlib.crc32(object.body), body: object.body)
                    default: break
                    }
                case .streamed(let streamedKind, let size):
                    kind = streamedKind
                    switch streamedKind {
                    case .tree: _ = try Tree.decode(try objects.read(id).body)  // parsed whole: never this large in practice
                    case .commit: _ = try Commit.decode(try objects.read(id).body)
                    case .blob where cached != nil: cacheProblem = Repository.cacheProblem(cache, blob: id, size: size, crc: crc, body: nil)
                    default: break
                    }
                }
                if kind == .blob, cached != nil {
                    report.cacheEntriesChecked += 1
                    if let cacheProblem { error("package cache entry of blob \(id)", "\(cacheProblem); \(Repository.cacheRemedy)") }
                }
                valid[id] = kind
            } catch let e as StoreError {
                error("object \(id)", "\(e)")
            } catch let e as Tree.DecodeError {
                error("tree \(id)", e.reason)
            } catch let e as Commit.DecodeError {
                error("commit \(id)", e.reason)
            }
        }
        report.objectsChecked = ids.count

        // 2. What git needs to see a repository at all: HEAD (a symbolic ref or an object id),
        // and the objects and refs folders. Without them `git --git-dir=.lambda …` says "not a git
        // repository", although lvc itself does not read HEAD.
        let head = (try? FileSystem.readIfExists(gitDirectory + "/HEAD")).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) }
        if let head {
            let line = head.hasSuffix("\n") ? String(head.dropLast()) : head
            let symbolic = line.hasPrefix("ref: refs/") && !line.dropFirst(5).contains(where: { $0 == " " || $0 == "\n" })
            if !symbolic && ObjectID(hex: line) == nil {
                error("HEAD", "is not a reference git can read (expected 'ref: refs/heads/main'); git will not open the store")
            }
        } else {
            error("HEAD", "is missing, so git does not recognise .lambda as a repository; restore it with: printf 'ref: refs/heads/main\\n' > .lambda/HEAD")
        }
        for folder in ["objects", "refs"] where !FileSystem.isDirectory(gitDirectory + "/" + folder) {
            error(folder + "/", "is missing, so git does not recognise .lambda as a repository")
        }

        // 3. Connectivity from every root: refs and the index.
        var reached = Set<ObjectID>()
        var readable = [PublishedVersion]()
        func reach(_ id: ObjectID, as kind: ObjectKind, from subject: String) {
            guard !reached.contains(id) else { return }
            guard let actual = valid[id] else {
                if !ids.contains(id) { error(subject, "points at missing object \(id)") }
                return
            }
            guard actual == kind else { error(subject, "object \(id) is a \(actual.rawValue), not a \(kind.rawValue)"); return }
            reached.insert(id)
            switch kind {
            case .commit:
                guard let commit = try? objects.readCommit(id) else { return }
                reach(commit.tree, as: .tree, from: "commit \(id)")
                for parent in commit.parents { reach(parent, as: .commit, from: "commit \(id)") }
            case .tree:
                guard let tree = try? objects.readTree(id) else { return }
                for entry in tree.entries where entry.mode != .gitlink {
                    reach(entry.id, as: entry.mode == .directory ? .tree : .blob, from: "tree \(id)")
                }
            default: break
            }
        }
        do {
            if let main = try refs.resolve(Repository.mainRef) { reach(main, as: .commit, from: Repository.mainRef) }
            for (name, id) in try refs.list(prefix: "refs/").sorted(by: { $0.key < $1.key }) where name != Repository.mainRef {
                reach(id, as: valid[id] ?? .commit, from: name)
            }
            let existing = try versionCommits()
            if let newest = existing.keys.max(), let main = try refs.resolve(Repository.mainRef), main != existing[newest],
               let mainVersion = Int((try? objects.readCommit(main))?.trailer(Trailer.version) ?? ""), mainVersion < newest {
                report.problems.append(.init(severity: .warning, subject: Repository.mainRef,
                                             message: "points at version \(mainVersion), not the newest version \(newest); the next 'lvc publish' moves it"))
            }
            var seen = [ObjectID: String?]()
            for (number, id) in existing.sorted(by: { $0.key < $1.key }) {
                report.versionsChecked += 1
                let subject = Repository.versionRefPrefix + String(number)
                do {
                    let version = try readVersion(commit: id, number: number)
                    readable.append(version)
                    if let code = version.codeTree, let problem = unsafeName(inCodeTree: code, seen: &seen) {
                        error(subject, "its code holds a name that checkout and export refuse: \(problem)")
                    }
                } catch {
                    report.problems.append(.init(severity: .error, subject: subject, message: "\(error)"))
                }
            }
        } catch let e as StoreError {
            error("refs", "\(e)")
        }

        // Alias tags for git users must match the alias records.
        let state: FunctionState?
        do { state = try readState() } catch {
            state = nil
            report.problems.append(.init(severity: .error, subject: Repository.stateRef, message: "\(error)"))
        }
        if let state {
            for alias in state.aliases.values.sorted(by: { $0.name < $1.name }) {
                let name = Repository.aliasRefPrefix + alias.name
                let current = try? refs.resolve(name)
                let body = current.flatMap { try? objects.read($0, as: .tag) }
                if body.map({ String(decoding: $0, as: UTF8.self).contains("Lambda-Alias-Revision-Id: \(alias.revisionId)\n") }) != true {
                    report.problems.append(.init(severity: .warning, subject: name,
                                                 message: "does not match alias \(alias.name) (\(alias.positionText)); the next alias command rewrites it"))
                }
            }
        }

        // 4. The index ($LATEST).
        if let bytes = try? FileSystem.readIfExists(indexPath) {
            do {
                let index = try Index.decode(bytes)
                for entry in index.entries {
                    reach(entry.id, as: .blob, from: "$LATEST (\(entry.pathString))")
                    if entry.path.starts(with: Latest.codePrefix),
                       let problem = ReservedNames.problem(withPath: Array(entry.path[Latest.codePrefix.count...])) {
                        error("$LATEST (\(entry.pathString))", "unsafe path: \(problem)")
                    }
                }
                if !index.entries.contains(where: { $0.path == Latest.configPath }) {
                    error("$LATEST", "the index has no function.json entry")
                }
            } catch let e as Index.DecodeError {
                error(indexPath, e.reason)
            }
        }

        // 5. Lock files left by a process that died: not damage, but they block the next lvc.
        for lock in ["index.lock", "refs/heads/main.lock", "packed-refs.lock", "refs/lvc/state.lock", "refs/lvc/latest.lock",
                     "lvc/package-cache/append.lock"] where FileSystem.exists(gitDirectory + "/" + lock) {
            report.problems.append(.init(severity: .warning, subject: gitDirectory + "/" + lock,
                                         message: "lock file present; if no lvc is running, remove it"))
        }
        if let names = try? FileSystem.listDirectory(gitDirectory + "/refs/versions") {
            for name in names where name.hasSuffix(".lock") {
                report.problems.append(.init(severity: .warning, subject: gitDirectory + "/refs/versions/" + name,
                                             message: "lock file present; if no lvc is running, remove it"))
            }
        }
        // 6. Optional, slow: every version's package built again.
        if packages { checkPackages(readable, report: &report, progress: packageProgress) }
        return report
    }
}
