import LVCStore

/// Where a trigger now sends events, reported after an alias moves.
public struct TriggerRoute: Sendable {
    public var trigger: Trigger
    public var alias: String
    public var version: String
}

/// The result of an alias move: the alias after it, where it was, and the triggers it carries.
public struct AliasMove: Sendable {
    public var alias: Alias
    public var previous: Alias?
    public var routes: [TriggerRoute]
}

extension Repository {
    /// Parses a QUALIFIER: `$LATEST`/`LATEST`, a version number, or an alias name (its main version).
    public func qualifier(_ text: String) throws -> Qualifier {
        if let parsed = try? Qualifier.parse(text, functionArn: functionArn) { return parsed }
        if let alias = try readState().aliases[text] { return alias.target.qualifier }
        throw LVCError.notFound("Function not found: \(arn(qualifier: text))")
    }

    /// Checks that a version number names a published version (AWS's "Function not found").
    func requireVersion(_ n: Int, _ existing: [Int: ObjectID]) throws {
        guard existing[n] != nil else { throw LVCError.notFound("Function not found: \(arn(qualifier: String(n)))") }
    }

    func parseTarget(_ text: String) throws -> AliasTarget {
        switch try Qualifier.parse(text, functionArn: functionArn) {
        case .latest: return .latest
        case .version(let n): return .version(n)
        }
    }

    /// AWS's routing rules for a (main, extra) pair.
    func checkRouting(_ target: AliasTarget, _ routing: (version: Int, weight: Double)?, _ existing: [Int: ObjectID]) throws {
        if case .version(let n) = target { try requireVersion(n, existing) }
        guard let routing else { return }
        if target == .latest {
            throw LVCError.invalidParameter("$LATEST is not supported for an alias pointing to more than 1 version")
        }
        if case .version(let n) = target, n == routing.version {
            throw LVCError.invalidParameter("Invalid function version \(n). Function version \(n) is already included in routing configuration.")
        }
        try requireVersion(routing.version, existing)
        if case .version(let n) = target {
            let a = try version(n).configuration.role, b = try version(routing.version).configuration.role
            if a != b { throw LVCError.invalidParameter("Specified versions must be associated with the same execution role") }
        }
    }

    static func moveTrailers(_ action: String, _ alias: Alias, from: Alias?) -> [(String, String)] {
        var trailers = [("Lambda-Action", action), ("Lambda-Alias", alias.name)]
        if let from { trailers.append(("Lambda-Alias-From", from.target.description)) }
        trailers.append(("Lambda-Alias-To", alias.target.description))
        if let routing = alias.routing { trailers.append(("Lambda-Alias-Routing", "\(routing.version)=\(routing.weight)")) }
        trailers.append(("Lambda-Alias-Revision-Id", alias.revisionId))
        return trailers
    }

    func routes(for alias: Alias, in state: FunctionState) -> [TriggerRoute] {
        state.triggers(on: alias.name).map { TriggerRoute(trigger: $0, alias: alias.name, version: alias.positionText) }
    }

    /// `lvc alias create NAME VERSION [-d TEXT] [--weight V=W]`
    public func createAlias(_ name: String, version: String, description: String = "", weights: [String] = []) throws -> AliasMove {
        try AliasRules.checkName(name)
        try Validation.description(description)
        let target = try parseTarget(version)
        let routing = try AliasRules.routing(weights)
        return try withStateLock("create alias \(name)") { state in
            if state.aliases[name] != nil {
                throw LVCError.conflict("Alias already exists: \(arn(qualifier: name))")
            }
            if let other = state.aliases.keys.first(where: { $0.lowercased() == name.lowercased() }) {
                throw LVCError.conflict("an alias named \(other) exists; lvc refuses names that differ only in case (the store must work on case-insensitive file systems)")
            }
            try checkRouting(target, routing, try versionCommits())
            let alias = Alias(name: name, target: target, routing: routing, description: description, revisionId: Latest.newRevisionId())
            state.aliases[name] = alias
            let move = AliasMove(alias: alias, previous: nil, routes: routes(for: alias, in: state))
            return (move, StateChange(subject: "Create alias \(name) -> \(alias.positionText)",
                                      trailers: Repository.moveTrailers("create", alias, from: nil)))
        }
    }

    /// `lvc alias update NAME [--version V] [-d TEXT] [--weight V=W | --no-weight] [--revision-id ID]`
    /// Fields not given keep their values; a new RevisionId every time (AWS).
    public func updateAlias(_ name: String, version: String? = nil, description: String? = nil, weights: [String] = [],
                            clearWeights: Bool = false, revisionId: String? = nil) throws -> AliasMove {
        if let description { try Validation.description(description) }
        let target = try version.map(parseTarget)
        let routing = try AliasRules.routing(weights)
        return try withStateLock("update alias \(name)") { state in
            try move(name, in: &state, target: target, routing: routing, clearWeights: clearWeights,
                     description: description, revisionId: revisionId, action: "update")
        }
    }

    /// Applies one move to `state` (under the state lock) and describes it for the history.
    func move(_ name: String, in state: inout FunctionState, target: AliasTarget?, routing: (version: Int, weight: Double)?,
              clearWeights: Bool, description: String? = nil, revisionId: String? = nil,
              action: String) throws -> (AliasMove, StateChange?) {
        guard let old = state.aliases[name] else {
            throw LVCError.notFound("Alias not found: \(arn(qualifier: name))")
        }
        if let revisionId, revisionId != old.revisionId {
            throw LVCError.preconditionFailed("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
        }
        var alias = old
        if let target { alias.target = target }
        if let description { alias.description = description }
        if clearWeights { alias.routing = nil } else if let routing { alias.routing = routing }
        try checkRouting(alias.target, alias.routing, try versionCommits())
        alias.revisionId = Latest.newRevisionId()
        state.aliases[name] = alias
        let result = AliasMove(alias: alias, previous: old, routes: routes(for: alias, in: state))
        return (result, StateChange(subject: "Update alias \(name): \(old.positionText) -> \(alias.positionText)",
                                    trailers: Repository.moveTrailers(action, alias, from: old)))
    }

    /// `lvc alias delete NAME`. Triggers attached to the alias must be removed first.
    public func deleteAlias(_ name: String) throws {
        try withStateLock("delete alias \(name)") { state -> ((), StateChange?) in
            guard let old = state.aliases[name] else {
                throw LVCError.notFound("Alias not found: \(arn(qualifier: name))")
            }
            let attached = state.triggers(on: name)
            if !attached.isEmpty {
                throw LVCError.conflict("alias \(name) carries triggers [\(attached.map(\.id).joined(separator: ", "))]; remove them first ('lvc trigger remove ID') so that no event source is left pointing at nothing")
            }
            state.aliases[name] = nil
            return ((), StateChange(subject: "Delete alias \(name) (was \(old.positionText))",
                                    trailers: [("Lambda-Action", "delete"), ("Lambda-Alias", name),
                                               ("Lambda-Alias-From", old.target.description)]))
        }
    }

    public func alias(_ name: String) throws -> Alias {
        guard let alias = try readState().aliases[name] else {
            throw LVCError.notFound("Cannot find alias arn: \(arn(qualifier: name))")
        }
        return alias
    }

    /// AWS's AliasConfiguration.
    public func aliasJSON(_ alias: Alias) -> JSON {
        var m: [String: JSON] = [
            "AliasArn": .string(arn(qualifier: alias.name)),
            "Name": .string(alias.name),
            "FunctionVersion": .string(alias.target.description),
            "Description": .string(alias.description),
            "RevisionId": .string(alias.revisionId),
        ]
        if let routing = alias.routing {
            m["RoutingConfig"] = .object(["AdditionalVersionWeights": .object([String(routing.version): .double(routing.weight)])])
        }
        return .object(m)
    }

    /// The moves of one alias, oldest first (create, update, rollback, promote, delete).
    public func aliasHistory(_ name: String) throws -> [StateEvent] {
        try stateHistory().filter { $0.alias == name && $0.action != "" }
    }

    /// Positions an alias has held, as a stack: moves push, rollbacks pop, a delete clears it.
    static func positionStack(_ events: [StateEvent]) -> [(to: String, routing: String?)] {
        var stack = [(to: String, routing: String?)]()
        for event in events {
            switch event.action {
            case "rollback": if !stack.isEmpty { stack.removeLast() }
            case "delete": stack.removeAll()
            default:
                if let to = event.to {
                    // A description-only update does not make a new position.
                    if let last = stack.last, last.to == to, last.routing == event.routing { continue }
                    stack.append((to, event.routing))
                }
            }
        }
        return stack
    }

    /// Where `lvc rollback NAME` would move the alias, from its own history.
    public func rollbackTarget(_ name: String) throws -> (to: String, routing: String?) {
        _ = try alias(name)
        return try Repository.rollbackTarget(name, history: try aliasHistory(name))
    }

    static func rollbackTarget(_ name: String, history: [StateEvent]) throws -> (to: String, routing: String?) {
        let stack = Repository.positionStack(history)
        guard stack.count >= 2 else {
            throw LVCError.refused("alias \(name) has no earlier position to roll back to (its history: \(stack.map(\.to).joined(separator: " → ")))")
        }
        return stack[stack.count - 2]
    }

    /// `lvc rollback NAME`: back to where the alias was before its last move (not "version - 1").
    /// The rollback is itself recorded, so rolling back again walks further back. Decided under
    /// the state lock, so a concurrent move cannot slip between reading the history and moving.
    public func rollback(_ name: String) throws -> AliasMove {
        try withStateLock("roll back alias \(name)") { state in
            guard state.aliases[name] != nil else { throw LVCError.notFound("Cannot find alias arn: \(arn(qualifier: name))") }
            let target = try Repository.rollbackTarget(name, history: try aliasHistory(name))
            let position = try parseTarget(target.to)
            if case .version(let n) = position, try versionCommits()[n] == nil {
                throw LVCError.refused("cannot roll back \(name) to version \(n): that version was deleted (lvc delete or prune); move it with 'lvc alias update \(name) --version N'")
            }
            let routing = try AliasRules.routing(target.routing.map { [$0] } ?? [])
            return try move(name, in: &state, target: position, routing: routing, clearWeights: routing == nil, action: "rollback")
        }
    }

    /// `lvc promote FROM TO`: point TO where FROM points (main and weighted version).
    public func promote(from: String, to: String) throws -> AliasMove {
        try withStateLock("promote \(from) to \(to)") { state in
            guard let source = state.aliases[from] else { throw LVCError.notFound("Cannot find alias arn: \(arn(qualifier: from))") }
            guard state.aliases[to] != nil else { throw LVCError.notFound("Cannot find alias arn: \(arn(qualifier: to))") }
            return try move(to, in: &state, target: source.target, routing: source.routing, clearWeights: source.routing == nil,
                            action: "promote")
        }
    }
}
