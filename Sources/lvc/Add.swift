import ArgumentParser
import LVCKit

struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Stage the folder (or the given paths) into $LATEST.",
        discussion: "New, modified and deleted files, executable bits and symlinks. Never .lambda/ or .git/; honours .lambdaignore (gitignore syntax). Special files are skipped with a warning.")

    @Argument(help: "Files or folders to stage (default: the whole folder).") var paths: [String] = []
    @Flag(name: .shortAndLong, help: "List what was staged.") var verbose = false

    var request: AddRequest { AddRequest(paths: paths, verbose: verbose) }

    func run() throws { try request.run() }
}

/// `lvc add`'s command line, parsed (by swift-argument-parser or `QuickParse`).
struct AddRequest: Equatable {
    var paths: [String] = []
    var verbose = false

    func run() throws {
        let repository = try Terminal.openRepository()
        let scope = paths.isEmpty ? nil : try repository.relativePaths(paths, cwd: Terminal.currentDirectory)
        let result = try repository.add(paths: scope, progress: Terminal.progress("Staging files"))
        for skipped in result.skipped { Terminal.err("warning: skipped \(skipped.path): \(skipped.reason)") }
        if verbose {
            for path in result.added { Terminal.out("add '\(String(decoding: path, as: UTF8.self))'") }
            for path in result.modified { Terminal.out("update '\(String(decoding: path, as: UTF8.self))'") }
            for path in result.deleted { Terminal.out("remove '\(String(decoding: path, as: UTF8.self))'") }
        }
    }
}
