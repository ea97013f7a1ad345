import Foundation
import Testing

/// Every command and flag has help text, and shell completions come from the argument parser.
@Suite struct HelpTests {
    static let commands: [[String]] = [
        ["init"], ["add"], ["status"], ["config"], ["publish"], ["versions"], ["show"], ["ls"], ["cat"],
        ["checkout"], ["export"], ["import"], ["fsck"], ["diff"], ["log"], ["site"],
        ["alias", "create"], ["alias", "update"], ["alias", "delete"], ["alias", "list"], ["alias", "show"],
        ["alias", "history"], ["rollback"], ["promote"], ["delete"], ["prune"], ["gc"],
        ["trigger", "add"], ["trigger", "remove"], ["trigger", "list"],
    ]

    @Test func everyCommandHasHelp() throws {
        let box = try Sandbox()
        let top = try box.lvc("--help").stdout
        for command in Self.commands {
            let help = try box.run(Sandbox.binary, command + ["--help"])
            #expect(help.status == 0)
            let name = command.joined(separator: " ")
            #expect(help.stdout.contains("OVERVIEW: "), "lvc \(name) --help")
            #expect(help.stdout.contains("USAGE: lvc \(name)"), "lvc \(name) --help: \(help.stdout)")
            // Every option line of the command has a description after its name.
            let options = help.stdout.components(separatedBy: "OPTIONS:").last ?? ""
            for line in options.split(separator: "\n") where line.hasPrefix("  -") {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                let hasText = words.contains { !$0.hasPrefix("-") && !$0.hasPrefix("<") && $0 != "," }
                    || line.hasSuffix(">")  // the description wraps to the next line
                #expect(hasText, "lvc \(name): option without help: \(line)")
            }
            #expect(top.contains(command[0]), "lvc --help lists \(command[0])")
        }
        #expect(try box.lvc("help", "diff").stdout.contains("USAGE: lvc diff"))
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(shell: String) throws {
        let box = try Sandbox()
        let script = try box.lvc("--generate-completion-script", shell).stdout
        // fish lists long options without their dashes.
        for word in ["publish", "checkout", "rollback", "staged", "name-only"] {
            #expect(script.contains(word), "\(shell) completion lacks \(word)")
        }
    }
}
