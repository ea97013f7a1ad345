import Foundation
import Testing

/// `refs/lvc/latest` (decision 0018): every state of $LATEST is a commit, so nothing lvc writes is
/// dangling to git, a replaced state can be found again, and `gc` lets the earlier states go.
@Suite struct LatestHistoryTests {
    func subjects(_ box: Sandbox) throws -> [String] {
        try box.git("log", "--format=%s", "refs/lvc/latest").stdout.split(separator: "\n").map(String.init)
    }

    /// The tree $LATEST's metadata names (`lvc/latest`) and the chain's newest tree.
    func latestTree(_ box: Sandbox) throws -> String {
        let metadata = try String(contentsOfFile: box.path + "/.lambda/lvc/latest", encoding: .utf8)
        return String(try #require(metadata.split(separator: "\n").first { $0.hasPrefix("tree ") }).dropFirst(5))
    }

    @Test func everyStateIsRecordedAndGitSeesNothingDangling() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.expectGitFsckClean()
        try box.lvc("add")
        try box.expectGitFsckClean()
        try box.lvc("publish")
        #expect(try subjects(box) == ["lvc: stage files", "lvc: initialize $LATEST"], "publish adds no state")
        try box.write("index.js", "staged, then thrown away by a forced checkout\n")
        try box.lvc("add")
        try box.lvc("config", "memory", "512")
        try box.expectGitFsckClean()
        try box.lvc("checkout", "1", "--force")
        try box.expectGitFsckClean()
        #expect(try subjects(box) == ["lvc: check out 1", "lvc: change the configuration", "lvc: stage files",
                                      "lvc: stage files", "lvc: initialize $LATEST"])
        #expect(try box.git("rev-parse", "refs/lvc/latest^{tree}").stdout == (try latestTree(box)) + "\n")
        // The staged work the forced checkout replaced is still there, for git.
        #expect(try box.git("show", "refs/lvc/latest~1:code/index.js").stdout == "staged, then thrown away by a forced checkout\n")
        // A command that changes nothing adds nothing.
        try box.lvc("add")
        #expect(try subjects(box).count == 5)
    }

    @Test func gcKeepsOnlyWhatLvcNeeds() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish", "-d", "first")  // $LATEST's tree differs from the version's: kept
        try box.write("scratch.js", "staged, then unstaged\n")
        try box.lvc("add")
        let scratchState = try box.git("rev-parse", "refs/lvc/latest").stdout.trimmingCharacters(in: .newlines)
        try FileManager.default.removeItem(atPath: box.path + "/scratch.js")
        try box.write("index.js", "the current state\n")
        try box.lvc("add")
        #expect(!(try box.lvc("gc", "--dry-run").stdout.isEmpty))
        try box.lvc("gc")
        #expect(try subjects(box) == ["lvc: $LATEST (earlier states let go by gc)", "lvc: $LATEST as version 1 was published from it"])
        #expect(try box.git("rev-parse", "refs/lvc/latest^{tree}").stdout == (try latestTree(box)) + "\n")
        let publishedFrom = try box.git("log", "-1", "--format=%(trailers:key=Lambda-Latest-Tree,valueonly)", "refs/versions/1").stdout
        #expect(try box.git("rev-parse", "refs/lvc/latest~1^{tree}").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                == publishedFrom.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try box.git("cat-file", "-e", scratchState).status != 0, "the replaced state is gone")
        #expect(try box.lvc("gc", "--dry-run").stdout.isEmpty, "a second gc has nothing to remove")
        try box.lvc("gc")
        #expect(try subjects(box).count == 2)
        try box.lvc("fsck")
        try box.expectGitFsckClean()
        #expect(try box.lvc("status", "--short").stdout == "M  index.js\n", "staged, as before gc")
    }

    /// lvc never removes packed objects: after `git gc` packed the chain, `lvc gc` builds the new
    /// chain on top of the packed part instead of leaving those commits dangling.
    @Test func gcAfterGitGcKeepsThePackedPartOfTheChain() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish")
        #expect(try box.git("gc", "--prune=now").status == 0)
        for n in 0..<3 {
            try box.write("index.js", "state \(n)\n")
            try box.lvc("add")
        }
        #expect(try subjects(box).count == 5)
        try box.lvc("gc")
        // The two packed states, then the current one; the two loose states in between are gone.
        #expect(try subjects(box) == ["lvc: $LATEST (earlier states let go by gc)", "lvc: stage files", "lvc: initialize $LATEST"])
        #expect(try box.git("rev-parse", "refs/lvc/latest^{tree}").stdout == (try latestTree(box)) + "\n")
        #expect(try box.lvc("gc", "--dry-run").stdout.isEmpty)
        try box.lvc("fsck")
        try box.expectGitFsckClean()
    }

    @Test func aStaleLockDelaysTheRecordButNotTheCommand() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.lvc("add")
        let lock = box.path + "/.lambda/refs/lvc/latest.lock"
        #expect(FileManager.default.createFile(atPath: lock, contents: Data()))
        try box.write("index.js", "changed\n")
        try box.lvc("add")  // $LATEST is committed; its history waits
        #expect(try box.lvc("cat", "LATEST:index.js").stdout == "changed\n")
        #expect(try box.lvc("fsck").stderr.contains("refs/lvc/latest.lock"), "a warning")
        #expect(try subjects(box).count == 2)
        try FileManager.default.removeItem(atPath: lock)
        try box.lvc("add")  // nothing to stage: the state it finds is recorded
        #expect(try subjects(box).count == 3)
        #expect(try box.git("rev-parse", "refs/lvc/latest^{tree}").stdout == (try latestTree(box)) + "\n")
        try box.expectGitFsckClean()
    }
}
