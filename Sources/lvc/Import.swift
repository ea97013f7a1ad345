import ArgumentParser
import LVCKit

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Stage a deployment package (.zip) into $LATEST: its files replace $LATEST's code.",
        discussion: """
        The archive is checked as a whole before anything is written: unsafe names (zip slip, .git, \
        case clashes), links leaving the package, encrypted or corrupt entries and zip bombs are \
        refused, naming the entry. Modes come from the zip (executable bit, symlinks). The \
        configuration is kept. Prints the CodeSha256 of $LATEST's canonical zip and of the file \
        itself (what AWS reports when it is uploaded as is). See Documentation/Import.md.
        """)

    @Argument(help: "The zip file.") var file: String
    @Flag(help: "Also write the files into the function folder (refuses to overwrite changes that are not staged).") var intoFolder = false
    @Flag(name: .shortAndLong, help: "With --into-folder: discard changes that are not staged.") var force = false
    @Flag(help: "Check the package and list what would change; write nothing.") var dryRun = false
    @Flag(name: .shortAndLong, help: "List the paths that changed.") var verbose = false

    func validate() throws {
        if force && !intoFolder { throw ValidationError("--force only applies with --into-folder") }
    }

    func run() throws {
        let repository = try Terminal.openRepository()
        let package = try PackageImport(path: Terminal.absolute(file), displayName: file)
        for warning in package.warnings { Terminal.err("warning: \(warning)") }
        let result = try repository.importPackage(package, intoFolder: intoFolder, force: force, dryRun: dryRun,
                                                  progress: Terminal.progress("Importing files"))
        Self.report(result, package: package, dryRun: dryRun, intoFolder: intoFolder, verbose: verbose || dryRun)
    }

    static func report(_ result: ImportResult, package: PackageImport, dryRun: Bool, intoFolder: Bool, verbose: Bool) {
        let counts = "\(result.added.count) added, \(result.updated.count) updated, \(result.removed.count) removed"
        let size = "\(package.fileCount) file(s), \(package.unzippedSize) bytes unzipped"
        Terminal.out("\(dryRun ? "Would import" : "Imported") \(package.displayName) into $LATEST: \(size) (\(counts))")
        if verbose {
            for path in result.added { Terminal.out("\tadded:    \(path)") }
            for path in result.updated { Terminal.out("\tupdated:  \(path)") }
            for path in result.removed { Terminal.out("\tremoved:  \(path)") }
        }
        if intoFolder {
            Terminal.out("\(dryRun ? "Would write" : "Wrote") \(result.written.count) file(s) into the folder, \(dryRun ? "would remove" : "removed") \(result.deleted.count)")
            if verbose {
                for path in result.written { Terminal.out("\twrite:    \(path)") }
                for path in result.deleted { Terminal.out("\tremove:   \(path)") }
            }
        }
        let original = package.original
        if let canonical = result.canonical {
            Terminal.out("CodeSha256 of $LATEST: \(canonical.sha256Base64) (lvc's canonical zip, \(canonical.size) bytes: what 'lvc publish' records and 'lvc export' writes)")
            if canonical == original {
                Terminal.out("CodeSha256 of \(package.displayName): the same (it is lvc's canonical zip of these files)")
            } else {
                Terminal.out("CodeSha256 of \(package.displayName): \(original.sha256Base64) (\(original.size) bytes): differs; AWS reports this value for the file uploaded as is")
            }
            if canonical.size >= 52_428_800 {
                Terminal.err("warning: the canonical zip is \(canonical.size) bytes: AWS refuses direct uploads of 50 MB (52,428,800 bytes) or more; upload it through S3")
            }
        } else {
            Terminal.out("CodeSha256 of \(package.displayName): \(original.sha256Base64) (\(original.size) bytes)")
        }
    }
}
