import LVCStore

/// What `lvc trigger add` did, and what it warns about.
public struct TriggerAdded: Sendable {
    public var trigger: Trigger
    /// Set when the trigger runs `$LATEST`: every `lvc add` changes what it runs.
    public var warning: String?
}

extension Repository {
    /// `lvc trigger add [QUALIFIER] --source ARN [--type TYPE] [--id ID]`
    public func addTrigger(qualifier: String?, source: String, type: String?, id: String?) throws -> TriggerAdded {
        guard source.hasPrefix("arn:"), source.split(separator: ":", omittingEmptySubsequences: false).count >= 6,
              !source.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == " " }) else {
            throw Validation.constraint(source, "sourceArn", "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)")
        }
        if let id { try Trigger.checkID(id) }
        if let type {
            guard !type.isEmpty, type.count <= 64, type.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" || $0 == "_" }) else {
                throw Validation.constraint(type, "type", "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]{1,64}")
            }
        }
        return try withStateLock("add a trigger") { state in
            var stored: String? = qualifier
            var warning: String?
            switch qualifier {
            case nil:
                warning = "this trigger is on the unqualified function, which runs $LATEST: every 'lvc add' changes what it runs. Attach it to an alias instead (lvc trigger add PROD --source …), so that a release is one alias move"
            case let q?:
                if q == "$LATEST" || q == "LATEST" {
                    stored = "$LATEST"
                    warning = "this trigger is on $LATEST: every 'lvc add' changes what it runs. Attach it to an alias instead, so that a release is one alias move"
                } else if let n = Int(q), String(n) == q {
                    try requireVersion(n, try versionCommits())
                } else if state.aliases[q] == nil {
                    throw LVCError.notFound("Cannot find alias arn: \(arn(qualifier: q))")
                }
            }
            let triggerID = id ?? Repository.nextTriggerID(type ?? Trigger.type(of: source), state)
            if state.triggers[triggerID] != nil {
                throw LVCError.conflict("The statement id (\(triggerID)) provided already exists. Please provide a new statement id, or remove the existing statement.")
            }
            let trigger = Trigger(id: triggerID, qualifier: stored, source: source, type: type ?? Trigger.type(of: source))
            state.triggers[triggerID] = trigger
            return (TriggerAdded(trigger: trigger, warning: warning),
                    StateChange(subject: "Add trigger \(triggerID): \(source) -> \(stored ?? "function ($LATEST)")",
                                trailers: [("Lambda-Action", "add-trigger"), ("Lambda-Trigger", triggerID)]))
        }
    }

    static func nextTriggerID(_ type: String, _ state: FunctionState) -> String {
        var n = 1
        while state.triggers["\(type)-\(n)"] != nil { n += 1 }
        return "\(type)-\(n)"
    }

    /// `lvc trigger remove ID`
    public func removeTrigger(_ id: String) throws {
        try withStateLock("remove trigger \(id)") { state -> ((), StateChange?) in
            guard let trigger = state.triggers[id] else {
                throw LVCError.notFound("No trigger with id \(id); 'lvc trigger list' shows them")
            }
            state.triggers[id] = nil
            return ((), StateChange(subject: "Remove trigger \(id): \(trigger.source)",
                                    trailers: [("Lambda-Action", "remove-trigger"), ("Lambda-Trigger", id)]))
        }
    }

    /// The version a trigger's events reach now.
    public func reach(of trigger: Trigger, in state: FunctionState) -> String {
        guard let q = trigger.qualifier else { return "$LATEST" }
        if let alias = state.aliases[q] { return alias.positionText }
        return q
    }
}
