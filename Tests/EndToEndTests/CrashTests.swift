import Foundation
import Testing

/// SIGKILL `lvc add` and `lvc publish` at random moments: after every kill the store must pass
/// `lvc fsck` and `git fsck --strict`, and hold exactly the state before or after the command.
@Suite(.serialized) struct CrashTests {
    static let fileCount = 1500

    func makeTree(_ box: Sandbox, generation: Int, rng: inout SplitMix) throws {
        for i in 0..<CrashTests.fileCount where generation == 0 || rng.next() % 8 == 0 {
            let folder = "pkg\(i % 30)/sub\(i % 7)"
            let body = String(repeating: "gen \(generation) file \(i) \(rng.next())\n", count: 20 + i % 50)
            try box.write("\(folder)/f\(i).py", body)
        }
    }

    /// What an interrupted command may leave: $LATEST's files and configuration, and the versions.
    func state(_ box: Sandbox) throws -> String {
        let files = try box.git("ls-files", "-s").stdout
        let versions = try box.git("for-each-ref", "--format=%(refname) %(tree)", "refs/versions").stdout
        return files + "\n--\n" + versions
    }

    func killAt(_ box: Sandbox, _ arguments: [String], afterMicroseconds delay: UInt32) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Sandbox.binary)
        process.arguments = arguments
        process.currentDirectoryURL = box.root
        process.environment = Sandbox.fixedEnvironment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Lock files a killed lvc leaves behind; the user removes them, as the error message says.
    func removeStaleLocks(_ box: Sandbox) throws {
        let locks = try box.run("/usr/bin/find", [".lambda", "-name", "*.lock"]).stdout.split(separator: "\n")
        for lock in locks { try FileManager.default.removeItem(atPath: box.path + "/" + lock) }
    }

    func checkStore(_ box: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fsck = try box.run(Sandbox.binary, ["fsck"])
        #expect(fsck.status == 0, "lvc fsck after a kill: \(fsck.stderr)", sourceLocation: sourceLocation)
        #expect(!fsck.stderr.contains("error"), "lvc fsck after a kill: \(fsck.stderr)", sourceLocation: sourceLocation)
        try box.expectGitFsckClean(allowDangling: true, sourceLocation: sourceLocation)
    }

    /// A sandbox with a generated tree and an empty store, and the random source the test goes on
    /// with: seeded by `LVC_CRASH_SEED` to replay a failure, by the clock otherwise.
    func treeAndEmptyStore() throws -> (seed: UInt64, rng: SplitMix, box: Sandbox) {
        let seed = UInt64(ProcessInfo.processInfo.environment["LVC_CRASH_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970)
        var rng = SplitMix(seed: seed)
        let box = try Sandbox()
        try makeTree(box, generation: 0, rng: &rng)
        try box.lvc("init")
        return (seed, rng, box)
    }

    func timed(_ box: Sandbox, _ arguments: [String]) throws -> UInt32 {
        let start = Date()
        _ = try box.run(Sandbox.binary, arguments)
        return UInt32(Date().timeIntervalSince(start) * 1_000_000)
    }

    /// Staging a fresh tree of 1,500 files writes one pack (PackWriter); killed at any moment, it
    /// leaves either nothing staged or everything, never a pack git or lvc cannot read.
    @Test func killedFreshAddLeavesNoHalfPack() throws {
        var (seed, rng, box) = try treeAndEmptyStore()
        let addTime = try timed(box, ["add"])
        let staged = try state(box)
        var outcomes = [String: Int]()
        for round in 1...8 {
            try FileManager.default.removeItem(atPath: box.path + "/.lambda")
            try box.lvc("init")
            let before = try state(box)
            try killAt(box, ["add"], afterMicroseconds: UInt32(rng.next() % UInt64(max(addTime, 1000) * 3 / 2)))
            let mid = try state(box)
            try checkStore(box)
            #expect(mid == before || mid == staged, "seed \(seed), round \(round): a killed fresh add left a state in between")
            outcomes[mid == staged ? "after" : "before", default: 0] += 1
            try removeStaleLocks(box)
            try box.lvc("add")
            #expect(try state(box) == staged, "seed \(seed), round \(round): add after a kill")
            try checkStore(box)
        }
        print("fresh add kills (seed \(seed)): \(outcomes)")
    }

    @Test func killedAddAndPublishLeaveBeforeOrAfter() throws {
        var (seed, rng, box) = try treeAndEmptyStore()
        // Kills are spread over 1.5 times the duration of the previous complete run of the same
        // command, so that they land before, during and after its commit point.
        var addTime = try timed(box, ["add"])
        var publishTime = try timed(box, ["publish"])

        var outcomes = [String: Int]()
        for round in 1...10 {
            // A killed add, on a tree where one file in eight changed.
            try makeTree(box, generation: round, rng: &rng)
            let beforeAdd = try state(box)
            try killAt(box, ["add"], afterMicroseconds: UInt32(rng.next() % UInt64(max(addTime, 1000) * 3 / 2)))
            let midAdd = try state(box)
            try checkStore(box)
            try removeStaleLocks(box)
            addTime = try timed(box, ["add"])
            let afterAdd = try state(box)
            #expect(midAdd == beforeAdd || midAdd == afterAdd, "seed \(seed), round \(round): add left a state in between")
            outcomes["add " + (midAdd == afterAdd && midAdd != beforeAdd ? "after" : "before"), default: 0] += 1

            // A killed publish of that staged state.
            let beforePublish = try state(box)
            try killAt(box, ["publish"], afterMicroseconds: UInt32(rng.next() % UInt64(max(publishTime, 1000) * 3 / 2)))
            let midPublish = try state(box)
            try checkStore(box)
            try removeStaleLocks(box)
            publishTime = try timed(box, ["publish"])
            let afterPublish = try state(box)
            #expect(midPublish == beforePublish || midPublish == afterPublish, "seed \(seed), round \(round): publish left a state in between")
            outcomes["publish " + (midPublish == afterPublish ? "after" : "before"), default: 0] += 1
        }
        // The numbering never skips or repeats after kills: versions 1...11 exist.
        let refs = try box.git("for-each-ref", "--format=%(refname)", "refs/versions").stdout
        #expect(refs.split(separator: "\n").count == 11, "seed \(seed): \(refs)")
        print("crash test seed \(seed): \(outcomes.sorted { $0.key < $1.key })")
    }

    /// The other commands that write the store, killed at random moments: `checkout` (the index
    /// and the folder), `alias update` (the alias records and tags), `config` (the index), `gc`
    /// (which deletes objects) and `delete` (a version's ref). After every kill the store is valid for lvc and git, `$LATEST`
    /// and the aliases are as before or as after, and the versions are intact.
    @Test func killedCheckoutAliasConfigGcAndDeleteLeaveAValidStore() throws {
        var (seed, rng, box) = try treeAndEmptyStore()
        try box.lvc("add")
        try box.lvc("publish")
        try makeTree(box, generation: 1, rng: &rng)
        try box.lvc("add")
        try box.lvc("publish")
        try box.lvc("alias", "create", "PROD", "1")
        func versions() throws -> String { try box.lvc("show", "1", "--json").stdout + (try box.lvc("show", "2", "--json").stdout) }
        let packages = try versions()
        // $LATEST: the index and the configuration. (The folder a killed checkout was writing
        // may hold some files of each version, as git's would; checkout --force then finishes.)
        func latest() throws -> String { try box.git("ls-files", "-s").stdout + (try box.lvc("config", "--json").stdout) }
        func aliases() throws -> String { try box.lvc("alias", "list").stdout }
        func checkVersions(_ round: Int) throws {
            #expect(try versions() == packages, "seed \(seed), round \(round): versions changed")
        }
        var times = [String: UInt32]()
        var outcomes = [String: Int]()
        /// Kills `arguments` somewhere in 1.5 times its last complete run, then checks the store
        /// and that `observe` shows the state before or the state after; `undo` goes back.
        func trial(_ round: Int, _ name: String, _ arguments: [String], observe: () throws -> String, undo: [String]) throws {
            func run(_ arguments: [String]) throws {
                let output = try box.run(Sandbox.binary, arguments)
                #expect(output.status == 0, "lvc \(arguments): \(output.stderr)")
            }
            let before = try observe()
            if times[name] == nil {  // a first complete run, to know how long it takes
                times[name] = try timed(box, arguments)
                try run(undo)
                #expect(try observe() == before, "seed \(seed): \(undo) did not undo \(arguments)")
            }
            let complete = times[name]!
            try killAt(box, arguments, afterMicroseconds: UInt32(rng.next() % UInt64(max(complete, 1000) * 3 / 2)))
            let mid = try observe()
            try checkStore(box)
            try removeStaleLocks(box)
            times[name] = try timed(box, arguments)
            let after = try observe()
            #expect(mid == before || mid == after, "seed \(seed), round \(round): killed \(arguments) left a state in between")
            outcomes["\(name) " + (mid == after && mid != before ? "after" : "before"), default: 0] += 1
            try checkVersions(round)
            try run(undo)
            let undone = try observe()
            #expect(undone == before, "seed \(seed), round \(round): \(undo): \(Set(undone.split(separator: "\n")).symmetricDifference(before.split(separator: "\n")).sorted())")
        }
        for round in 1...6 {
            try trial(round, "checkout", ["checkout", "1", "--force"], observe: latest, undo: ["checkout", "2", "--force"])
            try trial(round, "alias", ["alias", "update", "PROD", "--version", "2", "--weight", "1=0.3"], observe: aliases,
                      undo: ["alias", "update", "PROD", "--version", "1", "--no-weight"])
            try trial(round, "config", ["config", "memory", "512"], observe: latest, undo: ["config", "--unset", "memory"])
            // Garbage for gc: files staged and then replaced, and earlier $LATEST trees.
            try box.write("scratch-\(round).txt", "staged once \(round)\n")
            try box.lvc("add")
            try FileManager.default.removeItem(atPath: box.path + "/scratch-\(round).txt")
            try box.lvc("add")
            try killAt(box, ["gc"], afterMicroseconds: UInt32(rng.next() % 20_000))
            try checkStore(box)
            try removeStaleLocks(box)
            try checkVersions(round)
            // Every object a version or $LATEST needs is still there: both can be read whole.
            try box.lvc("export", "1", "-o", "../v1.zip")
            try box.lvc("export", "LATEST", "-o", "../latest.zip")
            // A version made for the purpose, deleted by a killed `delete`: there or gone, and
            // its number never given again.
            try box.lvc("config", "description", "round \(round)")
            let number = 2 + round
            #expect(try box.lvc("publish").stdout.hasPrefix("Published version \(number) "), "seed \(seed), round \(round)")
            func listed() throws -> String { try box.git("for-each-ref", "--format=%(refname)", "refs/versions").stdout }
            let withIt = try listed()
            try killAt(box, ["delete", String(number)], afterMicroseconds: UInt32(rng.next() % 20_000))
            let mid = try listed()
            try checkStore(box)
            try removeStaleLocks(box)
            _ = try box.run(Sandbox.binary, ["delete", String(number)])  // finish it, if the kill came first
            let without = try listed()
            #expect(!without.contains("refs/versions/\(number)\n"), "seed \(seed), round \(round)")
            #expect(mid == withIt || mid == without, "seed \(seed), round \(round): a killed delete left \(mid)")
            outcomes["delete " + (mid == without ? "after" : "before"), default: 0] += 1
            try checkVersions(round)
            try box.lvc("config", "--unset", "description")
        }
        print("other commands killed (seed \(seed)): \(outcomes.sorted { $0.key < $1.key })")
    }
}
