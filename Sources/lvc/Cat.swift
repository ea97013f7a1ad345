import ArgumentParser
import LVCKit

struct Cat: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cat", abstract: "Print one file of $LATEST or of a version, byte for byte.")

    @Argument(help: "QUALIFIER:PATH, e.g. 3:index.js or LATEST:lib/util.js. PATH is from the function folder; ./PATH or ../PATH from where lvc runs (as in git).") var spec: String

    func run() throws {
        let repository = try Terminal.openRepository()
        guard let colon = spec.firstIndex(of: ":") else {
            throw CLIError(description: "expected QUALIFIER:PATH, e.g. 3:index.js", code: 64)
        }
        let qualifier = try repository.qualifier(String(spec[..<colon]))
        var path = String(spec[spec.index(after: colon)...])
        if path == "." || path == ".." || path.hasPrefix("./") || path.hasPrefix("../") {
            path = String(decoding: try repository.relativePaths([path], cwd: Terminal.currentDirectory)[0], as: UTF8.self)
        }
        try repository.writeFile(qualifier, path: path) { Terminal.writeAll(1, $0) }
    }
}
