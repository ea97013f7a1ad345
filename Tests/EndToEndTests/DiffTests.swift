import Foundation
import Testing

/// `lvc diff` and `lvc log`, checked against git's own output where git can compute the same thing.
@Suite struct DiffTests {
    /// Two versions that differ in every way a file can: text, mode, symlink target, added,
    /// deleted, renamed (a deletion plus an addition), missing final newline, binary.
    /// With `quirks`, also files whose names git quotes in its output, and a file that becomes a
    /// symlink (git's type change: a deletion and an addition).
    func twoVersions(quirks: Bool = false) throws -> Sandbox {
        let box = try Sandbox()
        try box.write("f.txt", (1...20).map { "line \($0)" }.joined(separator: "\n") + "\n")
        try box.write("nonl.txt", "no newline")
        try box.write("gone.txt", "deleted in v2\n")
        try box.write("old-name.js", "moved\n")
        try box.write("run.sh", "#!/bin/sh\n")
        try box.symlink("link", to: "f.txt")
        try Data([0, 1, 2, 3]).write(to: box.root.appendingPathComponent("b.bin"))
        for name in Self.oddNames where quirks { try box.write(name, "odd\n") }
        if quirks {
            try Data(Self.latin1).write(to: box.root.appendingPathComponent("latin1.txt"))
            try box.write("kind.js", "a file\n")
            try box.write("emptied.txt", "content\n")
            try box.write("empty-gone.txt", "")
        }
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish", "-d", "one")
        var lines = (1...20).map { "line \($0)" }
        lines[1] = "line two"; lines[15] = "line sixteen"; lines.append("line 21")
        try box.write("f.txt", lines.joined(separator: "\n") + "\n")
        try box.write("nonl.txt", "still no newline")
        try FileManager.default.removeItem(atPath: box.path + "/gone.txt")
        try FileManager.default.moveItem(atPath: box.path + "/old-name.js", toPath: box.path + "/new-name.js")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: box.path + "/run.sh")
        try FileManager.default.removeItem(atPath: box.path + "/link")
        try box.symlink("link", to: "nonl.txt")
        try Data([0, 1, 2, 3, 4]).write(to: box.root.appendingPathComponent("b.bin"))
        try box.write("added.txt", "new\n")
        for name in Self.oddNames where quirks { try box.write(name, "odd\nchanged\n") }
        if quirks {
            try Data(Self.latin1 + Self.latin1).write(to: box.root.appendingPathComponent("latin1.txt"))
            try FileManager.default.removeItem(atPath: box.path + "/kind.js")
            try box.symlink("kind.js", to: "f.txt")
            try box.write("emptied.txt", "")
            try FileManager.default.removeItem(atPath: box.path + "/empty-gone.txt")
            try box.write("empty-new.txt", "")
        }
        try box.lvc("config", "memory", "256")
        try box.lvc("config", "env.DB_PASSWORD", "hunter2")
        try box.lvc("add")
        try box.lvc("publish", "-d", "two")
        return box
    }

    /// "café" in Latin-1, a line that is not UTF-8: a patch must carry its bytes as they are.
    static let latin1: [UInt8] = [0x63, 0x61, 0x66, 0xE9, 0x0A]

    /// Names git quotes (a quote, a backslash, bytes above 0x7F) or ends with a tab (a space).
    static let oddNames = ["sp ace.txt", "quo\"te.txt", "back\\slash.txt", "café.txt"]

    @Test func patchIsGitsForTextFiles() throws {
        let box = try twoVersions(quirks: true)
        let ours = try box.lvc("diff", "1", "2", "--code-only").stdout
        let git = try box.git("diff", "--no-color", "--no-renames", "refs/versions/1", "refs/versions/2", "--", "code/").stdout
            .replacingOccurrences(of: "a/code/", with: "a/").replacingOccurrences(of: "b/code/", with: "b/")
        // git's binary line has no sizes; everything else must be byte for byte the same.
        let gitWithSizes = git.replacingOccurrences(of: "Binary files a/b.bin and b/b.bin differ", with: "Binary files a/b.bin and b/b.bin differ (4 → 5 bytes)")
        #expect(ours == gitWithSizes)
        #expect(ours.contains("deleted file mode 100644"))
        #expect(ours.contains("new file mode 100644"))
        #expect(ours.contains("old mode 100644\nnew mode 100755"))
        #expect(ours.contains("\\ No newline at end of file"))
        #expect(ours.contains("diff --git \"a/caf\\303\\251.txt\" \"b/caf\\303\\251.txt\"\n"))
        #expect(ours.contains("--- a/sp ace.txt\t\n"))
        #expect(ours.contains("diff --git a/kind.js b/kind.js\ndeleted file mode 100644\n"))
        #expect(ours.contains("diff --git a/kind.js b/kind.js\nnew file mode 120000\n"))
        #expect(ours.contains("diff --git a/empty-new.txt b/empty-new.txt\nnew file mode 100644\nindex 0000000..473a0f4\ndiff --git"))
        // The name lists and --stat are git's too (quoting, the width of the counts, Bin lines).
        for form in ["--name-only", "--name-status", "--stat"] {
            let lines = try box.lvc("diff", "1", "2", form, "--code-only").stdout
            let gits = try box.git("diff", form, "--no-renames", "refs/versions/1", "refs/versions/2", "--", "code/").stdout
                .replacingOccurrences(of: "code/", with: "")
            #expect(lines == gits, "\(form)")
        }
        // Contents that are not UTF-8 are written byte for byte (the function context too), so the
        // patch is git's and applies.
        let latin = Array(try box.lvc("diff", "1", "2", "--", "latin1.txt").stdoutBytes)
        var gitLatin = Array(try box.git("diff", "refs/versions/1", "refs/versions/2", "--", "code/latin1.txt").stdoutBytes)
        let code = Array("code/".utf8)
        var i = 0
        while i + code.count <= gitLatin.count {  // the paths without git's code/ folder
            if Array(gitLatin[i..<(i + code.count)]) == code { gitLatin.removeSubrange(i..<(i + code.count)) } else { i += 1 }
        }
        #expect(latin == gitLatin)
        #expect(latin.suffix(12) == ArraySlice(Array(" caf".utf8) + [0xE9, 0x0A] + Array("+caf".utf8) + [0xE9, 0x0A]))
        // -U 0: hunks that only insert take their function context from the line they follow.
        let unified0 = try box.lvc("diff", "1", "2", "-U", "0", "--", "f.txt").stdout
        #expect(unified0.contains("@@ -20,0 +21 @@ line 20\n+line 21\n"))
        #expect(unified0 == (try box.git("diff", "-U0", "refs/versions/1", "refs/versions/2", "--", "code/f.txt").stdout
            .replacingOccurrences(of: "/code/", with: "/")))
        // A mode change alone: no line counted, and git's summary for that.
        let modeOnly = try box.lvc("diff", "1", "2", "--stat", "--", "run.sh").stdout
        #expect(modeOnly == " run.sh | 0\n 1 file changed, 0 insertions(+), 0 deletions(-)\n")
        #expect(modeOnly == (try box.git("diff", "--stat", "refs/versions/1", "refs/versions/2", "--", "code/run.sh").stdout
            .replacingOccurrences(of: "code/", with: "")))
    }

    /// A file that becomes a symlink is git's type change: `T` in `status --short` and
    /// `--name-status`, "typechange:" in the long status, as `git status` writes them.
    @Test func typeChangeInStatus() throws {
        let box = try Sandbox.publishedExample()
        try FileManager.default.removeItem(atPath: box.path + "/index.js")
        try box.symlink("index.js", to: "lib/util.js")
        #expect(try box.lvc("status", "--short").stdout == " T index.js\n")
        #expect(try box.lvc("diff", "--name-status").stdout == "T\tindex.js\n")
        try box.lvc("add")
        #expect(try box.lvc("status", "--short").stdout == "T  index.js\n")
        #expect(try box.lvc("status").stdout.contains("\ttypechange:  index.js\n"))
        #expect(try box.lvc("diff", "--staged", "--name-status").stdout == "T\tindex.js\n")
    }

    @Test func modesStatNamesAndConfig() throws {
        let box = try twoVersions()
        #expect(try box.lvc("diff", "1", "2", "--name-only", "--code-only").stdout
                == "added.txt\nb.bin\nf.txt\ngone.txt\nlink\nnew-name.js\nnonl.txt\nold-name.js\nrun.sh\n")
        #expect(try box.lvc("diff", "1", "2", "--name-status", "--code-only").stdout
                == "A\tadded.txt\nM\tb.bin\nM\tf.txt\nD\tgone.txt\nM\tlink\nA\tnew-name.js\nM\tnonl.txt\nD\told-name.js\nM\trun.sh\n")
        let stat = try box.lvc("diff", "1", "2", "--stat", "--code-only").stdout
        #expect(stat.contains(" b.bin       | Bin 4 -> 5 bytes\n"))
        #expect(stat.contains(" f.txt       |   5 +++--\n"), "counts as wide as Bin, as git aligns them")
        #expect(stat.hasSuffix(" 9 files changed, 7 insertions(+), 6 deletions(-)\n"))
        let config = try box.lvc("diff", "1", "2", "--config-only").stdout
        #expect(config == "configuration:\n\tdescription: one → two\n\tmemory: 128 → 256\n\tenv.DB_PASSWORD: added\n")
        #expect(try box.lvc("diff", "1", "2", "--config-only", "--show-values").stdout.contains("env.DB_PASSWORD: added (hunter2)"))
        #expect(!(try box.lvc("diff", "1", "2", "--json").stdout.contains("hunter2")), "values are masked in JSON too")
        // Paths after -- limit the diff.
        #expect(try box.lvc("diff", "1", "2", "--name-only", "--code-only", "--", "f.txt").stdout == "f.txt\n")
        // Context lines.
        #expect(try box.lvc("diff", "1", "2", "-U", "0", "--", "f.txt").stdout.contains("@@ -2 +2 @@ line 1\n-line 2\n+line two\n"))
    }

    @Test func exitCodeBothWaysAndDefaults() throws {
        let box = try twoVersions()
        #expect(try box.run(Sandbox.binary, ["diff", "1", "2", "--exit-code"]).status == 1)
        #expect(try box.run(Sandbox.binary, ["diff", "2", "LATEST", "--exit-code", "--code-only"]).status == 0)
        // Version 2 has its publish -d description, $LATEST its own: a true difference, but not
        // one that publish would freeze, so --staged does not show it.
        #expect(try box.lvc("diff", "2", "LATEST", "--config-only").stdout == "configuration:\n\tdescription: two → \n")
        #expect(try box.run(Sandbox.binary, ["diff", "--exit-code"]).status == 0, "folder == $LATEST")
        #expect(try box.run(Sandbox.binary, ["diff", "--staged", "--exit-code"]).status == 0)
        try box.write("f.txt", "edited\n")
        let unstaged = try box.run(Sandbox.binary, ["diff", "--name-status"])
        #expect(unstaged.stdout == "M\tf.txt\n")
        #expect(try box.run(Sandbox.binary, ["diff", "--exit-code"]).status == 1)
        try box.lvc("add")
        #expect(try box.lvc("diff", "--staged", "--name-status").stdout == "M\tf.txt\n")
        #expect(try box.lvc("diff", "2", ".", "--name-status").stdout == "M\tf.txt\n")
        // Piped output has no colour unless asked.
        #expect(!(try box.lvc("diff", "1", "2").stdout.contains("\u{1B}[")))
        #expect(try box.lvc("diff", "1", "2", "--color", "always").stdout.contains("\u{1B}[32m+"))
    }

    @Test func logWithAndWithoutStat() throws {
        let box = try twoVersions()
        try box.lvc("alias", "create", "PROD", "2", "--weight", "1=0.25")
        let log = try box.lvc("log").stdout
        #expect(log.hasPrefix("version 2 (PROD (75%))\n"))
        #expect(log.contains("version 1 (PROD (25%))\n"))
        #expect(log.contains("\n    two\n"))
        let stat = try box.lvc("log", "--stat", "-n", "1").stdout
        #expect(stat.contains(" 9 files changed"))
        #expect(!stat.contains("version 1"))
        // A deleted version still shows while its history is in the store.
        try box.lvc("alias", "update", "PROD", "--no-weight")
        try box.lvc("delete", "1")
        let json = try box.lvc("log", "--json").stdoutBytes
        let entries = try #require(JSONSerialization.jsonObject(with: json) as? [[String: Any]])
        #expect(entries.map { $0["Version"] as? String } == ["2", "1"])
        #expect(entries.map { $0["Deleted"] as? Bool } == [false, true])
        #expect(try box.lvc("log").stdout.contains("version 1 (deleted)"))
    }

    /// Before the first version, `--staged` shows everything `$LATEST` holds as added: what the
    /// first publish would freeze.
    @Test func stagedBeforeTheFirstVersion() throws {
        let box = try Sandbox("first")
        try box.makeExampleFunction()
        try box.lvc("init", "--runtime", "nodejs20.x")
        #expect(try box.run(Sandbox.binary, ["diff", "--staged", "--exit-code"]).status == 1, "the runtime is new")
        try box.lvc("add")
        let names = try box.lvc("diff", "--staged", "--name-status", "--code-only").stdout
        #expect(names == "A\tbootstrap\nA\tcurrent.js\nA\tindex.js\nA\tlib/util.js\n", "\(names)")
        #expect(try box.lvc("diff", "--staged", "--config-only").stdout == "configuration:\n\truntime: added (nodejs20.x)\n")
        try box.lvc("publish")
        #expect(try box.run(Sandbox.binary, ["diff", "--staged", "--exit-code"]).status == 0)
    }

    @Test func badInput() throws {
        let box = try twoVersions()
        for args in [["diff", "9", "1"], ["diff", "1", "NOPE"], ["log", "9"]] {
            let out = try box.run(Sandbox.binary, args)
            #expect(out.status != 0)
            #expect(out.stderr.contains("Function not found"), "\(args): \(out.stderr)")
        }
        #expect(try box.lvcFails("diff", "1", "2", "3").stderr.contains("at most two states"))
        let id = try box.git("rev-parse", "refs/versions/2:code/f.txt").stdout.trimmingCharacters(in: .newlines)
        let path = "\(box.path)/.lambda/objects/\(id.prefix(2))/\(id.dropFirst(2))"
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try box.lvcFails("diff", "1", "2").stderr.contains("object \(id) is corrupt"))
    }

    /// Random edits, with and without final newlines: every patch lvc prints applies with
    /// `git apply` and gives exactly the new file.
    @Test func patchesApplyWithGit() throws {
        var rng = SplitMix(seed: 20261127)
        let box = try Sandbox()
        try box.write("f.txt", "x\n")
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish")
        let scratch = box.root.deletingLastPathComponent().appendingPathComponent("apply")
        for round in 0..<30 {
            func text() -> String {
                let count = Int(rng.next() % 12)
                var lines = (0..<count).map { _ in ["alpha", "beta", "gamma", "delta", "}", ""][Int(rng.next() % 6)] }
                if lines.isEmpty { lines = ["only"] }
                return lines.joined(separator: "\n") + (rng.next() % 3 == 0 ? "" : "\n")
            }
            let old = text(), new = text()
            try box.write("f.txt", old)
            try box.lvc("add")
            try box.lvc("publish")
            let v1 = round * 2 + 2
            try box.write("f.txt", new)
            try box.lvc("add")
            try box.lvc("publish")
            let patch = try box.lvc("diff", String(v1), String(v1 + 1), "--code-only", "-U", String(rng.next() % 4)).stdout
            try? FileManager.default.removeItem(at: scratch)
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            try Data(old.utf8).write(to: scratch.appendingPathComponent("f.txt"))
            try Data(patch.utf8).write(to: scratch.appendingPathComponent("p.patch"))
            if old != new {
                let applied = try box.run("/usr/bin/git", ["apply", "--unidiff-zero", "p.patch"], in: scratch.path)
                #expect(applied.status == 0, "round \(round): \(applied.stderr)\n\(patch)")
            } else {
                #expect(patch.isEmpty)
            }
            #expect(try String(contentsOf: scratch.appendingPathComponent("f.txt"), encoding: .utf8) == new, "round \(round):\n\(patch)")
        }
    }
}
