import ArgumentParser
import LVCKit

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Versions newest first: number, date, description, CodeSha256, size, aliases.",
        discussion: "Versions deleted since are marked (deleted) while their history is in the store.")

    @Argument(help: "Start from this version or alias (default: the newest).") var qualifier: String?
    @Flag(help: "Also list the files changed since the version before.") var stat = false
    @Flag(help: "Machine-readable output.") var json = false
    @Option(name: .customShort("n"), help: "Show at most N versions.") var count: Int?

    func run() throws {
        let repository = try Terminal.openRepository()
        let start = try qualifier.map { try repository.qualifier($0) }
        if json {
            // Paths and kinds of change only: no file contents are read.
            var items = [JSON]()
            try repository.log(from: start, limit: count, withChanges: stat) { e in
                var m: [String: JSON] = [
                    "Version": .string(String(e.version.number)),
                    "LastModified": .string(Repository.awsTimestamp(e.version.lastModified)),
                    "Description": .string(e.version.configuration.description),
                    "CodeSha256": .string(e.version.codeSha256),
                    "CodeSize": .int(e.version.codeSize),
                    "Aliases": .array(e.aliases.map(JSON.string)),
                    "Deleted": .bool(e.deleted),
                ]
                if let changes = e.changes {
                    m["Files"] = .array(changes.files.map { .object(["Path": .string($0.change.pathString), "Change": .string($0.change.kind.rawValue)]) })
                }
                items.append(.object(m))
                return true
            }
            Terminal.out(JSON.array(items).encoded())
            return
        }
        // Each version is printed as soon as it is read (a pager shows the first page at once),
        // and the reading stops when the pager is quit.
        let out = PagedOutput()
        defer { out.flush() }
        let renderer = DiffRenderer(context: 3, colors: Terminal.colorEnabled, showValues: false)
        var first = true
        try repository.log(from: start, limit: count, withChanges: stat, summaries: true) { e in
            if !first { out.line("") }
            first = false
            var head = renderer.paint("version \(e.version.number)", "33")
            if e.deleted { head += renderer.paint(" (deleted)", "31") }
            if !e.aliases.isEmpty { head += " (" + renderer.paint(e.aliases.joined(separator: ", "), "36") + ")" }
            out.line(head)
            out.line("Date:       \(Repository.awsTimestamp(e.version.lastModified))")
            out.line("CodeSha256: \(e.version.codeSha256)  (\(e.version.codeSize) bytes)")
            let description = e.version.configuration.description
            if !description.isEmpty {
                // Every line indented, as git indents a commit message.
                out.line("\n" + description.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
            }
            if let changes = e.changes {
                out.line("")
                renderer.stat(changes, into: out)
            }
            out.send()
            return !out.closed
        }
    }
}
