/// A second way in for the commands a developer runs most (`status`, `add`, `publish`,
/// `checkout`, `diff`): their plain forms, read without swift-argument-parser.
///
/// swift-argument-parser builds each command by reflection (`Mirror`, generic metadata,
/// protocol conformance lookups over the whole binary) and first looks for
/// `--generate-completion-script`: about a millisecond at every start, as much as `git diff` spends
/// on a whole diff of two versions (decision 0015). This reader accepts only the forms that cannot
/// mean two things: known flags and options spelled out (`--stat`, `-U 5`, `--color never`),
/// each at most once, option values that do not start with `-`, operands that do not start with `-`,
/// and `--` where the command takes paths. For anything else (help, completion requests, `=`
/// forms, bundled short flags, unknown or repeated flags, values the command would refuse) it
/// returns nil, and swift-argument-parser parses the line as before, with its help and errors.
/// A test parses thousands of generated command lines both ways and requires the same result
/// whenever this reader accepts one (`QuickParseTests`).
enum QuickParse {
    /// The command to run, or nil to leave the line to swift-argument-parser.
    static func command(_ arguments: [String]) -> (() throws -> Void)? {
        guard let name = arguments.first else { return nil }
        let rest = Array(arguments.dropFirst())
        switch name {
        case "status": return status(rest).map { request in { try request.run() } }
        case "add": return add(rest).map { request in { try request.run() } }
        case "publish": return publish(rest).map { request in { try request.run() } }
        case "checkout": return checkout(rest).map { request in { try request.run() } }
        case "diff": return diff(rest).map { request in { try request.run() } }
        default: return nil
        }
    }

    static func status(_ arguments: [String]) -> StatusRequest? {
        guard let line = Line(arguments, flags: ["-s": "short", "--short": "short", "--json": "json"]),
              line.operands.isEmpty
        else { return nil }
        return StatusRequest(short: line.has("short"), json: line.has("json"))
    }

    static func add(_ arguments: [String]) -> AddRequest? {
        guard let line = Line(arguments, flags: ["-v": "verbose", "--verbose": "verbose"]) else { return nil }
        return AddRequest(paths: line.operands, verbose: line.has("verbose"))
    }

    static func publish(_ arguments: [String]) -> PublishRequest? {
        guard let line = Line(arguments, flags: ["--json": "json"],
                              options: ["-d": "description", "--description": "description",
                                        "--code-sha256": "code-sha256", "--revision-id": "revision-id"]),
              line.operands.isEmpty
        else { return nil }
        return PublishRequest(description: line.values["description"], codeSha256: line.values["code-sha256"],
                              revisionId: line.values["revision-id"], json: line.has("json"))
    }

    static func checkout(_ arguments: [String]) -> CheckoutRequest? {
        guard let line = Line(arguments, flags: ["-f": "force", "--force": "force"]), line.operands.count == 1
        else { return nil }
        return CheckoutRequest(qualifier: line.operands[0], force: line.has("force"))
    }

    static func diff(_ arguments: [String]) -> DiffRequest? {
        guard let line = Line(arguments, takesTerminator: true,
                              flags: ["--staged": "staged", "--stat": "stat", "--name-status": "name-status",
                                      "--name-only": "name-only", "--exit-code": "exit-code", "--json": "json",
                                      "--code-only": "code-only", "--config-only": "config-only",
                                      "--show-values": "show-values"],
                              options: ["--color": "color", "-U": "context"])
        else { return nil }
        var request = DiffRequest(states: line.operands, paths: line.afterTerminator)
        request.staged = line.has("staged")
        request.stat = line.has("stat")
        request.nameStatus = line.has("name-status")
        request.nameOnly = line.has("name-only")
        request.exitCode = line.has("exit-code")
        request.json = line.has("json")
        request.codeOnly = line.has("code-only")
        request.configOnly = line.has("config-only")
        request.showValues = line.has("show-values")
        if let color = line.values["color"] { request.color = color }
        if let context = line.values["context"] {
            guard let n = Int(context) else { return nil }
            request.context = n
        }
        return request.problem == nil ? request : nil
    }

    /// One command line split by a fixed vocabulary: `flags` and `options` map each spelling to
    /// a name. nil when any token is outside the plain forms described above.
    struct Line {
        var flags = Set<String>()
        var values = [String: String]()
        var operands = [String]()
        var afterTerminator = [String]()

        init?(_ arguments: [String], takesTerminator: Bool = false, flags flagNames: [String: String] = [:],
              options optionNames: [String: String] = [:]) {
            var i = 0
            while i < arguments.count {
                let token = arguments[i]
                i += 1
                guard token.utf8.first == UInt8(ascii: "-") else { operands.append(token); continue }
                if token == "--" {
                    guard takesTerminator else { return nil }
                    afterTerminator = Array(arguments[i...])
                    return
                }
                if let name = flagNames[token] {
                    guard flags.insert(name).inserted else { return nil }
                } else if let name = optionNames[token] {
                    guard i < arguments.count, arguments[i].utf8.first != UInt8(ascii: "-"),
                          values.updateValue(arguments[i], forKey: name) == nil else { return nil }
                    i += 1
                } else {
                    return nil
                }
            }
        }

        func has(_ flag: String) -> Bool { flags.contains(flag) }
    }
}
