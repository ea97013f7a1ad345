import ArgumentParser
import Testing

@testable import lvc

/// `QuickParse` reads the plain forms of the hot commands without swift-argument-parser. Whatever
/// it accepts must mean exactly what swift-argument-parser makes of the same line; what it does
/// not accept goes to swift-argument-parser, so declining is always safe, and agreeing is checked
/// here over thousands of generated lines per command.
@Suite(.serialized) struct QuickParseTests {
    /// A deterministic generator (SplitMix64), so that a failure names a line that fails again.
    struct Lines: Sequence, IteratorProtocol {
        var state: UInt64
        let vocabulary: [String]
        var remaining: Int

        init(_ vocabulary: [String], count: Int, seed: UInt64) {
            self.vocabulary = vocabulary
            self.remaining = count
            self.state = seed
        }

        mutating func random(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }

        mutating func next() -> [String]? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return (0..<random(7)).map { _ in vocabulary[random(vocabulary.count)] }
        }
    }

    /// Tokens every command sees besides its own: help, completion, unknown and odd forms.
    static let common = ["--help", "-h", "help", "--generate-completion-script", "bash", "--bogus", "-x", "", "-", "--", "x y"]

    /// Checks `quick` against swift-argument-parser over generated lines; returns how many lines
    /// the quick reader accepted, so each test can insist that it is not declining everything.
    func agree<Command: ParsableCommand, Request: Equatable>(
        _ command: Command.Type, vocabulary: [String], seed: UInt64,
        quick: ([String]) -> Request?, request: (Command) -> Request
    ) -> Int {
        defer { Diff.commandLine = CommandLine.arguments }
        var accepted = 0
        for line in Lines(vocabulary + Self.common, count: 6000, seed: seed) {
            guard let fast = quick(line) else { continue }
            accepted += 1
            Diff.commandLine = ["lvc", Command._commandName] + line
            let parsed: Command
            do {
                parsed = try Command.parse(line)
            } catch {
                Issue.record("QuickParse accepted \(line), swift-argument-parser refused it: \(Command.message(for: error))")
                continue
            }
            #expect(request(parsed) == fast, "\(line)")
        }
        return accepted
    }

    @Test func diffAgrees() {
        let vocabulary = ["1", "2", "$LATEST", "LATEST", ".", "PROD", "src/app.js", "--staged", "--stat",
                          "--name-status", "--name-only", "--exit-code", "--json", "--code-only", "--config-only",
                          "--show-values", "--color", "always", "never", "auto", "purple", "--color=never", "-U", "0",
                          "7", "-2", "-U5", "--stat=1", "--"]
        let accepted = agree(Diff.self, vocabulary: vocabulary, seed: 1, quick: QuickParse.diff) { $0.request }
        #expect(accepted > 500)
    }

    @Test func statusAgrees() {
        let vocabulary = ["-s", "--short", "--json", "-sj", "--short=1", "."]
        let accepted = agree(Status.self, vocabulary: vocabulary, seed: 2, quick: QuickParse.status) { $0.request }
        #expect(accepted > 500)
    }

    @Test func addAgrees() {
        let vocabulary = ["-v", "--verbose", "src", "a b.js", ".", "-vv", "--verbose=true", "$LATEST"]
        let accepted = agree(Add.self, vocabulary: vocabulary, seed: 3, quick: QuickParse.add) { $0.request }
        #expect(accepted > 500)
    }

    @Test func publishAgrees() {
        let vocabulary = ["-d", "--description", "first release", "--code-sha256", "abc=", "--revision-id", "r-1",
                          "--json", "-d=x", "--description=x", "-dx", "2"]
        let accepted = agree(Publish.self, vocabulary: vocabulary, seed: 4, quick: QuickParse.publish) { $0.request }
        #expect(accepted > 300)
    }

    @Test func checkoutAgrees() {
        let vocabulary = ["1", "2", "$LATEST", "PROD", "-f", "--force", "-fq", "--force=yes", "3"]
        let accepted = agree(Checkout.self, vocabulary: vocabulary, seed: 5, quick: QuickParse.checkout) { $0.request }
        #expect(accepted > 300)
    }

    /// The forms a developer types every day take the quick way; requests for help, completion
    /// scripts and unknown commands never do.
    @Test func everydayFormsAreQuickAndHelpIsNot() {
        let quick: [[String]] = [
            ["status"], ["status", "-s"], ["add"], ["add", "src"], ["publish"], ["publish", "-d", "fix"],
            ["checkout", "1", "--force"], ["diff"], ["diff", "--staged"], ["diff", "1", "2"],
            ["diff", "1", "2", "--stat"], ["diff", "-U", "5", "PROD", "$LATEST", "--", "src/app.js"],
        ]
        for line in quick { #expect(QuickParse.command(line) != nil, "\(line)") }
        let standard: [[String]] = [
            [], ["help"], ["--help"], ["diff", "--help"], ["status", "-h"], ["--generate-completion-script", "bash"],
            ["versions"], ["diff", "--color=never"], ["diff", "1", "2", "3"], ["checkout"], ["publish", "-d"],
            ["add", "--", "-weird"], ["diff", "--code-only", "--config-only"], ["status", "--short", "--short"],
        ]
        for line in standard { #expect(QuickParse.command(line) == nil, "\(line)") }
    }
}
