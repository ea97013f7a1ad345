import ArgumentParser
import LVCKit

struct Cat: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cat", abstract: "Print one file of $LATEST or of a version, byte for byte.")

    @Argument(help: "QUALIFIER:PATH, e.g. 3:index.js or LATEST:lib/util.js.") var spec: String

    func run() throws {
        let repository = try Terminal.openRepository()
        guard let colon = spec.firstIndex(of: ":") else {
            throw CLIError(description: "expected QUALIFIER:PATH, e.g. 3:index.js", code: 64)
        }
        let qualifier = try repository.qualifier(String(spec[..<colon]))
        let bytes = try repository.fileContents(qualifier, path: String(spec[spec.index(after: colon)...]))
        Terminal.writeAll(1, bytes)
    }
}
