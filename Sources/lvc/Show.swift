import ArgumentParser
import LVCKit

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the configuration of $LATEST or of a version.")

    @Argument(help: "$LATEST (also LATEST), a version number or an alias; default: the unqualified function ($LATEST).") var qualifier: String?
    @Flag(help: "Print AWS's FunctionConfiguration shape.") var json = false

    func run() throws {
        let repository = try Terminal.openRepository()
        let parsed = try qualifier.map { try repository.qualifier($0) }
        var configuration = try repository.functionConfiguration(parsed)
        // Through an alias, AWS reports the alias ARN and the alias's main version.
        if let qualifier, case .object(var members) = configuration, (try? repository.alias(qualifier)) != nil {
            members["FunctionArn"] = .string(repository.arn(qualifier: qualifier))
            configuration = .object(members)
        }
        if json { Terminal.out(configuration.encoded()); return }
        guard case .object(let members) = configuration else { return }
        let order = ["FunctionName", "FunctionArn", "Version", "Description", "Runtime", "Handler", "Role", "MemorySize",
                     "Timeout", "EphemeralStorage", "Architectures", "Environment", "Layers", "CodeSha256", "CodeSize",
                     "LastModified", "RevisionId"]
        for key in order {
            guard let value = members[key] else { continue }
            Terminal.out("\(key): \(Format.oneLine(Format.plain(value, key: key)))")
        }
    }
}

enum Format {
    static func plain(_ value: JSON, key: String) -> String {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .array(let items): return items.map { plain($0, key: key) }.joined(separator: ", ")
        case .object(let members):
            if key == "Environment", let vars = members["Variables"]?.objectValue {
                return vars.keys.sorted().map { "\($0)=\(vars[$0]!.stringValue ?? "")" }.joined(separator: " ")
            }
            return members.keys.sorted().map { "\($0)=\(plain(members[$0]!, key: $0))" }.joined(separator: " ")
        default: return value.encoded(pretty: false)
        }
    }

    /// A value shown on one line of a listing: newlines, tabs and other control characters
    /// escaped as `\n`, `\t`, `\xNN`, so that a description of several lines keeps the layout.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += (scalar.value < 0x10 ? "\\x0" : "\\x") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Same text as AWS's LastModified.
    static func date(_ seconds: Int64) -> String { Repository.awsTimestamp(seconds) }
}
