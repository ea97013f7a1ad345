import Foundation
import LVCStore
import Testing

/// lvc's bytes checked against real git: ids, fsck, packs, and a mirror clone.
@Suite struct GitInteropTests {
    @Test func blobIdsMatchGitHashObject() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.write("empty.txt", "")
        try box.lvc("init")
        try box.lvc("add")
        let staged = try box.git("ls-files", "-s").stdout
        for file in ["index.js", "lib/util.js", "bootstrap", "empty.txt"] {
            let id = try box.git("hash-object", file).stdout.trimmingCharacters(in: .newlines)
            #expect(id.count == 64)
            #expect(staged.contains("\(id) 0\tcode/\(file)"), "\(file): \(staged)")
        }
        #expect(staged.contains("100755"), "executable bit staged")
        #expect(staged.contains("120000 90301b4f4d2cf57e1dc48c77afeb8e5167756ecb4bc7f8c0780e1538b190db2d 0\tcode/current.js"))
        // git write-tree over lvc's index gives the tree lvc publishes.
        let tree = try box.git("write-tree").stdout.trimmingCharacters(in: .newlines)
        try box.lvc("publish")
        let published = try box.git("rev-parse", "refs/versions/1^{tree}").stdout.trimmingCharacters(in: .newlines)
        #expect(tree == published)
        try box.expectGitFsckClean()
    }

    /// `$LATEST`'s tree is updated along the changed paths only (TreeUpdate); after every kind
    /// of change it must still be the tree git builds from the index.
    @Test func incrementalLatestTreeEqualsGitWriteTree() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.lvc("add")
        func latestTree() throws -> String {
            let metadata = try String(contentsOfFile: box.path + "/.lambda/lvc/latest", encoding: .utf8)
            let line = try #require(metadata.split(separator: "\n").first { $0.hasPrefix("tree ") })
            return String(line.dropFirst(5))
        }
        let steps: [(String, () throws -> Void)] = [
            ("modify", { try box.write("lib/util.js", "changed\n") }),
            ("add deep", { try box.write("a/b/c/d.txt", "deep\n") }),
            ("names around /", { try box.write("a.txt", "x\n"); try box.write("a-b", "y\n"); try box.write("a0", "z\n") }),
            ("folder to file", { try FileManager.default.removeItem(atPath: box.path + "/a"); try box.write("a", "now a file\n") }),
            ("file to folder", { try FileManager.default.removeItem(atPath: box.path + "/a"); try box.write("a/x.js", "folder again\n") }),
            ("executable", { try box.write("a/x.js", "folder again\n", executable: true) }),
            ("empty a folder", { try FileManager.default.removeItem(atPath: box.path + "/lib") }),
            ("config only", { try box.lvc("config", "memory", "512") }),
        ]
        for (name, change) in steps {
            try change()
            try box.lvc("add")
            let tree = try box.git("write-tree").stdout.trimmingCharacters(in: .newlines)
            #expect(try latestTree() == tree, "after '\(name)'")
        }
        try box.lvc("publish")
        let published = try box.git("rev-parse", "refs/versions/1^{tree}").stdout.trimmingCharacters(in: .newlines)
        #expect(try latestTree() == published)
        try box.expectGitFsckClean()
    }

    /// Staging many new files at once writes one pack (PackWriter) instead of loose objects: git
    /// must verify it, read every object in it, and lvc must read it back.
    @Test func packWrittenByAddIsReadByGit() throws {
        let box = try Sandbox()
        for i in 0..<1200 {
            try box.write("m\(i % 13)/f\(i).txt", String(repeating: "line \(i)\n", count: i % 50))
        }
        try box.write("same-a.txt", "duplicate\n")
        try box.write("same-b.txt", "duplicate\n")  // one object, stored once
        try box.symlink("link", to: "m0/f0.txt")
        try box.lvc("init")
        try box.lvc("add")
        let packs = try FileManager.default.contentsOfDirectory(atPath: box.path + "/.lambda/objects/pack")
        #expect(packs.filter { $0.hasSuffix(".pack") }.count == 1 && packs.filter { $0.hasSuffix(".idx") }.count == 1, "\(packs)")
        let idx = try #require(packs.first { $0.hasSuffix(".idx") })
        let verify = try box.git("verify-pack", "-v", box.path + "/.lambda/objects/pack/" + idx)
        // Every distinct blob once (24 empty files and the two duplicates share theirs), and
        // $LATEST's trees: m0…m12, code/ and the root.
        let staged = try box.git("ls-files", "-s").stdout.split(separator: "\n").filter { $0.contains("\tcode/") }
        let blobs = Set(staged.map { $0.split(separator: " ")[1] })
        #expect(staged.count == 1203 && blobs.count == 1200 - 23 + 1 + 1)
        let trees = verify.stdout.split(separator: "\n").filter { $0.split(separator: " ").dropFirst().first == "tree" }
        #expect(trees.count == 13 + 2, "\(verify.stdout)")
        #expect(verify.stdout.contains("non delta: \(blobs.count + trees.count) objects"), "\(verify.stdout)")
        #expect(verify.stdout.contains(": ok"))
        try box.expectGitFsckClean()
        let id = try box.git("hash-object", "m5/f5.txt").stdout.trimmingCharacters(in: .newlines)
        #expect(try box.git("cat-file", "-p", id).stdout == String(repeating: "line 5\n", count: 5))
        #expect(try box.lvc("cat", "LATEST:m5/f5.txt").stdout == String(repeating: "line 5\n", count: 5))
        #expect(try box.lvc("status").stdout.contains("m9/f997.txt"))
        try box.lvc("publish")
        try box.lvc("fsck")
        let exported = try box.lvc("export", "1", "-o", "../p.zip").stdout.trimmingCharacters(in: .newlines)
        #expect(try box.json(try box.lvc("show", "1", "--json"))["CodeSha256"] as? String == exported)
    }

    @Test func gitReadsVersionsAndLvcReadsAfterGitGc() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish")
        for n in 0..<4 {
            try box.write("index.js", String(repeating: "line \(n)\n", count: 3000))
            try box.lvc("add")
            try box.lvc("publish")
        }
        let catFile = try box.git("cat-file", "-p", "refs/versions/3")
        #expect(catFile.stdout.contains("Lambda-Version: 3"))
        #expect(try box.git("rev-parse", "--show-object-format").stdout == "sha256\n")
        let before = try box.lvc("cat", "2:index.js").stdout
        let sha = try box.json(try box.lvc("show", "2", "--json"))["CodeSha256"] as? String

        // git gc packs every object (with deltas) and every ref; lvc must read the result.
        let gc = try box.git("gc", "--aggressive", "--prune=now")
        #expect(gc.status == 0, "\(gc.stderr)")
        let looseLeft = try box.run("/usr/bin/find", [".lambda/objects", "-type", "f", "-path", "*/objects/??/*"]).stdout
        #expect(looseLeft.isEmpty, "gc should pack every object: \(looseLeft)")
        #expect(FileManager.default.fileExists(atPath: box.path + "/.lambda/packed-refs"))
        #expect(try box.lvc("cat", "2:index.js").stdout == before)
        #expect(try box.lvc("versions", "--json").stdout.contains("\"Version\": \"5\""))
        let export = try box.lvc("export", "2", "-o", "../v2.zip")
        #expect(export.stdout.trimmingCharacters(in: .newlines) == sha)
        try box.lvc("fsck")
        // And lvc keeps working on top of the packed store.
        try box.write("index.js", "after gc\n")
        try box.lvc("add")
        #expect(try box.lvc("publish").stdout.hasPrefix("Published version 6"))
        try box.lvc("checkout", "1", "--force")
        try box.expectGitFsckClean()
    }

    /// `lvc ls` takes sizes from object headers (ObjectInfo): they must be git's, for loose
    /// objects, for the pack a fresh `add` writes, and for deltas after `git gc --aggressive`.
    @Test func lsSizesMatchGitLsTree() throws {
        let box = try Sandbox()
        for i in 0..<1100 {  // over the pack threshold: version 1's blobs are in lvc's pack
            try box.write("m\(i % 7)/f\(i).py", String(repeating: "value = \(i)  # \(i % 11)\n", count: 1 + i % 300))
        }
        try box.write("big.bin", String(repeating: "0123456789abcdef", count: 300_000))  // 4.8 MB: streamed, loose
        try box.symlink("link", to: "m0/f0.py")
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish")
        for i in stride(from: 0, to: 1100, by: 50) {  // loose objects, close to version 1's (deltas after gc)
            try box.write("m\(i % 7)/f\(i).py", String(repeating: "value = \(i)  # \(i % 11)\n", count: 1 + i % 300) + "extra = 1\n")
        }
        try box.lvc("add")
        try box.lvc("publish")

        func lvcListing(_ version: String, _ path: String? = nil) throws -> [String] {
            let output = try box.run(Sandbox.binary, ["ls", version] + (path.map { [$0] } ?? []))
            #expect(output.status == 0, "lvc ls \(version) \(path ?? ""): \(output.stderr)")
            return output.stdout.split(separator: "\n").map { line in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                return "\(fields[0]) \(fields[1]) \(fields[2])"
            }
        }
        func gitListing(_ version: String, _ path: String = "") throws -> [String] {
            // "<mode> blob <id>  <size>\tcode/<path>"
            try box.git("ls-tree", "-r", "-l", "refs/versions/\(version)", "code/" + path).stdout.split(separator: "\n").map { line in
                let halves = line.split(separator: "\t", maxSplits: 1)
                let fields = halves[0].split(separator: " ", omittingEmptySubsequences: true)
                return "\(fields[0]) \(fields[3]) \(halves[1].dropFirst("code/".count))"
            }
        }
        for version in ["1", "2"] {
            let listing = try lvcListing(version)
            #expect(listing.count == 1102)
            #expect(listing == (try gitListing(version)), "version \(version), before gc")
            // A folder or a file of a version: only the trees on the way are read.
            #expect(try lvcListing(version, "m3") == (try gitListing(version, "m3/")))
            #expect(try lvcListing(version, "m3/") == (try gitListing(version, "m3/")))
            #expect(try lvcListing(version, "m3/f3.py") == (try gitListing(version, "m3/f3.py")))
            #expect(try lvcListing(version, "m3/f3.py").count == 1)
            #expect(try box.lvcFails("ls", version, "m3/f4.py").stderr.contains("no such file or folder in \(version)"))
            #expect(try box.lvcFails("ls", version, "m").stderr.contains("no such file or folder in \(version)"))
        }
        let gc = try box.git("gc", "--aggressive", "--prune=now")
        #expect(gc.status == 0, "\(gc.stderr)")
        let verify = try box.run("/bin/sh", ["-c", "git --git-dir=.lambda verify-pack -v .lambda/objects/pack/*.idx"]).stdout
        #expect(verify.contains("chain length = 1"), "gc should have stored some blobs as deltas")
        for version in ["1", "2"] {
            #expect(try lvcListing(version) == (try gitListing(version)), "version \(version), after gc")
        }
    }

    @Test func mirrorCloneCarriesTheVersions() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init", "--runtime", "nodejs20.x", "--handler", "index.handler")
        try box.lvc("add")
        try box.lvc("publish", "-d", "one")
        let other = box.root.deletingLastPathComponent().appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        let clone = try box.run("/usr/bin/git", ["clone", "-q", "--mirror", box.path + "/.lambda", other.path + "/.lambda"])
        #expect(clone.status == 0, "\(clone.stderr)")
        let shown = try box.run(Sandbox.binary, ["show", "1", "--json"], in: other.path)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("\"Description\": \"one\""))
        // A plain clone checks out the code with the executable bit and the symlink.
        let work = box.root.deletingLastPathComponent().appendingPathComponent("work").path
        let plain = try box.run("/usr/bin/git", ["clone", "-q", box.path + "/.lambda", work])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(FileManager.default.isExecutableFile(atPath: work + "/code/bootstrap"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: work + "/code/current.js") == "lib/util.js")
        #expect(FileManager.default.fileExists(atPath: work + "/function.json"))
    }

    @Test func lvcReadsObjectsGitWrote() throws {
        // Objects and a tree made by git (not lvc) read back through lvc's store.
        let box = try Sandbox()
        let repo = box.path + "/repo.git"
        #expect(try box.run("/usr/bin/git", ["init", "-q", "--bare", "--object-format=sha256", repo]).status == 0)
        try box.write("a.txt", "hello from git\n")
        let blob = try box.run("/usr/bin/git", ["--git-dir=\(repo)", "hash-object", "-w", "a.txt"]).stdout
            .trimmingCharacters(in: .newlines)
        let store = ObjectStore(objectsDirectory: repo + "/objects", temporaryDirectory: box.path)
        let id = try #require(ObjectID(hex: blob))
        #expect(try store.read(id, as: .blob) == Array("hello from git\n".utf8))
        let empty = try box.run("/bin/sh", ["-c", "git --git-dir=\(repo) mktree </dev/null"]).stdout.trimmingCharacters(in: .newlines)
        let listing = "100644 blob \(blob)\tb.txt\n100644 blob \(blob)\ta-x\n040000 tree \(empty)\ta\n"
        try box.write("listing.txt", listing)
        let mktree = try box.run("/bin/sh", ["-c", "git --git-dir=\(repo) mktree < listing.txt"])
        let treeID = try #require(ObjectID(hex: mktree.stdout.trimmingCharacters(in: .newlines)), "\(mktree.stderr)")
        let tree = try store.readTree(treeID)
        #expect(tree.entries.map(\.nameString) == ["a-x", "a", "b.txt"])
        // Re-encoding gives git's id back (sorting rule with folders as "name/").
        #expect(ObjectHasher.id(of: .tree, body: Tree(entries: tree.entries.reversed()).encode()) == treeID)
    }
}
