import Foundation
import LVCStore
import Testing

@Suite struct WorkflowTests {
    @Test func initStagePublishTwoVersions() throws {
        let box = try Sandbox("my-fn")
        try box.makeExampleFunction()
        let initOut = try box.lvc("init", "--runtime", "nodejs20.x", "--handler", "index.handler")
        #expect(initOut.stdout.contains("my-fn"))
        try box.expectGitFsckClean()

        try box.lvc("add")
        let status = try box.lvc("status", "--short")
        #expect(status.stdout == "A  bootstrap\nA  current.js\nA  index.js\nA  lib/util.js\n")
        let published = try box.lvc("publish", "-d", "first release")
        #expect(published.stdout.hasPrefix("Published version 1"))
        try box.expectGitFsckClean()

        // A one-file change plus a configuration change make version 2.
        try box.write("index.js", "exports.handler = async () => ({statusCode: 201});\n")
        try box.lvc("config", "memory", "256")
        let unstaged = try box.lvc("status", "--short")
        #expect(unstaged.stdout == "C  config:memory\n M index.js\n")
        try box.lvc("add")
        let v2 = try box.json(try box.lvc("publish", "--json"))
        #expect(v2["Version"] as? String == "2")
        #expect(v2["MemorySize"] as? Int == 256)
        #expect(v2["FunctionArn"] as? String == "arn:aws:lambda:us-east-1:123456789012:function:my-fn:2")
        #expect(v2["State"] as? String == "Active")
        try box.expectGitFsckClean()

        // Nothing changed: the newest version comes back, with its own description.
        let again = try box.lvc("publish", "-d", "ignored")
        #expect(again.stdout.contains("Version 2 unchanged"))
        let v1 = try box.json(try box.lvc("show", "1", "--json"))
        #expect(v1["Description"] as? String == "first release")
        #expect(v1["MemorySize"] as? Int == 128)

        // The version's files are exactly what was staged.
        #expect(try box.lvc("cat", "1:index.js").stdout == "exports.handler = async () => ({statusCode: 200});\n")
        #expect(try box.lvc("cat", "2:index.js").stdout == "exports.handler = async () => ({statusCode: 201});\n")
        #expect(try box.lvc("cat", "LATEST:current.js").stdout == "lib/util.js")
        let listing = try box.lvc("ls", "2").stdout
        #expect(listing.contains("100755"))
        #expect(listing.contains("120000"))
        #expect(listing.contains("lib/util.js"))

        // git sees the versions as commits with Lambda-* trailers.
        let log = try box.git("log", "--format=%(trailers:key=Lambda-Version,valueonly)", "refs/heads/main")
        #expect(log.stdout.split(separator: "\n").filter { !$0.isEmpty } == ["2", "1"])
        let refs = try box.git("for-each-ref", "--format=%(refname)", "refs/versions")
        #expect(refs.stdout == "refs/versions/1\nrefs/versions/2\n")
    }

    /// A description given with `publish -d` is the version's: checking the version out gives
    /// `$LATEST` back its own description, and nothing is left to publish.
    @Test func checkoutKeepsAPublishDescriptionWithTheVersion() throws {
        let box = try Sandbox("described")
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.lvc("config", "description", "work in progress")
        try box.lvc("add")
        try box.lvc("publish", "-d", "first release")
        try box.write("index.js", "exports.handler = async () => ({statusCode: 201});\n")
        try box.lvc("add")
        try box.lvc("publish", "-d", "second release")

        try box.lvc("checkout", "1")
        #expect(try box.lvc("config", "description").stdout == "work in progress\n")
        // Against version 2, the code differs and the configuration does not (both versions
        // were published from "work in progress").
        #expect(try box.lvc("status", "--short").stdout == "M  index.js\n")
        #expect(try box.lvc("diff", "--staged", "--name-status").stdout == "M\tindex.js\n")
        try box.lvc("checkout", "2")
        #expect(try box.lvc("status").stdout.contains("nothing to publish: $LATEST equals version 2"))
        #expect(try box.lvc("publish").stdout.contains("Version 2 unchanged"))

        // $LATEST given the version's own description equals the version in every field: AWS
        // returns the existing version for that too.
        try box.lvc("config", "description", "second release")
        #expect(try box.lvc("status").stdout.contains("nothing to publish: $LATEST equals version 2"))
        #expect(try box.lvc("publish").stdout.contains("Version 2 unchanged"))
        #expect(try box.lvc("versions").stdout.split(separator: "\n").count == 4, "header, $LATEST, 2, 1")
        try box.expectGitFsckClean()
    }

    /// Descriptions may hold several lines (AWS only limits their length): listings stay one row
    /// per item, `log` indents every line as git does, JSON keeps the text as it is.
    @Test func multiLineDescriptionsKeepListingsIntact() throws {
        let box = try Sandbox.publishedExample()
        try box.write("index.js", "v2\n")
        try box.lvc("add")
        try box.lvc("publish", "-d", "first line\nsecond line")
        let table = try box.lvc("versions").stdout.split(separator: "\n")
        #expect(table.count == 4, "header, $LATEST, 2, 1: \(table)")
        #expect(table[2].hasSuffix("  first line …"))
        #expect(try box.lvc("log", "-n", "1").stdout.hasSuffix("\n    first line\n    second line\n"))
        #expect(try box.json(try box.lvc("show", "2", "--json"))["Description"] as? String == "first line\nsecond line")
        #expect(try box.lvc("show", "2").stdout.contains("\nDescription: first line\\nsecond line\n"))

        try box.lvc("config", "description", "staged\nwork")
        #expect(try box.lvc("config").stdout.hasPrefix("description=staged\\nwork\n"))
        #expect(try box.lvc("config", "description").stdout == "staged\nwork\n", "one key: as it is")
        #expect(try box.lvc("status").stdout.contains("\tconfig:      description:  → staged\\nwork\n"))
        #expect(try box.lvc("diff", "--staged", "--config-only").stdout == "configuration:\n\tdescription:  → staged\\nwork\n")

        try box.lvc("alias", "create", "PROD", "2", "-d", "live\ttraffic\nsince today")
        #expect(try box.lvc("alias", "list").stdout == "PROD -> 2  \"live\\ttraffic\\nsince today\"\n")
        #expect(try box.lvc("alias", "show", "PROD").stdout.contains("Description: live\\ttraffic\\nsince today\n"))
    }

    @Test func versionsJSONMirrorsListVersionsByFunction() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init", "--runtime", "python3.12", "--handler", "app.handler", "--region", "eu-west-1", "--account", "111122223333")
        try box.lvc("add")
        try box.lvc("publish")
        let list = try box.json(try box.lvc("versions", "--json"))
        let versions = try #require(list["Versions"] as? [[String: Any]])
        #expect(versions.map { $0["Version"] as? String } == ["$LATEST", "1"])
        #expect(versions[0]["FunctionArn"] as? String == "arn:aws:lambda:eu-west-1:111122223333:function:fn:$LATEST")
        #expect(versions[1]["State"] == nil, "ListVersionsByFunction items omit State")
        #expect(versions[0]["CodeSha256"] as? String == versions[1]["CodeSha256"] as? String)
        // Unqualified show is GetFunction without a qualifier: unqualified ARN, Version $LATEST.
        let unqualified = try box.json(try box.lvc("show", "--json"))
        #expect(unqualified["FunctionArn"] as? String == "arn:aws:lambda:eu-west-1:111122223333:function:fn")
        #expect(unqualified["Version"] as? String == "$LATEST")
    }

    @Test func revisionIdChangesAsOnAWS() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        func latestRevision() throws -> String { try box.json(try box.lvc("show", "$LATEST", "--json"))["RevisionId"] as! String }
        let r0 = try latestRevision()
        try box.lvc("add")
        let r1 = try latestRevision()
        #expect(r0 != r1, "staging a change gives $LATEST a new RevisionId")
        #expect(try latestRevision() == r1, "reading does not change it")
        try box.lvc("add")
        #expect(try latestRevision() == r1, "staging nothing new does not change it")
        let v1 = try box.json(try box.lvc("publish", "--json"))
        let r2 = try latestRevision()
        #expect(r2 != r1, "a publish that creates a version changes $LATEST's RevisionId")
        try box.lvc("publish")
        #expect(try latestRevision() == r2, "a no-op publish does not")
        let again = try box.json(try box.lvc("show", "1", "--json"))
        #expect(again["RevisionId"] as? String == v1["RevisionId"] as? String)

        // Preconditions, with AWS's wording.
        let wrongRevision = try box.lvcFails("publish", "--revision-id", "nope")
        #expect(wrongRevision.stderr.contains("PreconditionFailedException: The Revision Id provided does not match the latest Revision Id"))
        try box.write("index.js", "changed\n")
        try box.lvc("add")
        let wrongSha = try box.lvcFails("publish", "--code-sha256", "AAAA")
        #expect(wrongSha.stderr.contains("CodeSHA256 (AAAA) is different from current CodeSHA256 in $LATEST"))
        let sha = try box.json(try box.lvc("show", "LATEST", "--json"))["CodeSha256"] as! String
        let rev = try latestRevision()
        let v2 = try box.json(try box.lvc("publish", "--code-sha256", sha, "--revision-id", rev, "--json"))
        #expect(v2["Version"] as? String == "2")
    }

    @Test func exportIsCanonicalAndMatchesRecordedCodeSha256() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.write("big.txt", String(repeating: "lambda lambda lambda\n", count: 2000))
        try box.lvc("init")
        try box.lvc("add")
        let version = try box.json(try box.lvc("publish", "--json"))
        let first = try box.lvc("export", "1", "-o", "../a.zip")
        let second = try box.lvc("export", "1", "-o", "../b.zip")
        let a = try Data(contentsOf: box.root.deletingLastPathComponent().appendingPathComponent("a.zip"))
        let b = try Data(contentsOf: box.root.deletingLastPathComponent().appendingPathComponent("b.zip"))
        #expect(a == b, "same tree, same bytes")
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.trimmingCharacters(in: .newlines) == version["CodeSha256"] as? String)
        #expect(a.count == version["CodeSize"] as? Int)
        // Independent check of the hash and of the zip's content with Info-ZIP.
        let openssl = try box.run("/usr/bin/env", ["python3", "-c", "import hashlib,base64,sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1],\"rb\").read()).digest()).decode())", "../a.zip"])
        #expect(openssl.stdout.trimmingCharacters(in: .newlines) == version["CodeSha256"] as? String)
        let listing = try box.run("/usr/bin/unzip", ["-Z", "../a.zip"])
        #expect(listing.stdout.contains("-rwxr-xr-x"))
        #expect(listing.stdout.contains("lrwxrwxrwx"))
        #expect(listing.stdout.contains("80-Jan-01 00:00"))
        let test = try box.run("/usr/bin/unzip", ["-t", "../a.zip"])
        #expect(test.status == 0, "unzip -t: \(test.stdout)")
    }

    @Test func checkoutRestoresAVersionAndRefusesToLoseWork() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish")
        try box.write("index.js", "v2\n")
        try box.write("new.js", "added in v2\n")
        try FileManager.default.removeItem(atPath: box.path + "/lib/util.js")
        try box.lvc("config", "timeout", "30")
        try box.lvc("add")
        try box.lvc("publish")

        try box.write("index.js", "local edit\n")
        let refused = try box.lvcFails("checkout", "1")
        #expect(refused.stderr.contains("index.js"))
        #expect(try box.read("index.js") == "local edit\n", "nothing was overwritten")

        try box.lvc("checkout", "1", "--force")
        #expect(try box.read("index.js") == "exports.handler = async () => ({statusCode: 200});\n")
        #expect(try box.read("lib/util.js").contains("add"))
        #expect(!box.exists("new.js"))
        #expect(try box.lvc("config", "timeout").stdout == "3\n", "configuration comes back too")
        // Folder == $LATEST == version 1; publishing would freeze version 1's state over version 2.
        #expect(try box.lvc("status", "--short").stdout == "M  index.js\nA  lib/util.js\nD  new.js\nC  config:timeout\n")
        let st = try FileManager.default.attributesOfItem(atPath: box.path + "/bootstrap")
        #expect((st[.posixPermissions] as? Int) == 0o755)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: box.path + "/current.js") == "lib/util.js")

        try box.lvc("checkout", "2")
        #expect(try box.read("new.js") == "added in v2\n")
        #expect(!box.exists("lib/util.js"))
        try box.expectGitFsckClean()
    }

    @Test func forcedCheckoutRestoresEveryLocalEdit() throws {
        let box = try Sandbox.twoExampleVersions()
        // lib/util.js is the same in both versions; a local edit of it is restored by --force only.
        try box.write("lib/util.js", "local edit\n")
        try FileManager.default.removeItem(atPath: box.path + "/bootstrap")
        try box.lvc("checkout", "1", "--force")
        #expect(try box.read("lib/util.js").contains("add"))
        #expect(FileManager.default.isExecutableFile(atPath: box.path + "/bootstrap"))
        #expect(try box.lvc("status", "--short").stdout == "M  index.js\n", "folder equals $LATEST, which equals version 1")
        // checkout LATEST restores the folder from $LATEST without touching $LATEST.
        try FileManager.default.removeItem(atPath: box.path + "/index.js")
        try box.lvc("checkout", "LATEST")
        #expect(try box.read("index.js") == "exports.handler = async () => ({statusCode: 200});\n")
    }

    /// `checkout --force` looks only at tracked files (their folders opened one by one, never
    /// through a symlink): a tracked folder replaced by a link to elsewhere is restored as a
    /// folder, and what the link pointed at is not touched.
    @Test func forcedCheckoutDoesNotFollowAFolderReplacedByALink() throws {
        let box = try Sandbox.twoExampleVersions()
        let outside = box.root.deletingLastPathComponent().appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try "not lvc's\n".write(to: outside.appendingPathComponent("util.js"), atomically: true, encoding: .utf8)
        let original = try box.read("lib/util.js")
        try FileManager.default.removeItem(atPath: box.path + "/lib")
        try box.symlink("lib", to: outside.path)
        try box.lvc("checkout", "2", "--force")
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: box.path + "/lib", isDirectory: &isFolder) && isFolder.boolValue)
        #expect(try box.read("lib/util.js") == original)
        #expect(try String(contentsOf: outside.appendingPathComponent("util.js"), encoding: .utf8) == "not lvc's\n")
        #expect(try box.lvc("status", "--short").stdout.isEmpty)
    }

    /// Where the version has a file and the folder has a folder, checkout removes the tracked files
    /// in it and folders holding no file, but never files it does not track, even with --force
    /// (git would delete them): it refuses before changing anything, and names them.
    @Test func checkoutNeverDeletesUntrackedFilesInAFolderInTheWay() throws {
        let box = try Sandbox()
        try box.write("lib", "a file in version 1\n")
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish")
        try FileManager.default.removeItem(atPath: box.path + "/lib")
        try box.write("lib/a.js", "version 2\n")
        try box.lvc("add")
        try box.lvc("publish")
        try box.write("lib/notes/mine.txt", "not tracked\n")
        try FileManager.default.createDirectory(atPath: box.path + "/lib/empty/deeper", withIntermediateDirectories: true)
        let before = try box.snapshot()
        for force in [true, false] {
            let refused = try box.run(Sandbox.binary, ["checkout", "1"] + (force ? ["--force"] : []))
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("1 has a file where the function folder has a folder, and that folder holds files lvc does not track:\n\tlib/notes/mine.txt\n"), "\(refused.stderr)")
            #expect(try box.snapshot() == before, "nothing changed")
        }
        try FileManager.default.removeItem(atPath: box.path + "/lib/notes/mine.txt")
        try box.lvc("checkout", "1")  // lib/a.js goes, and the folders that hold no file
        #expect(try box.read("lib") == "a file in version 1\n")
        #expect(try box.run(Sandbox.binary, ["diff", "1", ".", "--exit-code"]).status == 0, "the folder is version 1")
    }

    @Test func ignoreFileAndReservedFolders() throws {
        let box = try Sandbox()
        try box.write("index.js", "x\n")
        try box.write("node_modules/a/index.js", "dep\n")
        try box.write("tests/t.js", "test\n")
        try box.write("keep.log", "kept\n")
        try box.write("drop.log", "dropped\n")
        try box.write(".lambdaignore", "# comment\ntests/\n*.log\n!keep.log\n")
        try box.write(".git/config", "not ours\n")
        try box.write("sub/.GIT/x", "never\n")
        try box.lvc("init")
        try box.lvc("add")
        let files = try box.lvc("ls", "LATEST").stdout
        #expect(files.contains("index.js"))
        #expect(files.contains("node_modules/a/index.js"))
        #expect(files.contains("keep.log"))
        #expect(!files.contains("drop.log"))
        #expect(!files.contains("tests/"))
        #expect(!files.contains(".git"))
        #expect(!files.contains(".GIT"))
        #expect(!files.contains(".lambdaignore"))
    }

    @Test func worksFromASubfolderAndWithDashC() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.lvc("add", in: box.path + "/lib")
        // Paths relative to the current folder, as git status gives them and lvc add takes them.
        let lib = box.path + "/lib"
        #expect(try box.lvc("status", "--short", in: lib).stdout == "A  ../bootstrap\nA  ../current.js\nA  ../index.js\nA  util.js\n")
        try box.write("lib/util.js", "changed\n")
        try box.write("notes.txt", "new\n")
        #expect(try box.lvc("status", "--short", in: lib).stdout.hasSuffix("A  util.js\n M util.js\n?? ../notes.txt\n"))
        try box.lvc("add", "util.js", "../notes.txt", in: lib)
        #expect(try box.lvc("status", "--short", in: lib).stdout.hasSuffix("A  util.js\nA  ../notes.txt\n"))
        #expect(try box.lvc("status", in: lib).stdout.contains("\tnew file:    ../notes.txt\n"))
        let other = try box.run(Sandbox.binary, ["-C", box.path, "status", "--short"], in: "/")
        #expect(other.status == 0)
        #expect(other.stdout.contains("A  index.js"))
        // Paths are relative to where lvc runs.
        try box.write("lib/more.js", "more\n")
        try box.lvc("add", "more.js", in: box.path + "/lib")
        #expect(try box.lvc("ls", "LATEST", "lib").stdout.contains("lib/more.js"))
        // ls takes a path from where it runs, like add and diff (and git ls-tree); cat's PATH is
        // from the function folder unless it starts with ./ or ../ (git's REV:PATH rule).
        #expect(try box.lvc("ls", "LATEST", "more.js", in: lib).stdout.hasSuffix("  lib/more.js\n"))
        #expect(try box.lvc("ls", "LATEST", "../index.js", in: lib).stdout.hasSuffix("  index.js\n"))
        #expect(try box.lvc("ls", "LATEST", ".", in: lib).stdout.split(separator: "\n").count == 2)
        #expect(try box.lvc("ls", "LATEST", in: lib).stdout.contains("bootstrap"))  // no path: everything
        #expect(try box.lvcFails("ls", "LATEST", "../../x", in: lib).stderr.contains("outside the function folder"))
        #expect(try box.lvc("cat", "LATEST:./more.js", in: lib).stdout == "more\n")
        #expect(try box.lvc("cat", "LATEST:lib/more.js", in: lib).stdout == "more\n")
        #expect(try box.lvc("cat", "LATEST:../index.js", in: lib).stdout.hasPrefix("exports.handler"))
        #expect(try box.lvcFails("cat", "LATEST:more.js", in: lib).stderr.contains("no such file in $LATEST"))
    }
}

@Suite struct PackageCacheTests {
    /// CodeSha256 is hashed from a checkpoint before the first changed file (PackageCheckpoints).
    /// After every kind of change, at any place in the zip, the resumed digest must equal the
    /// SHA-256 of the exported zip (export never resumes); so must it with the checkpoints damaged.
    @Test func resumedDigestsEqualFullHashes() throws {
        let box = try Sandbox()
        var rng = SplitMix(seed: 0x5EED_C0DE)
        func randomBytes(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        func writeBinary(_ path: String, _ count: Int) throws {
            let url = box.root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try randomBytes(count).write(to: url)
        }
        // About 6 MiB of incompressible files, so the zip has several 1 MiB checkpoints.
        var files = [String]()
        for i in 0..<60 {
            let path = "pkg\(i % 7)/mod\(i).bin"
            try writeBinary(path, 40_000 + Int(rng.next() % 120_000))
            files.append(path)
        }
        try box.write("index.js", "exports.handler = async () => 1;\n")
        try box.lvc("init")
        try box.lvc("add")
        let checkpoints = box.path + "/.lambda/lvc/package-cache/checkpoints"
        for round in 1...14 {
            let pick = files[Int(rng.next() % UInt64(files.count))]
            switch round % 7 {
            case 0: try writeBinary(pick, 1000 + Int(rng.next() % 50_000))  // change a file's size
            case 1: try writeBinary("pkg\(round % 7)/new\(round).bin", 30_000); files.append("pkg\(round % 7)/new\(round).bin")
            case 2: try FileManager.default.removeItem(atPath: box.path + "/" + pick); files.removeAll { $0 == pick }
            case 3: try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: box.path + "/" + pick)
            case 4: try box.symlink("aaa-link-\(round)", to: pick)  // sorts first: the whole zip moves
            case 5: try box.write("zzz-last-\(round).txt", "the end\n")  // only the tail changes
            default:
                // Same size, different bytes: only the checkpoint chain can tell.
                let data = try Data(contentsOf: box.root.appendingPathComponent(pick))
                try randomBytes(data.count).write(to: box.root.appendingPathComponent(pick))
            }
            if round == 9 {
                var bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoints))
                bytes[bytes.count / 2] ^= 0x40  // a damaged checkpoint file must be ignored
                try bytes.write(to: URL(fileURLWithPath: checkpoints))
            }
            if round == 11 {
                // Checkpoints without the cache they were made from: the prefix cannot be resumed.
                for name in ["data", "index"] {
                    try FileManager.default.removeItem(atPath: box.path + "/.lambda/lvc/package-cache/" + name)
                }
            }
            try box.lvc("add")
            let latest = try box.json(try box.lvc("show", "LATEST", "--json"))["CodeSha256"] as? String
            let published = try box.json(try box.lvc("publish", "--json"))
            let sha = published["CodeSha256"] as? String
            let version = try #require(published["Version"] as? String)
            #expect(FileManager.default.fileExists(atPath: checkpoints))
            let zip = box.root.deletingLastPathComponent().appendingPathComponent("v\(version).zip").path
            let exported = try box.lvc("export", version, "-o", zip).stdout.trimmingCharacters(in: .newlines)
            var hasher = ByteHasher()
            hasher.update(try Data(contentsOf: URL(fileURLWithPath: zip)))
            let actual = hasher.finalize()
            let base64 = Data(actual).base64EncodedString()
            #expect(sha == base64, "round \(round): publish's CodeSha256 differs from the exported zip's")
            #expect(latest == base64, "round \(round): $LATEST's CodeSha256 differs from the exported zip's")
            #expect(exported == base64)
        }
        try box.expectGitFsckClean()
    }

    /// The compressed-entry cache only saves time: without it, or with it damaged, every
    /// CodeSha256 and every exported byte stays the same.
    @Test func cacheNeverChangesAPackage() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        for i in 0..<50 { try box.write("data/f\(i).txt", String(repeating: "row \(i)\n", count: 200)) }
        try box.lvc("init")
        try box.lvc("add")
        let sha = try box.json(try box.lvc("publish", "--json"))["CodeSha256"] as? String
        let cache = box.path + "/.lambda/lvc/package-cache"
        #expect(FileManager.default.fileExists(atPath: cache + "/index"))
        let fresh = try box.lvc("export", "1", "-o", "../a.zip").stdout
        try FileManager.default.removeItem(atPath: cache)
        #expect(try box.lvc("export", "1", "-o", "../b.zip").stdout == fresh)
        // Damage the cached data: export reads and checks every blob, so the zip stays right.
        var data = try Data(contentsOf: URL(fileURLWithPath: cache + "/data"))
        for i in stride(from: 0, to: data.count, by: 97) { data[i] ^= 0x55 }
        try data.write(to: URL(fileURLWithPath: cache + "/data"))
        #expect(try box.lvc("export", "1", "-o", "../c.zip").stdout == fresh)
        let a = try Data(contentsOf: box.root.deletingLastPathComponent().appendingPathComponent("a.zip"))
        let c = try Data(contentsOf: box.root.deletingLastPathComponent().appendingPathComponent("c.zip"))
        #expect(a == c)
        #expect(fresh.trimmingCharacters(in: .newlines) == sha)
        // A torn index record is ignored.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: cache + "/index"))
        handle.seekToEndOfFile()
        handle.write(Data(repeating: 7, count: 20))
        try handle.close()
        try box.write("index.js", "v2\n")
        try box.lvc("add")
        let v2 = try box.json(try box.lvc("publish", "--json"))["CodeSha256"] as? String
        #expect(try box.lvc("export", "2", "-o", "../d.zip").stdout.trimmingCharacters(in: .newlines) == v2)
    }
}
