import ArgumentParser
import LVCKit

struct Fsck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Verify the store: every object's hash, and that refs and $LATEST point at objects that exist.",
        discussion: "Quiet when all is well; exit status 1 when anything is wrong.")

    @Flag(name: .shortAndLong, help: "Say what was checked.") var verbose = false
    @Flag(help: ArgumentHelp("Also build every version's deployment package again from the stored files and compare its CodeSha256 and CodeSize with the recorded ones.",
                             discussion: "Slow: it reads and compresses (or checks) the code of every version, as 'lvc export' does."))
    var packages = false

    func run() throws {
        let repository = try Terminal.openRepository()
        let report = try repository.fsck(packages: packages, progress: Terminal.progress("Checking objects"),
                                         packageProgress: Terminal.progress("Building packages"))
        for problem in report.problems { Terminal.err(problem.description) }
        if verbose {
            var checked = "\(report.objectsChecked) objects, \(report.versionsChecked) versions, "
                + "\(report.cacheEntriesChecked) package cache entries"
            if packages { checked += ", \(report.packagesChecked) packages" }
            Terminal.out("checked \(checked): \(report.ok ? "ok" : "problems found")")
        }
        if !report.ok { throw ExitCode(1) }
    }
}
