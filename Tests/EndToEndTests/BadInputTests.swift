import Foundation
import LVCStore
import Testing

/// Every bad input: a clear message, a non-zero exit status, and nothing changed on disk.
@Suite struct BadInputTests {
    /// A function with one published version, ready to be abused.
    func published() throws -> Sandbox { try Sandbox.publishedExample() }

    func expectRefused(_ box: Sandbox, _ arguments: [String], message: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try box.snapshot()
        let output = try box.run(Sandbox.binary, arguments)
        #expect(output.status != 0, "lvc \(arguments) should fail", sourceLocation: sourceLocation)
        #expect(output.stderr.contains(message), "lvc \(arguments): \(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stderr.hasPrefix("lvc: error: ") || output.stderr.hasPrefix("Error: ") || output.stderr.hasPrefix("error: "),
                "lvc \(arguments): \(output.stderr)", sourceLocation: sourceLocation)
        #expect(try box.snapshot() == before, "lvc \(arguments) changed the disk", sourceLocation: sourceLocation)
    }

    @Test func unknownQualifiers() throws {
        let box = try published()
        let missing = "Function not found: arn:aws:lambda:us-east-1:123456789012:function:fn:9"
        for args in [["show", "9"], ["cat", "9:index.js"], ["checkout", "9"], ["export", "9"], ["ls", "9"]] {
            try expectRefused(box, args, message: missing)
        }
        try expectRefused(box, ["show", "$latest"], message: "function:fn:$latest")
        try expectRefused(box, ["show", "0"], message: "Function not found")
        try expectRefused(box, ["cat", "1:nope.js"], message: "no such file in 1")
        try expectRefused(box, ["cat", "1:lib"], message: "refusing 'lib': is a folder in 1, not a file; 'lvc ls 1 lib' lists it")
        try expectRefused(box, ["cat", "index.js"], message: "expected QUALIFIER:PATH")
        // cat finds one path by walking only the trees on it (a version) or by a binary search
        // (the index of $LATEST): both must say what a full listing says.
        try box.write("lib/deep/er/x.js", "deep\n")
        try box.write("lib-2.js", "sorts between lib and lib/\n")
        try box.lvc("add")
        try box.lvc("publish")
        for qualifier in ["2", "LATEST"] {
            #expect(try box.lvc("cat", "\(qualifier):lib/deep/er/x.js").stdout == "deep\n")
            #expect(try box.lvc("cat", "\(qualifier):/lib/util.js").stdout.hasPrefix("module.exports"))
            #expect(try box.lvc("cat", "\(qualifier):current.js").stdout == "lib/util.js", "a link gives its target")
            #expect(try box.lvc("cat", "\(qualifier):lib-2.js").stdout.hasPrefix("sorts"))
            for folder in ["lib", "lib/", "lib/deep", "lib/deep/er/", ""] {
                try expectRefused(box, ["cat", "\(qualifier):\(folder)"], message: "is a folder in")
            }
            for missing in ["lib/nope.js", "index.js/", "index.js/x", "lib/util.js/x", "lib/deep/e", "li", "lib/../index.js", ".git/config"] {
                try expectRefused(box, ["cat", "\(qualifier):\(missing)"], message: "no such file in")
            }
            // As git: a path from the function folder, or from the current folder with ./ or ../
            try expectRefused(box, ["cat", "\(qualifier):../index.js"], message: "outside the function folder")
        }
    }

    @Test func configurationOutOfRange() throws {
        let box = try published()
        let cases: [([String], String)] = [
            (["memory", "20000"], "Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240"),
            (["memory", "64"], "Member must have value greater than or equal to 128"),
            (["memory", "lots"], "Value 'lots' at 'memorySize'"),
            (["timeout", "0"], "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1"),
            (["timeout", "901"], "Member must have value less than or equal to 900"),
            (["ephemeral-storage", "100"], "at 'ephemeralStorage.size'"),
            (["architecture", "sparc"], "Member must satisfy enum value set: [x86_64, arm64]"),
            (["runtime", "cobol85"], "Value 'cobol85' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set"),
            (["role", "admin"], "at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern"),
            (["handler", "a b"], "at 'handler'"),
            (["description", String(repeating: "x", count: 257)], "Member must have length less than or equal to 256"),
            (["env.1BAD", "x"], "Map keys must satisfy constraint"),
            (["env.AWS_REGION", "x"], "reserved keys"),
            (["env.BIG", String(repeating: "v", count: 4100)], "exceeded the 4KB limit"),
            (["layers", (1...6).map { "arn:aws:lambda:us-east-1:123456789012:layer:l\($0):1" }.joined(separator: ",")], "Cannot reference more than 5 layers."),
            (["layers", "arn:aws:lambda:us-east-1:123456789012:layer:l:1,arn:aws:lambda:us-east-1:123456789012:layer:l:2"], "Two different versions of the same layer"),
            (["colour", "blue"], "unknown configuration key 'colour'"),
        ]
        for (args, message) in cases {
            try expectRefused(box, ["config"] + args, message: message)
        }
        try expectRefused(box, ["publish", "-d", String(repeating: "d", count: 300)], message: "at 'description'")
        try expectRefused(box, ["init", "--name", "bad name!"], message: "already")
    }

    @Test func outsideAStore() throws {
        let box = try Sandbox()
        for args in [["status"], ["add"], ["publish"], ["versions"], ["fsck"]] {
            try expectRefused(box, args, message: "not an lvc function folder")
        }
        try expectRefused(box, ["init", "--name", "bad name!"], message: "at 'functionName'")
        try expectRefused(box, ["init", "--runtime", "nodejs1"], message: "at 'runtime'")
        try expectRefused(box, ["init", "--region", "mars"], message: "at 'region'")
        #expect(!box.exists(".lambda"))

        // A .lambda that is not a store: said so, not "already an lvc function".
        try box.write(".lambda", "not a store\n")
        try expectRefused(box, ["status"], message: "/.lambda is a file, not an lvc store")
        try expectRefused(box, ["init"], message: "/.lambda exists and is not an lvc store (it is a file); move it away")
        try FileManager.default.removeItem(atPath: box.path + "/.lambda")
        try FileManager.default.createDirectory(atPath: box.path + "/.lambda", withIntermediateDirectories: false)
        try expectRefused(box, ["init"], message: "(it is a folder without lvc's config file)")
        try expectRefused(box, ["status"], message: "is not an lvc store: no config file")
    }

    @Test func initTwiceChangesNothing() throws {
        let box = try published()
        try expectRefused(box, ["init"], message: "already an lvc function")
    }

    @Test func pathsOutsideTheFolderOrReserved() throws {
        let box = try published()
        try box.write("index.js", "changed\n")
        try expectRefused(box, ["add", "../elsewhere"], message: "outside the function folder")
        try expectRefused(box, ["add", "/etc/passwd"], message: "outside the function folder")
        try expectRefused(box, ["add", ".git/config"], message: "reserved names")
        try expectRefused(box, ["add", "x/.LAMBDA/y"], message: "reserved names")
        try expectRefused(box, ["add", "nothing-here.js"], message: "did not match any file")
    }

    @Test func specialFilesAreSkippedWithAWarning() throws {
        let box = try published()
        #expect(mkfifo(box.path + "/pipe", 0o644) == 0)
        let output = try box.lvc("add")
        #expect(output.stderr.contains("warning: skipped pipe: special file"))
        #expect(!(try box.lvc("ls", "LATEST").stdout.contains("pipe")))
        // Names a Lambda package cannot carry: skipped by name (escaped), the rest is staged.
        for name in [Array("caf".utf8) + [0xE9] + Array(".js".utf8), Array("new\nline.js".utf8)] {
            let fd = open((Array(box.path.utf8) + [UInt8(ascii: "/")] + name + [0]).map { CChar(bitPattern: $0) }, O_CREAT | O_WRONLY, 0o644)
            #expect(fd >= 0)
            close(fd)
        }
        try box.write("café.js", "fine\n")
        let names = try box.lvc("add")
        #expect(names.stderr.contains("warning: skipped caf\\xe9.js: a name must be UTF-8"), "\(names.stderr)")
        #expect(names.stderr.contains("warning: skipped new\\x0aline.js: a name cannot contain control characters"))
        #expect(try box.lvc("ls", "LATEST").stdout.contains("  \"caf\\303\\251.js\"\n"), "quoted as git ls-tree quotes it")
        #expect(try box.lvc("ls", "LATEST", "--json").stdout.contains("\"Path\": \"café.js\""))
        #expect(try box.lvc("status", "--short").stdout == "A  \"caf\\303\\251.js\"\n", "the skipped names are not offered again")
    }

    @Test func secondProcessGetsALockedError() throws {
        let box = try published()
        try box.write("index.js", "changed\n")
        #expect(FileManager.default.createFile(atPath: box.path + "/.lambda/index.lock", contents: Data()))
        for args in [["add"], ["publish"], ["config", "memory", "256"], ["checkout", "1", "--force"]] {
            try expectRefused(box, args, message: "$LATEST is locked by another lvc (\(box.path)/.lambda/index.lock); if no lvc is running, remove it")
        }
        let fsck = try box.lvc("fsck")
        #expect(fsck.stderr.contains("index.lock"))
    }

    @Test func corruptObjectsAreNamed() throws {
        let box = try published()
        let id = try box.git("rev-parse", "refs/versions/1:code/index.js").stdout.trimmingCharacters(in: .newlines)
        let path = "\(box.path)/.lambda/objects/\(id.prefix(2))/\(id.dropFirst(2))"
        // Replace the object with another valid zlib stream: the hash check must catch it.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try Data(Zlib.deflate(Array("blob 5\0evil!".utf8))).write(to: URL(fileURLWithPath: path))
        try expectRefused(box, ["cat", "1:index.js"], message: "object \(id) is corrupt")
        try expectRefused(box, ["export", "1", "-o", "../x.zip"], message: "object \(id) is corrupt")
        try expectRefused(box, ["fsck"], message: "object \(id)")
        // Garbage instead of zlib.
        try Data("not zlib at all".utf8).write(to: URL(fileURLWithPath: path))
        try expectRefused(box, ["cat", "1:index.js"], message: "object \(id) is corrupt")
        // Missing.
        try FileManager.default.removeItem(atPath: path)
        try expectRefused(box, ["cat", "1:index.js"], message: "object \(id) is missing")
        try expectRefused(box, ["fsck"], message: "missing object \(id)")
    }

    /// Damaged text records give an error or are read as written, never a crash (both of these
    /// crashed lvc once: a config line with no key, an alias record with a line of spaces).
    @Test func damagedRecordsAreNotCrashes() throws {
        let box = try published()
        let config = try box.read(".lambda/config")
        let line = config.split(separator: "\n", omittingEmptySubsequences: false).count
        for stray in ["=", "\t= stray"] {  // git: "bad config line"
            try box.write(".lambda/config", config + stray + "\n")
            for args in [["status"], ["versions"], ["add"]] {
                try expectRefused(box, args, message: ".lambda/config is corrupt: bad config line \(line): a value without a name")
            }
        }
        try box.write(".lambda/config", config)

        // The alias record, rewritten with a line of spaces in front (as a hand edit might).
        try box.lvc("alias", "create", "PROD", "1")
        let gitDirectory = box.path + "/.lambda"
        let objects = ObjectStore(objectsDirectory: gitDirectory + "/objects", temporaryDirectory: gitDirectory + "/lvc/tmp")
        let refs = Refs(gitDirectory: gitDirectory)
        let stateID = try #require(try refs.resolve("refs/lvc/state"))
        let state = try Commit.decode(try objects.read(stateID, as: .commit))
        let aliases = try #require(try objects.readTree(state.tree).entry(named: Array("aliases".utf8)))
        let record = try #require(try objects.readTree(aliases.id).entry(named: Array("PROD".utf8)))
        let damaged = try objects.write(.blob, Array("   \n".utf8) + (try objects.read(record.id, as: .blob)))
        let aliasTree = try objects.write(Tree(entries: [TreeEntry(name: Array("PROD".utf8), mode: .file, id: damaged)]))
        let root = try objects.write(Tree(entries: [TreeEntry(name: Array("aliases".utf8), mode: .directory, id: aliasTree)]))
        let commit = try objects.write(Commit(tree: root, parents: [stateID], author: state.author, committer: state.committer,
                                              message: "hand edit\n"))
        try refs.lock("refs/lvc/state").update(to: commit, expecting: .value(stateID))
        let listed = try box.lvc("alias", "list")
        #expect(listed.stdout.contains("PROD"), "\(listed.stdout)")
    }

    /// A version whose tree was crafted (with git's own tools bypassed) to hold a dangerous name.
    func craftVersion(_ box: Sandbox, number: Int, entries: [TreeEntry]) throws {
        let objects = ObjectStore(objectsDirectory: box.path + "/.lambda/objects", temporaryDirectory: box.path + "/.lambda/lvc/tmp")
        // Tree.init sorts; write the encoded body directly so that even unsortable names go in.
        var body = [UInt8]()
        for e in entries { body += Array("\(e.mode.octal) ".utf8) + e.name + [0] + e.id.bytes }
        let code = try objects.write(.tree, body)
        let configBlob = try objects.write(.blob, Array("{}\n".utf8))
        let root = try objects.write(Tree(entries: [TreeEntry(name: Array("code".utf8), mode: .directory, id: code),
                                                   TreeEntry(name: Array("function.json".utf8), mode: .file, id: configBlob)]))
        let sig = Signature(name: "x", email: "x@y", time: 1700000000)
        let commit = try objects.write(Commit(tree: root, parents: [], author: sig, committer: sig,
                                              message: "Publish version \(number)\n\nLambda-Version: \(number)\n"))
        try Data((commit.hex + "\n").utf8).write(to: URL(fileURLWithPath: "\(box.path)/.lambda/refs/versions/\(number)"))
    }

    @Test func craftedTreesAreRefusedOnCheckout() throws {
        let box = try published()
        let blob = ObjectHasher.id(of: .blob, body: Array("pwned\n".utf8))
        _ = try ObjectStore(objectsDirectory: box.path + "/.lambda/objects", temporaryDirectory: box.path + "/.lambda/lvc/tmp")
            .write(.blob, Array("pwned\n".utf8))
        let names = ["..", ".git", ".GIT", ".lambda", "a\\b", "new\nline"]
        for (n, name) in names.enumerated() {
            try craftVersion(box, number: 10 + n, entries: [TreeEntry(name: Array(name.utf8), mode: .file, id: blob)])
            try expectRefused(box, ["checkout", String(10 + n), "--force"], message: "unsafe name")
            try expectRefused(box, ["export", String(10 + n), "-o", "../x.zip"], message: "unsafe name")
            // fsck names the version (after a warning: main is not on the crafted version).
            let before = try box.snapshot()
            let fsck = try box.lvcFails("fsck")
            #expect(fsck.stderr.contains("\nerror: refs/versions/\(10 + n): its code holds a name that checkout and export refuse: "),
                    "\(fsck.stderr)")
            #expect(try box.snapshot() == before)
        }
        #expect(!FileManager.default.fileExists(atPath: box.root.deletingLastPathComponent().path + "/x.zip"))
    }

    @Test func checkoutNeverWritesThroughASymlink() throws {
        let box = try Sandbox()
        let outside = box.root.deletingLastPathComponent().appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try box.write("index.js", "v1\n")
        try box.write("lib/x.js", "inside\n")
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish")
        // Version 2: lib is a symlink to a folder outside the function.
        try FileManager.default.removeItem(atPath: box.path + "/lib")
        try box.symlink("lib", to: outside.path)
        try box.lvc("add")
        try box.lvc("publish")
        // Going back to version 1 must replace the link by a folder, not write into `outside`.
        try box.lvc("checkout", "1")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        #expect(try box.read("lib/x.js") == "inside\n")
        var st = stat()
        lstat(box.path + "/lib", &st)
        #expect((st.st_mode & S_IFMT) == S_IFDIR)
        // And an untracked symlink where a version wants a folder is not silently followed.
        try box.lvc("checkout", "2")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: box.path + "/lib") == outside.path)
    }

    @Test func checkoutKeepsUntrackedFilesAndUnpublishedWork() throws {
        let box = try published()  // version 1 has lib/util.js
        try box.write("index.js", "v2\n")
        try FileManager.default.removeItem(atPath: box.path + "/lib")
        try box.lvc("add")
        try box.lvc("publish")  // version 2 has no lib/
        try box.write("lib", "an untracked file where version 1 has a folder\n")
        try expectRefused(box, ["checkout", "1"], message: "lib")
        #expect(try box.read("lib").hasPrefix("an untracked file"))

        try FileManager.default.removeItem(atPath: box.path + "/lib")
        try box.write("index.js", "staged but never published\n")
        try box.lvc("add")
        try expectRefused(box, ["checkout", "1"], message: "$LATEST has staged changes that no version holds")
        try box.lvc("checkout", "1", "--force")
        #expect(try box.read("lib/util.js").contains("add"))
    }

    @Test func explicitPathsThroughSymlinksOrIgnored() throws {
        let box = try published()
        let outside = box.root.deletingLastPathComponent().appendingPathComponent("secret")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("secret\n".utf8).write(to: outside.appendingPathComponent("key.txt"))
        try box.symlink("ext", to: outside.path)
        try expectRefused(box, ["add", "ext/key.txt"], message: "beyond a symbolic link")
        try box.write(".lambdaignore", "node_modules/\n")
        try box.write("node_modules/x/index.js", "dep\n")
        try expectRefused(box, ["add", "node_modules"], message: "ignored by .lambdaignore")
        try expectRefused(box, ["add", "node_modules/x/index.js"], message: "ignored by .lambdaignore")
    }

    @Test func craftedIndexPathsAreRefused() throws {
        let box = try published()
        let blob = try box.run("/bin/sh", ["-c", "echo pwned | git --git-dir=.lambda hash-object -w --stdin"]).stdout
            .trimmingCharacters(in: .newlines)
        let update = try box.git("update-index", "--add", "--cacheinfo", "100644,\(blob),code/../escaped.txt")
        if update.status != 0 {
            // git itself refuses such a path: write it with lvc's own index writer instead.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: box.path + "/.lambda/index"))
            var index = try Index.decode(Array(bytes))
            var entries = index.entries
            entries.append(IndexEntry(path: Array("code/../escaped.txt".utf8), id: try #require(ObjectID(hex: blob)), mode: .file))
            index.setEntries(entries)
            try Data(index.encode()).write(to: URL(fileURLWithPath: box.path + "/.lambda/index"))
        }
        try expectRefused(box, ["checkout", "LATEST", "--force"], message: "unsafe path")
        try expectRefused(box, ["export", "LATEST", "-o", "../x.zip"], message: "unsafe path")
        #expect(!FileManager.default.fileExists(atPath: box.root.deletingLastPathComponent().path + "/escaped.txt"))
    }

    @Test func interruptedPublishIsRepairedByTheNext() throws {
        let box = try published()
        let v1 = try box.git("rev-parse", "refs/versions/1").stdout
        try box.write("index.js", "v2\n")
        try box.lvc("add")
        try box.lvc("publish")
        // Simulate a crash after the commit point: main still on version 1.
        try Data(v1.utf8).write(to: URL(fileURLWithPath: box.path + "/.lambda/refs/heads/main"))
        #expect(try box.lvc("fsck").stderr.contains("refs/heads/main: points at version 1, not the newest version 2"))
        let again = try box.lvc("publish")
        #expect(again.stdout.contains("Version 2 unchanged"))
        #expect(try box.git("rev-parse", "refs/heads/main").stdout == box.git("rev-parse", "refs/versions/2").stdout)
        try box.write("index.js", "v3\n")
        try box.lvc("add")
        try box.lvc("publish")
        #expect(try box.git("rev-parse", "refs/versions/3^").stdout == box.git("rev-parse", "refs/versions/2").stdout)
    }

    /// lvc does not read HEAD, but git needs it to open the store at all: fsck reports it.
    @Test func fsckReportsWhatGitNeedsToOpenTheStore() throws {
        let box = try published()
        let head = box.path + "/.lambda/HEAD"
        try FileManager.default.removeItem(atPath: head)
        #expect(try box.git("log").status != 0, "git cannot open the store without HEAD")
        let missing = try box.lvcFails("fsck")
        #expect(missing.stderr.contains("error: HEAD: is missing, so git does not recognise .lambda as a repository"), "\(missing.stderr)")
        try Data("garbage\n".utf8).write(to: URL(fileURLWithPath: head))
        #expect(try box.lvcFails("fsck").stderr.contains("error: HEAD: is not a reference git can read"))
        try Data("ref: refs/heads/main\n".utf8).write(to: URL(fileURLWithPath: head))
        #expect(try box.lvc("fsck").status == 0)
        try box.expectGitFsckClean()
    }

    /// A publish that fails after its commit point (here: `refs/heads/main` locked) says that the
    /// version exists, and the next publish finishes it without making another.
    @Test func publishFailingAfterItsCommitPointSaysTheVersionExists() throws {
        let box = try published()
        try box.write("index.js", "v2\n")
        try box.lvc("add")
        let lock = box.path + "/.lambda/refs/heads/main.lock"
        #expect(FileManager.default.createFile(atPath: lock, contents: Data()))
        let failed = try box.lvcFails("publish")
        #expect(failed.stderr.hasPrefix("lvc: error: version 2 was published, but publish did not finish: could not move refs/heads/main to version 2"), "\(failed.stderr)")
        #expect(failed.stderr.contains(lock))
        #expect(failed.stderr.contains("run 'lvc publish' again to finish (it makes no new version)"))
        #expect(try box.lvc("cat", "2:index.js").stdout == "v2\n")
        try FileManager.default.removeItem(atPath: lock)
        #expect(try box.lvc("publish").stdout.contains("Version 2 unchanged"))
        #expect(try box.git("rev-parse", "refs/heads/main").stdout == box.git("rev-parse", "refs/versions/2").stdout)
        try box.expectGitFsckClean()
    }

    /// `--version` belongs to lvc alone: a subcommand given a bare `--version` (an alias's version
    /// number forgotten) is a usage error, not lvc's version number and success.
    @Test func versionIsOnlyLvcsOwnFlag() throws {
        let box = try published()
        let version = try box.lvc("--version")
        #expect(version.stdout == "0.1.0\n")
        #expect(try box.lvc("-C", box.root.path, "--version").stdout == "0.1.0\n")
        try expectRefused(box, ["alias", "create", "PROD", "--version"], message: "Missing expected argument '<version>'")
        try box.lvc("alias", "create", "PROD", "1")
        try expectRefused(box, ["alias", "update", "PROD", "--version"], message: "Missing value for '--version <version>'")
        try expectRefused(box, ["status", "--version"], message: "Unknown option '--version'")
        let help = try box.lvc("alias", "update", "--help").stdout
        #expect(help.components(separatedBy: "--version").count - 1 == 2, "usage and one option line: \(help)")
        #expect(try box.lvc("--help").stdout.contains("--version prints lvc's version"))
    }
}
