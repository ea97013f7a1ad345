import Foundation
import LVCStore
import Testing

/// The package fixtures of fixtures/zips (made by fixtures/zips/make.py).
enum Fixtures {
    static let repository: URL = {
        var dir = URL(fileURLWithPath: #filePath)
        while dir.path != "/" {
            dir.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("fixtures/zips/make.py").path) { return dir }
        }
        return URL(fileURLWithPath: ".")
    }()

    static func zip(_ name: String) -> String { repository.appendingPathComponent("fixtures/zips/\(name)").path }
    static var helloNode: String { repository.appendingPathComponent("fixtures/hello-node").path }
}

/// A hostile fixture, the entry its message must name, and words of the reason.
struct HostileZip: Sendable, CustomStringConvertible {
    var file: String
    var entry: String?
    var reason: String
    var description: String { file }
}

@Suite struct ImportTests {
    static let hostile: [HostileZip] = [
        .init(file: "slip-dotdot.zip", entry: "../evil.sh", reason: "zip slip"),
        .init(file: "slip-nested.zip", entry: "lib/../../evil.js", reason: "zip slip"),
        .init(file: "slip-absolute.zip", entry: "/tmp/evil.sh", reason: "absolute path"),
        .init(file: "slip-backslash.zip", entry: "..\\evil.sh", reason: "backslash"),
        .init(file: "symlink-escape.zip", entry: "passwd", reason: "leaves the package"),
        .init(file: "symlink-absolute.zip", entry: "lib", reason: "absolute path '/etc', which leaves the package"),
        .init(file: "symlink-opt.zip", entry: "node_modules", reason: "absolute path '/opt/nodejs/node_modules', which leaves the package"),
        .init(file: "symlink-indirect.zip", entry: "x", reason: "leaves the package"),
        .init(file: "through-symlink.zip", entry: "lib/evil.js", reason: "which is a symlink in the archive"),
        .init(file: "duplicate.zip", entry: "index.js", reason: "appears twice"),
        .init(file: "case-clash.zip", entry: "readme.md", reason: "differs only in case from 'README.md'"),
        .init(file: "dot-git.zip", entry: ".git/hooks/post-checkout", reason: "reserved name '.git'"),
        .init(file: "dot-lambda.zip", entry: "sub/.LAMBDA/config", reason: "reserved name '.LAMBDA'"),
        .init(file: "non-utf8.zip", entry: "caf\\xe9.txt", reason: "not UTF-8"),
        .init(file: "encrypted.zip", entry: "secret.txt", reason: "is encrypted"),
        .init(file: "method-bzip2.zip", entry: "index.js", reason: "compression method 12 (bzip2)"),
        .init(file: "truncated.zip", entry: nil, reason: "no end of central directory record"),
        .init(file: "truncated-entry.zip", entry: "a.txt", reason: "runs past the end"),
        .init(file: "corrupt-crc.zip", entry: "index.js", reason: "CRC-32"),
        .init(file: "corrupt-deflate.zip", entry: "lib/util.js", reason: "corrupt compressed data"),
        .init(file: "bomb-ratio.zip", entry: "zeros.bin", reason: "more than 1000:1"),
        .init(file: "bomb-lying-size.zip", entry: "liar.bin", reason: "inflates to more than the 100 bytes"),
        .init(file: "bomb-total.zip", entry: "f1073.bin", reason: "past 1,073,741,824 bytes"),
        .init(file: "bomb-overlap.zip", entry: "b.bin", reason: "shares its bytes with the entry 'a.bin'"),
        .init(file: "too-many-entries.zip", entry: nil, reason: "200,000 entries; lvc imports at most 100,000"),
        .init(file: "special-file.zip", entry: "pipe", reason: "special file"),
        .init(file: "file-and-folder.zip", entry: "lib/x.js", reason: "which is a file in the archive"),
    ]

    /// A function with one published version and an unstaged edit: a store and a folder to protect.
    func published() throws -> Sandbox {
        let box = try Sandbox.publishedExample()
        try box.lvc("show", "LATEST", "--json")  // fills the package cache too
        try box.write("index.js", "edited, not staged\n")
        return box
    }

    func expectRefused(_ box: Sandbox, _ arguments: [String], _ zip: HostileZip, in directory: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try box.snapshot()
        let output = try box.run(Sandbox.binary, arguments, in: directory)
        #expect(output.status == 1, "lvc \(arguments): \(output.stderr)", sourceLocation: sourceLocation)
        let prefix = "lvc: error: cannot import \(Fixtures.zip(zip.file)): "
        #expect(output.stderr.hasPrefix(prefix), "lvc \(arguments): \(output.stderr)", sourceLocation: sourceLocation)
        if let entry = zip.entry {
            #expect(output.stderr.contains("entry '\(entry)' "), "lvc \(arguments): \(output.stderr)", sourceLocation: sourceLocation)
        }
        #expect(output.stderr.contains(zip.reason), "lvc \(arguments): \(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stdout.isEmpty, "lvc \(arguments): \(output.stdout)", sourceLocation: sourceLocation)
        #expect(try box.snapshot() == before, "lvc \(arguments) changed the disk", sourceLocation: sourceLocation)
    }

    /// Every hostile package: a message naming the entry, exit 1, nothing written to `.lambda/` or
    /// the folder, whether staged, extracted, dry-run or used to start a function.
    @Test(arguments: hostile)
    func hostilePackageIsRefused(_ zip: HostileZip) throws {
        let box = try published()
        let file = Fixtures.zip(zip.file)
        try expectRefused(box, ["import", file], zip)
        try expectRefused(box, ["import", "--into-folder", file], zip)
        try expectRefused(box, ["import", "--into-folder", "--force", file], zip)
        try expectRefused(box, ["import", "--dry-run", file], zip)
        let empty = try Sandbox()
        try expectRefused(empty, ["init", "--from", file], zip)
        #expect(!empty.exists(".lambda"))
        try box.expectGitFsckClean()
    }

    /// Extraction never follows a symlink out of the folder: an untracked link where the package
    /// needs a folder is a conflict, and with --force the link itself is replaced.
    @Test func extractionNeverFollowsASymlinkOutOfTheFolder() throws {
        let box = try Sandbox()
        let outside = box.root.deletingLastPathComponent().appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try box.lvc("init")
        try box.symlink("lib", to: outside.path)
        let refused = try box.lvcFails("import", "--into-folder", Fixtures.zip("good-python.zip"))
        #expect(refused.stderr.contains("would be overwritten:\n\tlib\n"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        try box.lvc("import", "--into-folder", "--force", Fixtures.zip("good-python.zip"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        #expect(try box.read("lib/util.js").hasPrefix("module.exports"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: box.path + "/current.js") == "lib/util.js")
    }

    /// Zips made by Python's zipfile, Info-ZIP, on Windows, with data descriptors and with zip64
    /// extra fields: files, modes and symlinks arrive, CodeSha256 is the canonical zip's, and
    /// export reproduces it.
    @Test(arguments: ["good-python.zip", "good-zip-r.zip", "good-windows.zip", "good-descriptor.zip", "good-zip64.zip"])
    func goodPackagesAreImported(_ name: String) throws {
        let box = try Sandbox()
        try box.lvc("init")
        let file = Fixtures.zip(name)
        let output = try box.lvc("import", file)
        let canonical = try #require(output.stdout.split(separator: "\n").first { $0.hasPrefix("CodeSha256 of $LATEST: ") })
            .split(separator: " ")[3]
        let show = try box.json(try box.lvc("show", "LATEST", "--json"))
        #expect(show["CodeSha256"] as? String == String(canonical))
        let exported = try box.lvc("export", "LATEST", "-o", "../out.zip")
        #expect(exported.stdout == "\(canonical)\n")
        let original = try Data(contentsOf: URL(fileURLWithPath: file))
        let originalSha = Data(ByteHasher.digest(original)).base64EncodedString()
        #expect(output.stdout.contains("CodeSha256 of \(file): \(originalSha) (\(original.count) bytes): differs"))
        let listing = try box.lvc("ls", "LATEST").stdout
        switch name {
        case "good-zip-r.zip":
            #expect(listing.contains("100755         29  bootstrap"), "\(listing)")
            #expect(listing.contains("120000          8  main.js"), "\(listing)")
            #expect(try box.lvc("cat", "LATEST:lib/greet.js").stdout == (try String(contentsOfFile: Fixtures.helloNode + "/lib/greet.js", encoding: .utf8)))
        case "good-windows.zip":
            #expect(output.stderr.contains("warning: 2 file(s) carry no Unix mode"))
            #expect(!listing.contains("100755") && !listing.contains("120000"), "\(listing)")
        default:
            #expect(listing.contains("100755         29  bootstrap"), "\(listing)")
            #expect(listing.contains("120000         11  current.js"), "\(listing)")
            #expect(listing.contains("100644          0  empty.txt"), "\(listing)")
            #expect(try box.lvc("cat", "LATEST:lib/café.txt").stdout == "crème brûlée\n")
            #expect(try box.lvc("cat", "LATEST:current.js").stdout == "lib/util.js")
        }
        // The folder was left alone; the objects are sound for lvc and for git.
        #expect(try box.snapshot().keys.allSatisfy { $0.hasPrefix(".lambda") })
        #expect(try box.lvc("fsck").status == 0)
        try box.expectGitFsckClean()
    }

    /// export → import → export gives identical bytes (and the same CodeSha256) for the bundled
    /// example, an example with an executable and a symlink, and a larger tree with duplicate
    /// contents, a multi-chunk compressible file and an incompressible one.
    @Test func exportImportExportIsIdentical() throws {
        let examples = try Sandbox("examples")
        try FileManager.default.copyItem(atPath: Fixtures.helloNode, toPath: examples.path + "/hello-node")
        let rich = examples.path + "/rich"
        try FileManager.default.createDirectory(atPath: rich, withIntermediateDirectories: true)
        try examples.write("rich/index.js", "exports.handler = async () => 1;\n")
        try examples.write("rich/bin/run", "#!/bin/sh\nexec node index.js\n", executable: true)
        try examples.symlink("rich/bin/main.js", to: "../index.js")
        for i in 0..<300 { try examples.write("rich/lib/m\(i % 17)/f\(i).js", "module.exports = \(i % 40);\n") }
        var text = ""
        for i in 0..<200_000 { text += "line \(i % 977) of a large, compressible file\n" }
        try examples.write("rich/data/big.txt", text)
        var random = SplitMix(seed: 7)
        let noise = Data((0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        try noise.write(to: URL(fileURLWithPath: rich + "/data/noise.bin"))

        for folder in [examples.path + "/hello-node", rich] {
            try examples.lvc("init", "--name", "fn", in: folder)
            try examples.lvc("add", in: folder)
            let published = try examples.lvc("publish", in: folder).stdout
            try examples.lvc("export", "1", "-o", "../first.zip", in: folder)
            let first = try Data(contentsOf: URL(fileURLWithPath: folder + "/../first.zip"))

            let copy = try Sandbox("copy")
            let imported = try copy.lvc("init", "--from", folder + "/../first.zip")
            #expect(imported.stdout.contains("the same (it is lvc's canonical zip of these files)"), "\(imported.stdout)")
            try copy.lvc("export", "LATEST", "-o", "../second.zip")
            let second = try Data(contentsOf: copy.root.deletingLastPathComponent().appendingPathComponent("second.zip"))
            #expect(first == second, "export → import → export changed the bytes of \(folder)")
            let republished = try copy.lvc("publish").stdout
            #expect(republished.split(separator: " ").last == published.split(separator: " ").last, "\(republished) vs \(published)")
            #expect(try copy.lvc("status", "--short").stdout.isEmpty)
            #expect(try copy.lvc("fsck").status == 0)
            try copy.expectGitFsckClean()
            // A second import of the same package changes nothing.
            let again = try copy.lvc("import", folder + "/../first.zip")
            #expect(again.stdout.contains("(0 added, 0 updated, 0 removed)"), "\(again.stdout)")
        }
    }

    /// --dry-run lists what would change and writes nothing, not even a lock.
    @Test func dryRunWritesNothing() throws {
        let box = try published()
        let before = try box.snapshot()
        let output = try box.lvc("import", "--dry-run", "--into-folder", "--force", Fixtures.zip("good-python.zip"))
        #expect(try box.snapshot() == before)
        #expect(output.stdout.contains("Would import"))
        #expect(output.stdout.contains("(2 added, 2 updated, 0 removed)"), "\(output.stdout)")
        #expect(output.stdout.contains("\tadded:    empty.txt\n\tadded:    lib/café.txt\n\tupdated:  index.js\n\tupdated:  lib/util.js\n"))
        #expect(output.stdout.contains("\twrite:    index.js\n"))  // edited in the folder: --force discards it
        #expect(!output.stdout.contains("CodeSha256 of $LATEST"))
        // Another lvc holding $LATEST's lock does not stop a dry run.
        _ = FileManager.default.createFile(atPath: box.path + "/.lambda/index.lock", contents: Data())
        try box.lvc("import", "--dry-run", Fixtures.zip("good-python.zip"))
        let locked = try box.lvcFails("import", Fixtures.zip("good-python.zip"))
        #expect(locked.stderr.contains("$LATEST is locked by another lvc"))
    }

    /// --into-folder keeps checkout's rule: unstaged changes are never overwritten (without
    /// --force); identical files are no conflict; files $LATEST had and the package lacks go.
    @Test func intoFolderRefusesToOverwriteUnstagedChanges() throws {
        let box = try published()  // index.js is edited and not staged
        let zip = Fixtures.zip("good-python.zip")
        let before = try box.snapshot()
        let refused = try box.lvcFails("import", "--into-folder", zip)
        #expect(refused.stderr.contains("would be overwritten:\n\tindex.js\n"), "\(refused.stderr)")
        #expect(try box.snapshot() == before)

        try box.lvc("checkout", "LATEST", "--force")  // index.js back to the staged content
        try box.write("empty.txt", "")  // untracked, but exactly the package's content: no conflict
        let output = try box.lvc("import", "--into-folder", "-v", zip)
        #expect(output.stdout.contains("Wrote 3 file(s) into the folder, removed 0\n\twrite:    index.js\n\twrite:    lib/café.txt\n\twrite:    lib/util.js\n"),
                "\(output.stdout)")  // bootstrap and current.js were equal already, empty.txt too
        #expect(try box.read("lib/café.txt") == "crème brûlée\n")
        #expect(try box.read("index.js").contains("statusCode: 200, body: 'hello'"))
        #expect(try box.lvc("status", "--short").stdout == "A  empty.txt\nM  index.js\nA  \"lib/caf\\303\\251.txt\"\nM  lib/util.js\n")
        var st = stat()
        lstat(box.path + "/bootstrap", &st)
        #expect(st.st_mode & 0o777 == 0o755)

        // A file the package lacks is removed from the folder, unless it has unstaged changes.
        try box.lvc("publish")
        let removed = try box.lvc("import", "--into-folder", "-v", Fixtures.zip("good-windows.zip"))
        #expect(removed.stdout.contains("(0 added, 0 updated, 4 removed)"), "\(removed.stdout)")
        #expect(!box.exists("bootstrap") && !box.exists("current.js") && !box.exists("lib/café.txt") && !box.exists("empty.txt"))
        #expect(box.exists("lib/util.js"))
        #expect(try box.lvc("status", "--short").stdout == "D  bootstrap\nD  current.js\nD  empty.txt\nD  \"lib/caf\\303\\251.txt\"\n")
        try box.lvc("checkout", "2", "--force")
        try box.write("bootstrap", "changed\n", executable: true)
        let kept = try box.lvcFails("import", "--into-folder", Fixtures.zip("good-windows.zip"))
        #expect(kept.stderr.contains("\tbootstrap\n"), "\(kept.stderr)")
        try box.lvc("import", "--into-folder", "--force", Fixtures.zip("good-windows.zip"))
        #expect(!box.exists("bootstrap"))
    }

    @Test func initFromAPackage() throws {
        let box = try Sandbox("from-zip")
        let output = try box.lvc("init", "--from", Fixtures.zip("good-zip-r.zip"), "--name", "orders", "--runtime", "nodejs20.x")
        #expect(output.stdout.hasPrefix("Initialized lvc function 'orders'"))
        #expect(try box.read("index.js") == (try String(contentsOfFile: Fixtures.helloNode + "/index.js", encoding: .utf8)))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: box.path + "/main.js") == "index.js")
        #expect(try box.lvc("status", "--short").stdout == "A  bootstrap\nA  index.js\nA  lib/greet.js\nA  main.js\nA  package.json\n")
        #expect(try box.lvc("config", "runtime").stdout == "nodejs20.x\n")
        // A folder holding a different file where the package has one: nothing is created.
        let busy = try Sandbox("busy")
        try busy.write("index.js", "mine\n")
        let before = try busy.snapshot()
        let refused = try busy.lvcFails("init", "--from", Fixtures.zip("good-zip-r.zip"))
        #expect(refused.stderr.contains("differ from the package and would be overwritten:\n\tindex.js\n"), "\(refused.stderr)")
        #expect(try busy.snapshot() == before)
        let missing = try busy.lvcFails("init", "--from", "nope.zip")
        #expect(missing.stderr.hasPrefix("lvc: error: cannot import nope.zip: cannot open it: No such file or directory"))
        #expect(!busy.exists(".lambda"))
        // -q, as git init -q: nothing on stdout, the same store.
        let quiet = try Sandbox("quiet")
        let silent = try quiet.lvc("init", "-q", "--from", Fixtures.zip("good-zip-r.zip"), "--name", "orders")
        #expect(silent.stdout.isEmpty && silent.stderr.isEmpty, "\(silent)")
        #expect(try quiet.lvc("status", "--short").stdout.hasPrefix("A  bootstrap\n"))
        let plain = try Sandbox("plain")
        #expect(try plain.lvc("init", "--quiet").stdout.isEmpty)
        #expect(plain.exists(".lambda/HEAD"))
    }

    /// An empty archive empties $LATEST's code; a folder that already holds the package (unzipped
    /// by hand) is adopted as it is, with its stat data, so status reads nothing.
    @Test func emptyPackagesAndFoldersThatAlreadyMatch() throws {
        let box = try published()
        let empty = box.root.deletingLastPathComponent().appendingPathComponent("empty.zip")
        try Data([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)).write(to: empty)
        let output = try box.lvc("import", empty.path)
        #expect(output.stdout.contains("0 file(s), 0 bytes unzipped (0 added, 0 updated, 4 removed)"), "\(output.stdout)")
        #expect(output.stdout.contains("CodeSha256 of $LATEST: hznHbmgfkAkjuQDJ3w73XPQh05yrtUZQxLmtGbanbYU= (lvc's canonical zip, 22 bytes"))
        #expect(output.stdout.contains("the same"))
        #expect(try box.lvc("ls", "LATEST").stdout.isEmpty)

        let unzipped = try Sandbox("unzipped")
        let unzip = try unzipped.run("/usr/bin/unzip", ["-q", Fixtures.zip("good-zip-r.zip")])
        try #require(unzip.status == 0, "\(unzip.stderr)")
        let before = try unzipped.snapshot()
        let adopted = try unzipped.lvc("init", "--from", Fixtures.zip("good-zip-r.zip"))
        #expect(adopted.stdout.contains("Wrote 0 file(s) into the folder, removed 0"), "\(adopted.stdout)")
        #expect(try unzipped.snapshot().filter { !$0.key.hasPrefix(".lambda") } == before)
        #expect(try unzipped.lvc("status", "--short").stdout == "A  bootstrap\nA  index.js\nA  lib/greet.js\nA  main.js\nA  package.json\n")
        let index = try unzipped.git("ls-files", "--debug", "code/index.js").stdout
        #expect(!index.contains("mtime: 0:0"), "\(index)")
    }

    /// A package with more files than lvc's zips can hold (65,534, no zip64) is refused as a whole.
    @Test func moreFilesThanACanonicalZipHolds() throws {
        let box = try Sandbox()
        try box.lvc("init")
        let zip = box.root.deletingLastPathComponent().appendingPathComponent("many.zip").path
        let script = """
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1], "w") as z:
            for i in range(65535):
                z.writestr(zipfile.ZipInfo(f"f/{i}", (1980, 1, 1, 0, 0, 0)), b"")
        """
        let made = try box.run("/usr/bin/env", ["python3", "-c", script, zip])
        try #require(made.status == 0, "\(made.stderr)")
        let before = try box.snapshot()
        let refused = try box.lvcFails("import", zip)
        #expect(refused.stderr.contains("it holds 65,535 files; lvc's deployment zips hold at most 65,534 (no zip64)"), "\(refused.stderr)")
        #expect(try box.snapshot() == before)
    }
}


