import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One version's fate in `lvc prune`.
public struct PruneDecision: Sendable {
    public var version: Int
    public var delete: Bool
    public var reason: String
}

extension Repository {
    /// `lvc delete VERSION`: removes `refs/versions/N`. The number is never reused (the counter
    /// lives on `refs/heads/main`, whose history still reaches the commit). Refused for `$LATEST`,
    /// for versions an alias uses (main or weighted) and for versions a trigger targets directly.
    public func deleteVersion(_ text: String) throws {
        if text == "$LATEST" || text == "LATEST" {
            throw LVCError.invalidParameter("$LATEST version cannot be deleted without deleting the function.")
        }
        guard let n = Int(text), String(n) == text, n > 0 else {
            if (try? readState().aliases[text]) != nil {
                throw LVCError.invalidParameter("Deletion of aliases is not currently supported. (Use 'lvc alias delete \(text)'.)")
            }
            throw LVCError.notFound("Function not found: \(arn(qualifier: text))")
        }
        // The state lock keeps aliases and triggers from moving onto the version meanwhile.
        try withStateLock("delete version \(n)") { state -> ((), StateChange?) in
            let existing = try versionCommits()
            try requireVersion(n, existing)
            try checkDeletable(n, state)
            try LVCError.wrap("delete version \(n)") {
                let lock = try refs.lock(Repository.versionRefPrefix + String(n))
                defer { lock.release() }
                try lock.delete(expecting: .value(existing[n]!))
            }
            return ((), nil)
        }
    }

    func checkDeletable(_ n: Int, _ state: FunctionState) throws {
        let aliases = state.aliases(using: n)
        if !aliases.isEmpty {
            throw LVCError.conflict("Unable to delete version because the following aliases reference it: [\(aliases.joined(separator: ", "))]")
        }
        let triggers = state.triggers(on: String(n))
        if !triggers.isEmpty {
            throw LVCError.conflict("Unable to delete version because the following triggers target it directly: [\(triggers.map(\.id).joined(separator: ", "))]")
        }
    }

    /// `lvc prune --keep N`: what would be kept or deleted, and why.
    public func prunePlan(keep: Int) throws -> [PruneDecision] {
        guard keep >= 0 else { throw LVCError.invalidParameter("--keep takes a number of versions, 0 or more") }
        let state = try readState()
        let numbers = try versionCommits().keys.sorted()
        let newest = Set(numbers.suffix(keep))
        return numbers.map { n in
            let aliases = state.aliases(using: n)
            if !aliases.isEmpty { return PruneDecision(version: n, delete: false, reason: "used by alias \(aliases.joined(separator: ", "))") }
            let triggers = state.triggers(on: String(n))
            if !triggers.isEmpty { return PruneDecision(version: n, delete: false, reason: "targeted by trigger \(triggers.map(\.id).joined(separator: ", "))") }
            if newest.contains(n) { return PruneDecision(version: n, delete: false, reason: "among the newest \(keep)") }
            return PruneDecision(version: n, delete: true, reason: "not used by any alias or trigger, older than the newest \(keep)")
        }
    }

    /// `lvc prune --keep N` (without --dry-run): deletes what the plan says, re-checking each.
    public func prune(keep: Int) throws -> [PruneDecision] {
        let plan = try prunePlan(keep: keep)
        try withStateLock("prune versions") { state -> ((), StateChange?) in
            let existing = try versionCommits()
            for decision in plan where decision.delete {
                guard let commit = existing[decision.version] else { continue }
                try checkDeletable(decision.version, state)
                try LVCError.wrap("delete version \(decision.version)") {
                    let lock = try refs.lock(Repository.versionRefPrefix + String(decision.version))
                    defer { lock.release() }
                    try lock.delete(expecting: .value(commit))
                }
            }
            return ((), nil)
        }
        return plan
    }

    /// `lvc gc`: loose objects that nothing reaches — no ref, not the index, not `$LATEST`'s
    /// recorded tree. Objects inside packs are left to `git gc`.
    public func unreachableObjects() throws -> [ObjectID] {
        try findUnreachable().objects
    }

    /// What `gc` decides from: the unreachable loose objects, the states of `$LATEST` it keeps,
    /// and the history of `$LATEST` as it found it (which it rewrites to those states).
    struct Unreachable {
        var objects: [ObjectID]
        var keptStates: [(tree: ObjectID, message: String)]
        var history: LatestHistory
    }

    func findUnreachable() throws -> Unreachable {
        var reached = Set<ObjectID>()
        func mark(_ id: ObjectID) throws {
            guard reached.insert(id).inserted, let object = try? objects.read(id) else { return }
            switch object.kind {
            case .commit:
                let commit = try Commit.decode(object.body)
                try mark(commit.tree)
                for parent in commit.parents { try mark(parent) }
            case .tree:
                for entry in try Tree.decode(object.body).entries where entry.mode != .gitlink { try mark(entry.id) }
            case .tag:
                let text = String(decoding: object.body, as: UTF8.self)
                if text.hasPrefix("object "), let target = ObjectID(hex: text.dropFirst(7).prefix(64)) { try mark(target) }
            case .blob: break
            }
        }
        let (kept, history) = try LVCError.wrap("find unreachable objects") {
            // Not the history of $LATEST: gc lets its earlier states go (it keeps the trees
            // marked below, in a new chain: `rewriteLatestHistory`).
            for (name, id) in try refs.list(prefix: "refs/") where name != Repository.latestRef { try mark(id) }
            let latest = try readLatest()
            for entry in latest.code { reached.insert(entry.id) }
            try mark(ObjectHasher.id(of: .blob, body: latest.configuration.encoded))  // read-only: no write
            if let tree = latest.tree { try mark(tree) }
            // Trees that versions were published from (`publish -d`) are compared by status.
            let versions = try versions()
            for version in versions { if let from = version.publishedFrom { try mark(from) } }
            // The history of $LATEST stays when it holds only what is kept (as gc leaves it), and
            // so does any part of it that git gc packed (gc builds the new chain on top of it).
            let kept = latestTreesToKeep(versions: versions, current: latest.tree)
            let history = try latestHistory()
            if let chain = history.commits(holdingExactly: kept) { reached.formUnion(chain) }
            if let packed = history.packed { try mark(packed) }
            return (kept, history)
        }
        let loose = try LVCError.wrap("list objects") { try objects.loose.allIDs() }
        return Unreachable(objects: loose.filter { !reached.contains($0) }.sorted(), keptStates: kept, history: history)
    }

    /// What `gc` removes: unreachable loose objects, and temporary files a killed lvc left.
    public struct Garbage: Sendable {
        public var objects: [ObjectID] = []
        /// Paths relative to the store, with their sizes in bytes.
        public var temporaryFiles: [(path: String, size: Int)] = []
    }

    /// How long a temporary file must have been left untouched before `gc` calls it stale.
    public static let staleTemporaryAge: Int64 = 3600

    /// Temporary files a killed lvc left behind (Format.md §1): anything in `lvc/tmp/` (objects,
    /// packs and checked-out files or links being written) and `.tmp-*` files in `lvc/` and `lvc/package-cache/` (atomic
    /// replacements), when unmodified for `staleTemporaryAge` seconds: a file another process is
    /// still writing is never taken, whatever locks it holds.
    public func staleTemporaryFiles(now: Int64 = Int64(time(nil))) -> [(path: String, size: Int)] {
        var found = [(path: String, size: Int)]()
        func scan(_ folder: String, onlyPrefix prefix: String?) {
            guard let names = try? FileSystem.listDirectory(gitDirectory + "/" + folder) else { return }
            for name in names.sorted() where prefix.map({ name.hasPrefix($0) }) ?? true {
                let relative = folder + "/" + name
                var st = stat()
                // Files, and links (a symlink being checked out is made in lvc/tmp/ too).
                guard lstat(gitDirectory + "/" + relative, &st) == 0,
                      (st.st_mode & S_IFMT) == S_IFREG || (st.st_mode & S_IFMT) == S_IFLNK,
                      Int64(st.st_mtim.tv_sec) <= now - Repository.staleTemporaryAge else { continue }
                found.append((relative, Int(st.st_size)))
            }
        }
        scan("lvc/tmp", onlyPrefix: nil)
        scan("lvc", onlyPrefix: ".tmp-")
        scan("lvc/package-cache", onlyPrefix: ".tmp-")
        return found
    }

    /// What `gc` would remove now.
    public func garbage() throws -> Garbage {
        Garbage(objects: try unreachableObjects(), temporaryFiles: staleTemporaryFiles())
    }

    /// Removes unreachable loose objects and stale temporary files, under `$LATEST`'s lock and the
    /// state lock (no add, publish or alias move can write an object meanwhile).
    public func gc() throws -> Garbage {
        try withLatestLock("collect garbage") { _ in
            try withStateLock("collect garbage") { _ in
                let unreachable = try findUnreachable()
                var found = Garbage(objects: unreachable.objects, temporaryFiles: staleTemporaryFiles())
                // The history of $LATEST is rewritten to what lvc keeps before anything goes,
                // so that the ref never names a removed commit.
                let chain = try LVCError.wrap("collect garbage") {
                    try rewriteLatestHistory(unreachable.history, keeping: unreachable.keptStates)
                }
                found.objects.removeAll { chain.contains($0) }
                for id in found.objects { FileSystem.remove(objects.loose.path(of: id)) }
                for file in found.temporaryFiles { FileSystem.remove(gitDirectory + "/" + file.path) }
                return (found, nil)
            }
        }
    }
}
