import ArgumentParser
import LVCKit
import LVCStore

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what differs between two states: code as a unified diff, then configuration.",
        // Written out: the generated line shows the operands as one array (`[<arguments> ...]`),
        // since the split at `--` is read from the command line (`Diff.commandLine`).
        usage: "lvc diff [<options>] [<A> [<B>]] [-- <path>...]",
        discussion: """
        lvc diff            the folder vs $LATEST (what 'lvc add' would stage)
        lvc diff --staged   the newest version vs $LATEST (what 'lvc publish' would freeze)
        lvc diff A B        any two of: a version number, an alias, $LATEST (or LATEST), . (the folder)
        Line diffs use Myers' algorithm, like git. Renames show as a deletion and an addition.
        Environment variable values are masked unless --show-values.
        """)

    @Argument(help: "States to compare (see above); after --, files or folders to limit the diff to.") var arguments: [String] = []
    @Flag(help: "Compare the newest version with $LATEST.") var staged = false
    @Flag(help: "Per-file counts of changed lines.") var stat = false
    @Flag(name: .customLong("name-status"), help: "One line per file: A, D, M or T (type change) and the path.") var nameStatus = false
    @Flag(name: .customLong("name-only"), help: "Only the paths of changed files.") var nameOnly = false
    @Flag(name: .customLong("exit-code"), help: "Exit with 1 when there are differences, 0 when none.") var exitCode = false
    @Flag(help: "Machine-readable output.") var json = false
    @Flag(name: .customLong("code-only"), help: "Compare code only.") var codeOnly = false
    @Flag(name: .customLong("config-only"), help: "Compare configuration only.") var configOnly = false
    @Flag(name: .customLong("show-values"), help: "Show environment variable values instead of masking them.") var showValues = false
    @Option(help: "Colour: auto (on a terminal, unless NO_COLOR), always or never.") var color: String = "auto"
    @Option(name: .customShort("U"), help: ArgumentHelp("Lines of context around each change.", valueName: "n")) var context: Int = 3

    /// The process's command line: the parser hands states and paths over as one list, and what
    /// followed `--` on the command line are paths. (QuickParseTests sets it to the line it parses.)
    nonisolated(unsafe) static var commandLine = CommandLine.arguments

    var request: DiffRequest {
        let afterTerminator = Diff.commandLine.firstIndex(of: "--").map { Diff.commandLine.count - $0 - 1 } ?? 0
        let cut = max(0, arguments.count - afterTerminator)
        return DiffRequest(
            states: Array(arguments[..<cut]), paths: Array(arguments[cut...]), staged: staged, stat: stat,
            nameStatus: nameStatus, nameOnly: nameOnly, exitCode: exitCode, json: json, codeOnly: codeOnly,
            configOnly: configOnly, showValues: showValues, color: color, context: context)
    }

    func validate() throws {
        if let problem = request.problem { throw ValidationError(problem) }
    }

    func run() throws { try request.run() }
}

/// `lvc diff`'s command line, parsed (by swift-argument-parser or `QuickParse`).
struct DiffRequest: Equatable {
    var states: [String] = []
    var paths: [String] = []
    var staged = false
    var stat = false
    var nameStatus = false
    var nameOnly = false
    var exitCode = false
    var json = false
    var codeOnly = false
    var configOnly = false
    var showValues = false
    var color = "auto"
    var context = 3

    /// What makes the request unusable, worded for the user.
    var problem: String? {
        if !["auto", "always", "never"].contains(color) { return "--color takes auto, always or never" }
        if context < 0 { return "-U takes a number of lines, 0 or more" }
        if codeOnly && configOnly { return "--code-only and --config-only cannot be used together" }
        if staged && !states.isEmpty { return "--staged compares the newest version with $LATEST; give no states" }
        if states.count > 2 { return "give at most two states (paths go after --)" }
        return nil
    }

    func run() throws {
        let repository = try Terminal.openRepository()
        let (a, b): (DiffSide, DiffSide)
        if staged {
            // Before the first version, everything in $LATEST is what publish would freeze.
            let newest = try repository.newestVersion()?.number
            (a, b) = (newest.map(DiffSide.version) ?? .nothingPublished, .latest)
        } else if states.isEmpty {
            (a, b) = (.latest, .folder)
        } else if states.count == 1 {
            (a, b) = (try repository.diffSide(states[0]), .folder)
        } else {
            (a, b) = (try repository.diffSide(states[0]), try repository.diffSide(states[1]))
        }
        let scope = paths.isEmpty ? nil : try repository.relativePaths(paths, cwd: Terminal.currentDirectory)
        let patch = !(stat || nameStatus || nameOnly)
        var result = try repository.diff(a, b, paths: scope, contents: patch || stat || json, publishBaseline: staged)
        if configOnly { result.files = [] }
        if codeOnly || !paths.isEmpty { result.config = [] }  // paths name files: configuration is not one

        let out = PagedOutput()
        let colors = color == "always" || (color == "auto" && Terminal.colorEnabled)
        let renderer = DiffRenderer(context: context, colors: colors, showValues: showValues)
        if json {
            out.line(renderer.json(result).encoded())
        } else if nameOnly {
            for file in result.files { out.line(DiffRenderer.quoted("", file.change.path)) }
        } else if nameStatus {
            for file in result.files { out.line("\(DiffRenderer.letter(file.change))\t\(DiffRenderer.quoted("", file.change.path))") }
        } else if stat {
            renderer.stat(result, into: out)
        } else {
            renderer.patch(result, into: out)
        }
        if !json && !(nameOnly || nameStatus) { renderer.config(result, into: out) }
        out.flush()
        if exitCode && !result.isEmpty { throw ExitCode(1) }
    }
}
