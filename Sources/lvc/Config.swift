import ArgumentParser
import LVCKit

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Read or change $LATEST's configuration.",
        discussion: """
        Keys: runtime, handler, role, description, memory (128–10240 MB), timeout (1–900 s),
        ephemeral-storage (512–10240 MB), architecture (x86_64 | arm64), env.NAME (environment
        variables, 4 KB in all), layers (comma-separated, at most 5 ARNs).
        'lvc config' lists every set key; 'lvc config KEY' prints one value (exit status 1 if unset).
        """)

    @Argument(help: "The key.") var key: String?
    @Argument(help: "The new value.") var value: String?
    @Option(help: "Return KEY to its default.") var unset: String?
    @Flag(help: "Print the whole configuration as stored (function.json).") var json = false

    func validate() throws {
        if unset != nil && (key != nil || value != nil) { throw ValidationError("--unset takes the key itself: lvc config --unset KEY") }
        if json && (key != nil || unset != nil) { throw ValidationError("--json prints the whole configuration; give no key") }
    }

    func run() throws {
        let repository = try Terminal.openRepository()
        if let unset { try repository.unsetConfiguration(unset); return }
        if let key, let value { try repository.setConfiguration(key, to: value); return }
        let configuration = try repository.readLatest().configuration
        if json { Terminal.out(configuration.json.encoded()); return }
        if let key {
            guard let value = try configuration.value(of: key) else { throw CLIError(description: "\(key) is not set") }
            Terminal.out(value)
            return
        }
        // One line per key: a value with newlines is escaped here (`lvc config KEY` prints it as it is).
        for row in configuration.listing { Terminal.out("\(row.key)=\(Format.oneLine(row.value))") }
    }
}
