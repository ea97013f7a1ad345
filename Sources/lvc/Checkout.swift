import ArgumentParser
import LVCKit

struct Checkout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkout",
        abstract: "Make $LATEST and the folder equal to a version (code and configuration).",
        discussion: "Refuses to overwrite changes that are not staged unless --force. Never writes outside the folder or through a symlink.")

    @Argument(help: "$LATEST (also LATEST), a version number or an alias.") var qualifier: String
    @Flag(name: .shortAndLong, help: "Discard changes that are not staged.") var force = false

    var request: CheckoutRequest { CheckoutRequest(qualifier: qualifier, force: force) }

    func run() throws { try request.run() }
}

/// `lvc checkout`'s command line, parsed (by swift-argument-parser or `QuickParse`).
struct CheckoutRequest: Equatable {
    var qualifier: String
    var force = false

    func run() throws {
        let repository = try Terminal.openRepository()
        let parsed = try repository.qualifier(qualifier)
        let result = try repository.checkout(parsed, force: force)
        if !result.written.isEmpty || !result.removed.isEmpty {
            Terminal.err("\(parsed): \(result.written.count) file(s) written, \(result.removed.count) removed")
        }
    }
}
