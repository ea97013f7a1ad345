import ArgumentParser
import LVCKit
import LVCStore

@main
struct LVC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lvc",
        abstract: "Lambda Version Control: AWS Lambda's versions and aliases, offline, in your project folder.",
        discussion: """
        lvc keeps a function's code and configuration in .lambda/, a SHA-256 git repository.
        $LATEST is the staging area; publishing freezes it into an immutable, numbered version.

        Global options, before the subcommand: -C DIR runs as if lvc was started in DIR (like git -C),
        and may be repeated; --version prints lvc's version.
        QUALIFIER is $LATEST (also spelled LATEST, which needs no quoting), a version number, or an alias name.
        """,
        subcommands: [
            Init.self, Add.self, Status.self, Config.self, Publish.self, Versions.self, Show.self,
            Ls.self, Cat.self, Checkout.self, Export.self, Import.self, Fsck.self,
            Diff.self, Log.self, Site.self, AliasCommand.self, Rollback.self, Promote.self, Delete.self, Prune.self, Gc.self, TriggerCommand.self,
        ]
    )

    static let version = "0.1.0"

    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        do {
            try Terminal.applyDirectoryOptions(&arguments)
        } catch {
            Terminal.fail(error)
        }
        // `--version` is lvc's, not every subcommand's: given to the argument parser as a
        // configuration version, `lvc alias create PROD --version` (a forgotten number) printed
        // "0.1.0" and succeeded, and every subcommand's help listed a second --version.
        if arguments == ["--version"] {
            print(version)
            return
        }
        do {
            if let quick = QuickParse.command(arguments) {
                try quick()
            } else {
                var command = try parseAsRoot(arguments)
                try command.run()
            }
        } catch let error as LVCError {
            Terminal.fail(error)
        } catch let error as CLIError {
            Terminal.fail(error)
        } catch let error as StoreError {
            Terminal.fail(error)  // the kit names what it was doing; this is a safety net
        } catch {
            exit(withError: error)
        }
    }
}

/// Errors of the command line itself (usage that parses but makes no sense).
struct CLIError: Error, CustomStringConvertible {
    var description: String
    var code: Int32 = 1
}
