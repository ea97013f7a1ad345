import ArgumentParser
import LVCKit

struct Versions: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "versions", abstract: "List $LATEST and the published versions.")

    @Flag(help: "Print ListVersionsByFunction's {\"Versions\": [...]}, $LATEST first.") var json = false

    func run() throws {
        let repository = try Terminal.openRepository()
        if json { Terminal.out(try repository.listVersionsJSON().encoded()); return }
        let versions = try repository.versions()
        Terminal.out(Terminal.paint("VERSION   LAST MODIFIED                  CODESHA256                                    SIZE  DESCRIPTION", .bold))
        let latest = try repository.readLatest()
        Terminal.out(Self.row("$LATEST", latest.lastModified, "-", nil, latest.configuration.description))
        for v in versions.reversed() {
            Terminal.out(Self.row(String(v.number), v.lastModified, v.codeSha256, v.codeSize, v.configuration.description))
        }
    }

    static func row(_ version: String, _ time: Int64, _ sha: String, _ size: Int?, _ description: String) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        let sizeText = size.map(String.init) ?? "-"
        // One row per version: a description of several lines shows its first, then "…".
        let lines = description.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let shown = lines.count > 1 ? lines[0] + " …" : description
        return pad(version, 10) + pad(Format.date(time), 31) + pad(sha, 44) + String(repeating: " ", count: max(1, 6 - sizeText.count)) + sizeText + "  " + shown
    }
}
