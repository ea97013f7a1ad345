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
        try box.expectGitFsckClean(sourceLocation: sourceLocation)
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
}
