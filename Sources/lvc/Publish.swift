import ArgumentParser
import LVCKit

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Freeze $LATEST (code + configuration) into the next numbered version.",
        discussion: "If $LATEST has not changed since the newest version, no version is made and that version is returned. The description belongs to the new version only.")

    @Option(name: [.customShort("d"), .long], help: "Description of the new version (≤ 256 characters).") var description: String?
    @Option(name: .customLong("code-sha256"), help: "Precondition: $LATEST's CodeSha256 must be this.") var codeSha256: String?
    @Option(name: .customLong("revision-id"), help: "Precondition: $LATEST's RevisionId must be this.") var revisionId: String?
    @Flag(help: "Print the version as AWS's PublishVersion returns it.") var json = false

    var request: PublishRequest { PublishRequest(description: description, codeSha256: codeSha256, revisionId: revisionId, json: json) }

    func run() throws { try request.run() }
}

/// `lvc publish`'s command line, parsed (by swift-argument-parser or `QuickParse`).
struct PublishRequest: Equatable {
    var description: String?
    var codeSha256: String?
    var revisionId: String?
    var json = false

    func run() throws {
        let repository = try Terminal.openRepository()
        let result = try repository.publish(PublishOptions(description: description, codeSha256: codeSha256, revisionId: revisionId))
        if json {
            Terminal.out(try repository.functionConfiguration(.version(result.version.number)).encoded())
        } else if result.created {
            Terminal.out("Published version \(result.version.number) (CodeSha256 \(result.version.codeSha256))")
        } else {
            Terminal.out("Version \(result.version.number) unchanged: $LATEST has not changed since it was published; no new version")
        }
    }
}
