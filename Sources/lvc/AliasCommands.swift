import ArgumentParser
import LVCKit

struct AliasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias",
        abstract: "Create, move and inspect aliases: named pointers to versions (PROD, STG …).",
        subcommands: [Create.self, Update.self, Delete.self, List.self, Show.self, History.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an alias on a version (a number or $LATEST).")
        @Argument(help: "Alias name: letters, digits, - and _, not only digits, 1–128 characters.") var name: String
        @Argument(help: "A version number, or $LATEST (also LATEST).") var version: String
        @Option(name: [.customShort("d"), .long], help: "Description.") var description: String = ""
        @Option(help: "V=W: send the share W (0.0–1.0) of traffic to version V.") var weight: [String] = []
        @Flag(help: "Print AWS's AliasConfiguration.") var json = false

        func run() throws {
            let repository = try Terminal.openRepository()
            let move = try repository.createAlias(name, version: version, description: description, weights: weight)
            if json { Terminal.out(repository.aliasJSON(move.alias).encoded()) }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Move an alias, change its weights or description.",
                                                        discussion: "Fields not given keep their values. Prints which triggers now reach which version.")
        @Argument(help: "Alias name.") var name: String
        @Option(help: "The new main version (a number or $LATEST).") var version: String?
        @Option(name: [.customShort("d"), .long], help: "New description.") var description: String?
        @Option(help: "V=W: send the share W (0.0–1.0) of traffic to version V.") var weight: [String] = []
        @Flag(name: .customLong("no-weight"), help: "Remove the extra weighted version.") var noWeight = false
        @Option(name: .customLong("revision-id"), help: "Precondition: the alias's RevisionId must be this.") var revisionId: String?
        @Flag(help: "Print AWS's AliasConfiguration.") var json = false

        func validate() throws {
            if noWeight && !weight.isEmpty { throw ValidationError("--weight and --no-weight cannot be used together") }
        }

        func run() throws {
            let repository = try Terminal.openRepository()
            let move = try repository.updateAlias(name, version: version, description: description, weights: weight,
                                                  clearWeights: noWeight, revisionId: revisionId)
            if json { Terminal.out(repository.aliasJSON(move.alias).encoded()) } else { AliasOutput.report(move) }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an alias (its history stays in the store).")
        @Argument(help: "Alias name.") var name: String
        func run() throws { try Terminal.openRepository().deleteAlias(name) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List aliases: version, extra weighted version, description, triggers.")
        @Flag(help: "Print ListAliases' {\"Aliases\": [...]} (each item also lists its triggers).") var json = false

        func run() throws {
            let repository = try Terminal.openRepository()
            let state = try repository.readState()
            let aliases = state.aliases.values.sorted { $0.name < $1.name }
            if json {
                let items = aliases.map { alias -> JSON in
                    guard case .object(var m) = repository.aliasJSON(alias) else { return .null }
                    m["Triggers"] = .array(state.triggers(on: alias.name).map { .string($0.source) })
                    return .object(m)
                }
                Terminal.out(JSON.object(["Aliases": .array(items)]).encoded())
                return
            }
            for alias in aliases {
                var line = "\(alias.name) -> \(alias.positionText)"
                if !alias.description.isEmpty { line += "  \"\(Format.oneLine(alias.description))\"" }
                Terminal.out(line)
                for trigger in state.triggers(on: alias.name) { Terminal.out("    trigger \(trigger.id): \(trigger.source)") }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one alias (AWS's AliasConfiguration with --json).",
                                                        aliases: ["get"])  // as `aws lambda get-alias`
        @Argument(help: "Alias name.") var name: String
        @Flag(help: "Print AWS's AliasConfiguration.") var json = false

        func run() throws {
            let repository = try Terminal.openRepository()
            let alias = try repository.alias(name)
            if json { Terminal.out(repository.aliasJSON(alias).encoded()); return }
            Terminal.out("AliasArn: \(repository.arn(qualifier: alias.name))")
            Terminal.out("FunctionVersion: \(alias.target)")
            if let routing = alias.routing { Terminal.out("AdditionalVersionWeights: \(routing.version)=\(routing.weight)") }
            Terminal.out("Description: \(Format.oneLine(alias.description))")
            Terminal.out("RevisionId: \(alias.revisionId)")
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "history", abstract: "Every move of an alias: when, from → to, weights, description.")
        @Argument(help: "Alias name.") var name: String
        @Flag(help: "Machine-readable output.") var json = false

        func run() throws {
            let repository = try Terminal.openRepository()
            let events = try repository.aliasHistory(name)
            if events.isEmpty { throw CLIError(description: "alias \(name) has no history: it was never created") }
            if json {
                Terminal.out(JSON.array(events.map { e in
                    var m: [String: JSON] = ["Time": .string(Repository.awsTimestamp(e.time)), "Action": .string(e.action)]
                    m["From"] = e.from.map(JSON.string) ?? .null
                    m["To"] = e.to.map(JSON.string) ?? .null
                    m["Routing"] = e.routing.map(JSON.string) ?? .null
                    return .object(m)
                }).encoded())
                return
            }
            for e in events {
                var line = "\(Repository.awsTimestamp(e.time))  \(e.action.padding(9))"
                line += "\(e.from ?? "-") → \(e.to ?? "-")"
                if let routing = e.routing { line += "  (weight \(routing))" }
                Terminal.out(line)
            }
        }
    }
}

enum AliasOutput {
    /// "PROD: 2 -> 3" and where each trigger on the alias now sends events.
    static func report(_ move: AliasMove) {
        Terminal.out("\(move.alias.name): \(move.previous?.positionText ?? "-") → \(move.alias.positionText)")
        for route in move.routes {
            Terminal.out("    trigger \(route.trigger.id) (\(route.trigger.source)) now reaches version \(route.version)")
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}

struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Point an alias back where it was before its last move (from its own history).",
        discussion: "A rollback is itself recorded, so rolling back twice walks further back; other aliases never move.")
    @Argument(help: "Alias name.") var name: String
    @Flag(help: "Say where the alias would go, change nothing.") var dryRun = false

    func run() throws {
        let repository = try Terminal.openRepository()
        if dryRun {
            let alias = try repository.alias(name)
            let target = try repository.rollbackTarget(name)
            Terminal.out("would move \(name): \(alias.positionText) → \(target.to)\(target.routing.map { " (weight \($0))" } ?? "")")
            return
        }
        AliasOutput.report(try repository.rollback(name))
    }
}

struct Promote: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "promote", abstract: "Point alias TO where alias FROM points (e.g. STG → PROD), weights included.")
    @Argument(help: "The alias to copy.") var from: String
    @Argument(help: "The alias to move.") var to: String
    @Flag(help: "Say what would change, change nothing.") var dryRun = false

    func run() throws {
        let repository = try Terminal.openRepository()
        if dryRun {
            let source = try repository.alias(from), target = try repository.alias(to)
            Terminal.out("would move \(to): \(target.positionText) → \(source.positionText)")
            return
        }
        AliasOutput.report(try repository.promote(from: from, to: to))
    }
}

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a published version. Its number is never reused.",
        discussion: "Refused for $LATEST, for versions an alias uses (main or weighted) and for versions a trigger targets directly.")
    @Argument(help: "Version number.") var version: String
    func run() throws { try Terminal.openRepository().deleteVersion(version) }
}

struct Prune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete old versions that no alias or trigger needs, keeping the newest N.")
    @Option(help: "How many of the newest versions to keep.") var keep: Int
    @Flag(help: "List each version with the reason it is kept or deleted; change nothing.") var dryRun = false

    func run() throws {
        let repository = try Terminal.openRepository()
        let plan = dryRun ? try repository.prunePlan(keep: keep) : try repository.prune(keep: keep)
        for d in plan {
            let verb = d.delete ? (dryRun ? "would delete" : "deleted") : "keep"
            Terminal.out("\(verb.padding(13))\(d.version)  (\(d.reason))")
        }
    }
}

struct Gc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove loose objects that nothing reaches any more, and temporary files a killed lvc left.",
        discussion: """
        Reachable: every ref (versions, main, aliases, the alias history), $LATEST. Objects in packs are left to 'git gc'.
        Temporary files: anything in .lambda/lvc/tmp/ and .tmp-* in .lambda/lvc/ and its package-cache/, untouched for an hour.
        """)
    @Flag(help: "List what would be removed; change nothing.") var dryRun = false

    func run() throws {
        let repository = try Terminal.openRepository()
        let garbage = dryRun ? try repository.garbage() : try repository.gc()
        let verb = dryRun ? "would remove" : "removed"
        for id in garbage.objects { Terminal.out("\(verb) \(id)") }
        for file in garbage.temporaryFiles { Terminal.out("\(verb) .lambda/\(file.path) (\(file.size) bytes)") }
        var summary = "\(garbage.objects.count) unreachable object(s)"
        if !garbage.temporaryFiles.isEmpty {
            let bytes = garbage.temporaryFiles.reduce(0) { $0 + $1.size }
            summary += " and \(garbage.temporaryFiles.count) stale temporary file(s) (\(bytes) bytes)"
        }
        Terminal.err(summary + (dryRun ? "" : " removed"))
    }
}

struct TriggerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger",
        abstract: "Record what fires the function (S3, SQS, API routes, schedules …), attached to an alias.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Attach a trigger to an alias, a version, $LATEST, or (no qualifier) the unqualified function.")
        @Argument(help: "Alias, version or $LATEST; none: the unqualified function.") var qualifier: String?
        @Option(help: "The event source ARN, e.g. arn:aws:s3:::my-bucket.") var source: String
        @Option(help: "Kind of trigger (default: the ARN's service, e.g. s3, sqs).") var type: String?
        @Option(help: "Trigger id (default: TYPE-N).") var id: String?

        func run() throws {
            let added = try Terminal.openRepository().addTrigger(qualifier: qualifier, source: source, type: type, id: id)
            if let warning = added.warning { Terminal.err("warning: \(warning)") }
            Terminal.out(added.trigger.id)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List triggers and the version each one reaches now.")
        @Flag(help: "Machine-readable output.") var json = false

        func run() throws {
            let repository = try Terminal.openRepository()
            let state = try repository.readState()
            let triggers = state.triggers.values.sorted { $0.id < $1.id }
            if json {
                Terminal.out(JSON.array(triggers.map { t in
                    .object(["Id": .string(t.id), "Type": .string(t.type), "SourceArn": .string(t.source),
                             "Qualifier": t.qualifier.map(JSON.string) ?? .null,
                             "FunctionArn": .string(repository.arn(qualifier: t.qualifier)),
                             "ReachesVersion": .string(repository.reach(of: t, in: state))])
                }).encoded())
                return
            }
            for t in triggers {
                Terminal.out("\(t.id)  \(t.source) -> \(t.qualifier ?? "(function)") -> version \(repository.reach(of: t, in: state))")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a trigger.")
        @Argument(help: "Trigger id.") var id: String
        func run() throws { try Terminal.openRepository().removeTrigger(id) }
    }
}
