import LVCStore

/// The function's mutable records beside its versions: aliases and triggers. Stored as a chain
/// of commits at `refs/lvc/state` (each commit's tree holds `aliases/<NAME>` and
/// `triggers/<ID>` records, its parent is the state before), so every alias move is remembered,
/// travels with `git clone --mirror`, and is updated by one compare-and-swap.
public struct FunctionState: Sendable, Equatable {
    public var aliases: [String: Alias] = [:]
    public var triggers: [String: Trigger] = [:]

    /// Which aliases use a version (main or weighted), sorted by name.
    public func aliases(using version: Int) -> [String] {
        aliases.values.filter { $0.versionsUsed.contains(version) }.map(\.name).sorted()
    }

    /// Triggers attached to a qualifier (nil: the unqualified function).
    public func triggers(on qualifier: String?) -> [Trigger] {
        triggers.values.filter { $0.qualifier == qualifier }.sorted { $0.id < $1.id }
    }
}

/// One change of the state, as recorded in its commit: a subject line and `Lambda-*` trailers.
struct StateChange {
    var subject: String
    var trailers: [(String, String)]
}

/// A recorded change, read back from the chain.
public struct StateEvent: Sendable {
    public var commit: ObjectID
    public var time: Int64
    public var action: String
    public var alias: String?
    public var from: String?
    public var to: String?
    public var routing: String?
    public var description: String?
    public var subject: String
}

extension Repository {
    static let stateRef = "refs/lvc/state"
    static let aliasRefPrefix = "refs/aliases/"

    /// The current aliases and triggers (empty before the first alias or trigger).
    public func readState() throws -> FunctionState {
        try readState(at: LVCError.wrap("read aliases") { try refs.resolve(Repository.stateRef) })
    }

    func readState(at head: ObjectID?) throws -> FunctionState {
        guard let head else { return FunctionState() }
        return try LVCError.wrap("read aliases") {
            let commit = try objects.readCommit(head)
            let root = try objects.readTree(commit.tree)
            var state = FunctionState()
            if let aliases = root.entry(named: Array("aliases".utf8)) {
                for entry in try objects.readTree(aliases.id).entries {
                    guard let alias = Alias.decode(try objects.read(entry.id, as: .blob)), (try? AliasRules.checkName(alias.name)) != nil,
                          alias.name == entry.nameString else {
                        throw StoreError.corruptObject(entry.id, reason: "not a valid alias record (a name lvc would refuse, or a record under another name)")
                    }
                    state.aliases[alias.name] = alias
                }
            }
            if let triggers = root.entry(named: Array("triggers".utf8)) {
                for entry in try objects.readTree(triggers.id).entries {
                    guard let trigger = Trigger.decode(try objects.read(entry.id, as: .blob)), (try? Trigger.checkID(trigger.id)) != nil,
                          trigger.id == entry.nameString else {
                        throw StoreError.corruptObject(entry.id, reason: "not a trigger record")
                    }
                    state.triggers[trigger.id] = trigger
                }
            }
            return state
        }
    }

    /// Changes the state under `refs/lvc/state.lock`: `body` edits it and describes the change;
    /// the new state is committed with the old one as parent and the ref is moved by
    /// compare-and-swap (the commit point). Then the `refs/aliases/*` tags that mirror the
    /// aliases for git users are brought up to date.
    @discardableResult
    func withStateLock<T>(_ action: String, _ body: (inout FunctionState) throws -> (T, StateChange?)) throws -> T {
        let lock = try LVCError.wrap(action) { try refs.lock(Repository.stateRef) }
        defer { lock.release() }
        let head = try LVCError.wrap(action) { try refs.resolve(Repository.stateRef) }
        var state = try readState(at: head)
        let before = state
        let (result, change) = try body(&state)
        guard let change else { return result }
        try LVCError.wrap(action) {
            let tree = try writeStateTree(state)
            let signature = identity.signature()
            var message = change.subject + "\n"
            if !change.trailers.isEmpty {
                message += "\n" + change.trailers.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n"
            }
            let commit = try objects.write(Commit(tree: tree, parents: head.map { [$0] } ?? [], author: signature,
                                                  committer: signature, message: message))
            try lock.update(to: commit, expecting: head.map { .value($0) } ?? .absent)
        }
        // The move is committed; the tags for git users follow. If they cannot be written now (a
        // stale lock), the next alias command rewrites them, and `lvc fsck` reports them meanwhile.
        try? syncAliasRefs(state, before: before)
        return result
    }

    func writeStateTree(_ state: FunctionState) throws -> ObjectID {
        var root = [TreeEntry]()
        if !state.aliases.isEmpty {
            var entries = [TreeEntry]()
            for alias in state.aliases.values {
                entries.append(TreeEntry(name: Array(alias.name.utf8), mode: .file, id: try objects.write(.blob, alias.encoded())))
            }
            root.append(TreeEntry(name: Array("aliases".utf8), mode: .directory, id: try objects.write(Tree(entries: entries))))
        }
        if !state.triggers.isEmpty {
            var entries = [TreeEntry]()
            for trigger in state.triggers.values {
                entries.append(TreeEntry(name: Array(trigger.id.utf8), mode: .file, id: try objects.write(.blob, trigger.encoded())))
            }
            root.append(TreeEntry(name: Array("triggers".utf8), mode: .directory, id: try objects.write(Tree(entries: entries))))
        }
        return try objects.write(Tree(entries: root))
    }

    /// Writes `refs/aliases/<NAME>` as an annotated tag of the alias's version commit (of the empty
    /// tree for an alias on `$LATEST`), and removes the refs of deleted aliases.
    func syncAliasRefs(_ state: FunctionState, before: FunctionState) throws {
        try LVCError.wrap("update refs/aliases") {
            let existing = try refs.list(prefix: Repository.aliasRefPrefix)
            let commits = try versionCommits()
            for alias in state.aliases.values.sorted(by: { $0.name < $1.name }) {
                let name = Repository.aliasRefPrefix + alias.name
                if let current = existing[name], before.aliases[alias.name] == alias,
                   let body = try? objects.read(current, as: .tag),
                   String(decoding: body, as: UTF8.self).contains("Lambda-Alias-Revision-Id: \(alias.revisionId)\n") {
                    continue  // the tag is up to date (a failed earlier sync is repaired here)
                }
                let object: ObjectID
                let kind: ObjectKind
                switch alias.target {
                case .version(let n):
                    guard let commit = commits[n] else { continue }
                    object = commit; kind = .commit
                case .latest:
                    object = try objects.write(Tree(entries: [])); kind = .tree
                }
                var message = "Alias \(alias.name) -> version \(alias.target)\n\n"
                if !alias.description.isEmpty { message += alias.description + "\n\n" }
                message += "Lambda-Alias: \(alias.name)\nLambda-Alias-Version: \(alias.target)\n"
                if let routing = alias.routing { message += "Lambda-Alias-Routing: \(routing.version)=\(routing.weight)\n" }
                message += "Lambda-Alias-Revision-Id: \(alias.revisionId)\n"
                let tag = try objects.write(.tag, Tag(object: object, type: kind, name: alias.name,
                                                      tagger: identity.signature(), message: message).encode())
                let lock = try refs.lock(name)
                defer { lock.release() }
                try lock.update(to: tag, expecting: .any)
            }
            for name in existing.keys where state.aliases[String(name.dropFirst(Repository.aliasRefPrefix.count))] == nil {
                let lock = try refs.lock(name)
                defer { lock.release() }
                try lock.delete(expecting: .any)
            }
            // The tags the refs no longer point at would be dangling to git: nothing else names
            // them (the alias history is refs/lvc/state), so they go.
            let named = Set(try refs.list(prefix: Repository.aliasRefPrefix).values)
            for old in Set(existing.values) where !named.contains(old) && objects.loose.contains(old) {
                guard (try? objects.read(old, as: .tag)) != nil else { continue }
                FileSystem.remove(objects.loose.path(of: old))
            }
        }
    }

    /// Every recorded change, oldest first.
    public func stateHistory() throws -> [StateEvent] {
        var events = [StateEvent]()
        var next = try LVCError.wrap("read alias history") { try refs.resolve(Repository.stateRef) }
        var seen = Set<ObjectID>()
        while let id = next, seen.insert(id).inserted {
            let commit = try LVCError.wrap("read alias history") { try objects.readCommit(id) }
            let trailers = Dictionary(commit.trailers.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
            events.append(StateEvent(commit: id, time: commit.committer.time, action: trailers["Lambda-Action"] ?? "",
                                     alias: trailers["Lambda-Alias"], from: trailers["Lambda-Alias-From"],
                                     to: trailers["Lambda-Alias-To"], routing: trailers["Lambda-Alias-Routing"],
                                     description: trailers["Lambda-Alias-Description"],
                                     subject: String(commit.message.prefix { $0 != "\n" })))
            next = commit.parents.first
        }
        return events.reversed()
    }
}
