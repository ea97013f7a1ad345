import ArgumentParser
import LVCKit

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create .lambda/ in this folder: an empty $LATEST with the given configuration.",
        discussion: "Running it twice says so and changes nothing. Region and account only shape ARNs; the defaults are us-east-1 and AWS's documentation account 123456789012. With --from, the package is checked first; if it is refused or cannot be written, no store is left behind.")

    @Option(help: "Function name (default: the folder's name).") var name: String?
    @Option(help: "Runtime, e.g. nodejs20.x, python3.12, provided.al2023.") var runtime: String?
    @Option(help: "Handler, e.g. index.handler.") var handler: String?
    @Option(help: "Execution role ARN.") var role: String?
    @Option(help: "AWS region used in ARNs.") var region: String?
    @Option(help: "12-digit AWS account id used in ARNs.") var account: String?
    @Option(name: .customLong("from"), help: "Start from a deployment package (.zip): its files become $LATEST and are written into the folder.") var package: String?
    @Flag(name: .shortAndLong, help: "Print nothing on success (warnings and errors still go to stderr).") var quiet = false

    func run() throws {
        var options = Repository.InitOptions()
        options.name = name
        options.region = region
        options.account = account
        if let runtime { try options.configuration.set("runtime", to: runtime) }
        if let handler { try options.configuration.set("handler", to: handler) }
        if let role { try options.configuration.set("role", to: role) }
        guard let package else {
            let repository = try Repository.initialize(at: Terminal.currentDirectory, options: options, identity: Terminal.identity)
            if quiet { return }
            Terminal.out("Initialized lvc function '\(repository.functionName)' in \(repository.gitDirectory)/")
            return
        }
        // The package is checked as a whole before the store is created.
        let opened = try PackageImport(path: Terminal.absolute(package), displayName: package)
        for warning in opened.warnings { Terminal.err("warning: \(warning)") }
        let (repository, result) = try Repository.initialize(at: Terminal.currentDirectory, options: options, from: opened,
                                                             identity: Terminal.identity, progress: Terminal.progress("Importing files"))
        if quiet { return }
        Terminal.out("Initialized lvc function '\(repository.functionName)' in \(repository.gitDirectory)/")
        Import.report(result, package: opened, dryRun: false, intoFolder: true, verbose: false)
    }
}
