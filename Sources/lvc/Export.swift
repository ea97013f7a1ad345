import ArgumentParser
import LVCKit

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the deployment package (.zip) of $LATEST or of a version, and print its CodeSha256.",
        discussion: "The zip is canonical: the same tree gives the same bytes on every run and machine (same zlib). Default file: .lambda/exports/NAME-QUALIFIER.zip (inside the store, so that 'lvc add' never stages it).")

    @Argument(help: "$LATEST (also LATEST), a version number or an alias.") var qualifier: String
    @Option(name: .shortAndLong, help: "The zip file to write.") var output: String?

    func run() throws {
        let repository = try Terminal.openRepository()
        let parsed = try repository.qualifier(qualifier)
        let suffix = parsed == .latest ? "LATEST" : parsed.description
        let target = output ?? "\(repository.gitDirectory)/exports/\(repository.functionName)-\(suffix).zip"
        let path = target.hasPrefix("/") ? target : Terminal.currentDirectory + "/" + target
        let digest = try repository.export(parsed, to: path, createFolder: output == nil, progress: Terminal.progress("Writing package"))
        Terminal.out(digest.sha256Base64)
        Terminal.err("wrote \(target) (\(digest.size) bytes)")
    }
}
