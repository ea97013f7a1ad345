import Foundation
import Testing

/// Output on a terminal, as git does it: colour and a pager (`LVC_PAGER`, then `PAGER`, then
/// `less -FRX`), never in a pipe; `NO_COLOR` and `--color` respected. `script` (util-linux) runs
/// lvc on a pseudo-terminal.
@Suite struct TerminalTests {
    static let escape = "\u{1B}["

    /// The environment of the other tests, without their NO_COLOR, plus `extra`.
    func environment(_ extra: [String: String]) -> [String: String] {
        var env = Sandbox.fixedEnvironment
        env["NO_COLOR"] = nil
        env["PAGER"] = nil
        env["LVC_PAGER"] = nil
        env["TERM"] = "xterm"
        env.merge(extra) { $1 }
        return env
    }

    /// Runs `lvc ARGUMENTS` on a terminal; what it showed there (stdout and stderr, in order,
    /// without the terminal's carriage returns) and its exit status.
    func onTerminal(_ box: Sandbox, _ arguments: String, _ extra: [String: String] = [:]) throws -> (text: String, status: Int32) {
        let command = "'\(Sandbox.binary)' \(arguments)"
        let output = try box.run("/usr/bin/script", ["-qec", command, "/dev/null"], environment: environment(extra))
        return (output.stdout.replacingOccurrences(of: "\r", with: ""), output.status)
    }

    /// Runs `lvc ARGUMENTS` with stdout a pipe.
    func piped(_ box: Sandbox, _ arguments: [String], _ extra: [String: String] = [:]) throws -> Sandbox.Output {
        try box.run(Sandbox.binary, arguments, environment: environment(extra))
    }

    @Test func pagerOnATerminalOnly() throws {
        let box = try Sandbox.twoExampleVersions()
        let marker = ["LVC_PAGER": "sed s/^/PAGED:/"]
        let paged = try onTerminal(box, "log", marker)
        #expect(paged.status == 0)
        let lines = paged.text.split(separator: "\n")
        #expect(lines.count > 4 && lines.allSatisfy { $0.hasPrefix("PAGED:") }, "\(paged.text)")
        #expect(try onTerminal(box, "diff 1 2", marker).text.hasPrefix("PAGED:"))

        let pipe = try piped(box, ["log"], marker)
        #expect(pipe.status == 0 && pipe.stdout.hasPrefix("version 2") && !pipe.stdout.contains("PAGED:"))

        // LVC_PAGER first, then PAGER; empty or `cat`: no pager.
        #expect(try onTerminal(box, "log", ["PAGER": "sed s/^/VIA-PAGER:/"]).text.hasPrefix("VIA-PAGER:"))
        #expect(try onTerminal(box, "log", ["PAGER": "sed s/^/VIA-PAGER:/", "LVC_PAGER": "sed s/^/LVC:/"]).text.hasPrefix("LVC:"))
        for none in ["", "cat"] {
            let direct = try onTerminal(box, "log", ["LVC_PAGER": none, "PAGER": "sed s/^/VIA-PAGER:/", "NO_COLOR": "1"])
            #expect(direct.text.hasPrefix("version 2"), "LVC_PAGER=\(none): \(direct.text)")
        }
    }

    /// The example function with `count` versions, each changing `index.js`.
    func exampleVersions(_ count: Int) throws -> Sandbox {
        let box = try Sandbox.twoExampleVersions()
        for n in 3...count {
            try box.write("index.js", "v\(n)\n")
            try box.lvc("add")
            try box.lvc("publish")
        }
        return box
    }

    /// `log` hands each version to the pager as soon as it is read; a pager that quits early (here
    /// after one line, as `q` in less) is no error, and lvc stops there.
    @Test func pagerThatQuitsEarly() throws {
        let box = try exampleVersions(6)
        let shown = try onTerminal(box, "log --stat", ["LVC_PAGER": "head -n 1", "NO_COLOR": "1"])
        #expect(shown.status == 0)
        #expect(shown.text == "version 6\n", "\(shown.text)")
        // Without a pager (a pipe) every version is there.
        #expect(try piped(box, ["log", "--stat"]).stdout.components(separatedBy: "\nversion ").count == 6)
    }

    /// A pager that stops reading and then turns out not to have run (exit 127, as the shell says
    /// for a command it cannot find) is not a reader who quit: `log` goes on, and every version
    /// reaches the terminal.
    @Test func pagerThatFailsWhileLogStreams() throws {
        let box = try exampleVersions(8)
        // Closes its input at once, exits 127 a little later.
        let shown = try onTerminal(box, "log --stat", ["LVC_PAGER": "exec 0<&-; sleep 0.3; exit 127", "NO_COLOR": "1"])
        #expect(shown.status == 0)
        #expect(shown.text.contains("warning: the pager"), "\(shown.text)")
        for n in 1...8 { #expect(shown.text.contains("version \(n)\n") || shown.text.contains("version \(n) ("), "version \(n): \(shown.text)") }
    }

    /// A pager that cannot be run does not swallow the output.
    @Test func missingPagerFallsBackToTheTerminal() throws {
        let box = try Sandbox.twoExampleVersions()
        let shown = try onTerminal(box, "log", ["LVC_PAGER": "/nonexistent/pager", "NO_COLOR": "1"])
        #expect(shown.status == 0)
        #expect(shown.text.contains("warning: the pager '/nonexistent/pager' could not be run; printing directly"))
        #expect(shown.text.contains("version 2\n") && shown.text.contains("version 1\n"), "\(shown.text)")

        // The default pager (less) missing, as in a slim container: the text, and no warning.
        let noLess = try onTerminal(box, "log", ["PATH": "/nonexistent", "NO_COLOR": "1"])
        #expect(noLess.status == 0)
        #expect(noLess.text.hasPrefix("version 2\n") && !noLess.text.contains("warning"), "\(noLess.text)")
    }

    @Test func colourOnATerminalUnlessAskedNot() throws {
        let box = try Sandbox.twoExampleVersions()
        let noPager = ["LVC_PAGER": "cat"]
        #expect(try onTerminal(box, "diff 1 2", noPager).text.contains(Self.escape))
        #expect(!(try onTerminal(box, "diff 1 2", noPager.merging(["NO_COLOR": "1"]) { $1 }).text.contains(Self.escape)))
        #expect(!(try onTerminal(box, "diff 1 2 --color=never", noPager).text.contains(Self.escape)))
        #expect(!(try onTerminal(box, "diff 1 2", noPager.merging(["TERM": "dumb"]) { $1 }).text.contains(Self.escape)))
        #expect(!(try piped(box, ["diff", "1", "2"]).stdout.contains(Self.escape)))
        #expect(try piped(box, ["diff", "1", "2", "--color=always"]).stdout.contains(Self.escape))
    }

    /// Long work (staging or exporting hundreds of files) draws a progress line on a terminal's
    /// stderr, never when stderr is a pipe.
    @Test func progressOnATerminalOnly() throws {
        let box = try Sandbox()
        try box.lvc("init")
        for i in 0..<300 { try box.write("src/f\(i).js", "module.exports = \(i);\n") }
        let shown = try onTerminal(box, "add")
        #expect(shown.status == 0)
        #expect(shown.text.contains("Staging files: 100% (300/300)\n"), "\(shown.text)")
        try box.lvc("publish")
        #expect(try onTerminal(box, "export 1 -o ../one.zip").text.contains("Writing package: 100% (300/300)\n"))

        try box.write("src/f0.js", "changed\n")
        let quiet = try box.lvc("export", "LATEST", "-o", "../latest.zip")
        #expect(!quiet.stderr.contains("%"), "\(quiet.stderr)")
        for i in 0..<300 { try box.write("src/g\(i).js", "module.exports = \(i);\n") }
        #expect(!(try box.lvc("add").stderr.contains("Staging files")))
    }
}
