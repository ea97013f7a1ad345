import ArgumentParser
import LVCKit

struct Fsck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Verify the store: every object's hash, and that refs and $LATEST point at objects that exist.",
        discussion: "Quiet when all is well; exit status 1 when anything is wrong.")

    @Flag(name: .shortAndLong, help: "Say what was checked.") var verbose = false

    func run() throws {
        let repository = try Terminal.openRepository()
        let report = try repository.fsck(progress: Terminal.progress("Checking objects"))
        for problem in report.problems { Terminal.err(problem.description) }
        if verbose {
            Terminal.out("checked \(report.objectsChecked) objects and \(report.versionsChecked) versions: \(report.ok ? "ok" : "problems found")")
        }
        if !report.ok { throw ExitCode(1) }
    }
}
