import ArgumentParser
import LVCKit
import LVCStore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what 'lvc add' would stage and what 'lvc publish' would freeze.")

    @Flag(name: .shortAndLong, help: "One line per path: XY PATH (X: $LATEST vs newest version, Y: folder vs $LATEST; ?? not staged yet; C for a configuration key).") var short = false
    @Flag(help: "Machine-readable output.") var json = false

    var request: StatusRequest { StatusRequest(short: short, json: json) }

    func run() throws { try request.run() }
}

/// `lvc status`'s command line, parsed (by swift-argument-parser or `QuickParse`).
struct StatusRequest: Equatable {
    var short = false
    var json = false

    func run() throws {
        let repository = try Terminal.openRepository()
        let report = try repository.status()
        for skipped in report.skipped { Terminal.err("warning: skipped \(skipped.path): \(skipped.reason)") }
        if json { Terminal.out(Self.json(report).encoded()); return }
        let paths = StatusPaths(repository: repository)
        if short { printShort(report, paths); return }
        printLong(report, paths)
    }

    func printShort(_ report: StatusReport, _ paths: StatusPaths) {
        for change in report.staged { Terminal.out("\(DiffRenderer.letter(change))  \(paths.show(change.path))") }
        for change in report.configChanges { Terminal.out("C  config:\(change.key)") }
        for change in report.unstaged {
            let path = paths.show(change.path)
            Terminal.out(change.kind == .added ? "?? \(path)" : " \(DiffRenderer.letter(change)) \(path)")
        }
    }

    func printLong(_ report: StatusReport, _ paths: StatusPaths) {
        if let newest = report.newestVersion {
            Terminal.out("On $LATEST; newest version: \(newest)")
        } else {
            Terminal.out("On $LATEST; no version published yet")
        }
        if report.publishWouldCreate && (!report.staged.isEmpty || !report.configChanges.isEmpty || report.newestVersion == nil) {
            Terminal.out("\nChanges to be published (lvc publish):")
            for change in report.staged {
                Terminal.out("\t" + Terminal.paint("\(Self.label(change)) \(paths.show(change.path))", .green))
            }
            for change in report.configChanges {
                Terminal.out("\t" + Terminal.paint("config:      \(ConfigText.describe(change, showValues: false))", .green))
            }
            if report.staged.isEmpty && report.configChanges.isEmpty {
                Terminal.out("\t(first version: nothing staged yet)")
            }
        } else if report.publishWouldCreate {
            Terminal.out("\n$LATEST was changed and changed back: 'lvc publish' would create a version equal to \(report.newestVersion!)")
        } else {
            Terminal.out("\nnothing to publish: $LATEST equals version \(report.newestVersion!)")
        }
        if !report.unstaged.isEmpty {
            Terminal.out("\nChanges not staged (lvc add):")
            for change in report.unstaged {
                let text = (change.kind == .added ? "new file:   " : Self.label(change)) + " " + paths.show(change.path)
                Terminal.out("\t" + Terminal.paint(text, .red))
            }
        }
    }

    static func label(_ change: TreeChange) -> String {
        switch change.kind {
        case .added: return "new file:   "
        case .deleted: return "deleted:    "
        case .modified:
            if change.isTypeChange { return "typechange: " }
            if let old = change.old, let new = change.new, old.id == new.id { return "mode change:" }
            return "modified:   "
        }
    }

    static func json(_ report: StatusReport) -> JSON {
        func item(_ c: TreeChange) -> JSON {
            .object(["Path": .string(c.pathString), "Change": .string(c.kind.rawValue)])
        }
        var members: [String: JSON] = [
            "Staged": .array(report.staged.map(item)),
            "Unstaged": .array(report.unstaged.map(item)),
            "ConfigChanges": .array(report.configChanges.map { c in
                .object(["Key": .string(c.key), "Old": c.old.map(JSON.string) ?? .null, "New": c.new.map(JSON.string) ?? .null])
            }),
            "PublishWouldCreateVersion": .bool(report.publishWouldCreate),
        ]
        members["NewestVersion"] = report.newestVersion.map { .string(String($0)) } ?? .null
        return .object(members)
    }
}

enum ConfigText {
    static func isSecret(_ key: String) -> Bool { key.hasPrefix("env.") }

    /// One line per change: values with newlines or other control characters are escaped.
    static func describe(_ change: ConfigChange, showValues: Bool) -> String {
        let mask = isSecret(change.key) && !showValues
        switch (change.old.map(Format.oneLine), change.new.map(Format.oneLine)) {
        case (nil, let new?): return mask ? "\(change.key): added" : "\(change.key): added (\(new))"
        case (let old?, nil): return mask ? "\(change.key): removed" : "\(change.key): removed (was \(old))"
        case (let old?, let new?): return mask ? "\(change.key): changed" : "\(change.key): \(old) → \(new)"
        default: return change.key
        }
    }
}
