import Foundation
import Testing

/// `lvc fsck`'s checks of what lvc derives from the code: the package cache, which `publish`
/// trusts, and (`--packages`) the CodeSha256 and CodeSize every version records.
@Suite struct FsckTests {
    /// A function with 40 files that compress (so that the cache holds deflated entries) and
    /// one published version.
    func published() throws -> Sandbox {
        let box = try Sandbox()
        try box.makeExampleFunction()
        for i in 0..<40 { try box.write("data/f\(i).txt", String(repeating: "row \(i) of the data\n", count: 100)) }
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish")
        return box
    }

    var cache: String { "/.lambda/lvc/package-cache" }

    /// Flips bytes all over the cache's data: every cached entry stops holding its blob.
    func damageCache(_ box: Sandbox) throws {
        let url = URL(fileURLWithPath: box.path + cache + "/data")
        var data = try Data(contentsOf: url)
        for i in stride(from: 3, to: data.count, by: 7) { data[i] ^= 0x5A }
        try data.write(to: url)
    }

    func codeSha256(_ box: Sandbox, _ arguments: String...) throws -> String? {
        try box.json(try box.run(Sandbox.binary, arguments))["CodeSha256"] as? String
    }

    @Test func healthyStoreIsCleanWithAndWithoutPackages() throws {
        let box = try published()
        try box.write("index.js", "v2\n")
        try box.lvc("add")
        try box.lvc("publish")
        let plain = try box.lvc("fsck", "-v")
        #expect(plain.stderr.isEmpty)
        // 43 files in version 1 and a new index.js in version 2 (a symlink is never cached).
        #expect(plain.stdout.contains("2 versions, 44 package cache entries: ok"), "\(plain.stdout)")
        let full = try box.lvc("fsck", "-v", "--packages")
        #expect(full.stderr.isEmpty)
        // Two versions, and the digest saved with the checkpoints (version 2's tree).
        #expect(full.stdout.hasSuffix(", 3 packages: ok\n"), "\(full.stdout)")
    }

    @Test func damagedCacheIsReportedAndExportRepairsIt() throws {
        let box = try published()
        try damageCache(box)
        let before = try box.snapshot()
        let fsck = try box.lvcFails("fsck")
        #expect(fsck.status == 1)
        let lines = fsck.stderr.split(separator: "\n")
        #expect(lines.count == 43, "\(fsck.stderr)")
        #expect(lines.allSatisfy { $0.hasPrefix("error: package cache entry of blob ") && $0.contains("a publish would record a wrong CodeSha256") })
        #expect(try box.snapshot() == before, "fsck changed the disk")
        // Export reads every blob, compresses again what the cache does not hold, and records it.
        try box.lvc("export", "1", "-o", "../v1.zip")
        #expect(try box.lvc("fsck").stderr.isEmpty)
    }

    /// The failure the cache check is there for: a publish that trusted damaged cache entries
    /// recorded a CodeSha256 that is not its package's. `--packages` finds the version.
    @Test func packagesFindsARecordedCodeSha256ThatIsWrong() throws {
        let box = try published()
        let before = try #require(try codeSha256(box, "show", "1", "--json"))
        #expect(try box.lvc("fsck", "--packages").stderr.isEmpty)
        try damageCache(box)
        // A new first file: version 2's package is hashed from its start, every other entry
        // taken from the damaged cache.
        try box.write("aaa.txt", "first in the zip\n")
        try box.lvc("add")
        let recorded = try #require(try codeSha256(box, "publish", "--json"))
        let exported = try box.lvc("export", "2", "-o", "../v2.zip").stdout.trimmingCharacters(in: .newlines)
        #expect(recorded != exported)
        // The export repaired the cache and dropped the checkpoints' saved digest: $LATEST shows
        // the true CodeSha256 again, and only the version's record is left wrong.
        #expect(try codeSha256(box, "show", "--json") == exported)
        let snapshot = try box.snapshot()
        let fsck = try box.lvcFails("fsck", "--packages")
        #expect(fsck.stderr == "error: refs/versions/2: records CodeSha256 \(recorded) and CodeSize "
            + "\(try box.json(try box.lvc("show", "2", "--json"))["CodeSize"] as? Int ?? -1), but its code packages to \(exported) "
            + "(\(try fileSize(box, "../v2.zip")) bytes), which is what 'lvc export 2' writes and AWS would report; "
            + "a version's record cannot be changed\n")
        #expect(try box.snapshot() == snapshot, "fsck --packages changed the disk")
        #expect(try codeSha256(box, "show", "1", "--json") == before)
        // Without --packages the cache is fine now and nothing else is wrong.
        #expect(try box.lvc("fsck").stderr.isEmpty)
    }

    /// The saved digest `show` prints for `$LATEST` is checked too.
    @Test func packagesChecksTheSavedDigest() throws {
        let box = try published()
        try damageCache(box)
        try box.write("aaa.txt", "first in the zip\n")
        try box.lvc("add")
        // `show` computes $LATEST's digest from the damaged cache and saves it.
        let shown = try #require(try codeSha256(box, "show", "--json"))
        let fsck = try box.lvcFails("fsck", "--packages")
        #expect(fsck.stderr.contains("error: \(box.path)\(cache)/checkpoints: says code tree "), "\(fsck.stderr)")
        #expect(fsck.stderr.contains("packages to \(shown) ("), "\(fsck.stderr)")
        #expect(fsck.stderr.contains("remove the file while no lvc runs"))
        try FileManager.default.removeItem(atPath: box.path + cache)
        #expect(try box.lvc("fsck", "--packages").stderr.isEmpty)
        #expect(try codeSha256(box, "show", "--json") != shown)
    }

    func fileSize(_ box: Sandbox, _ relative: String) throws -> Int {
        let path = box.root.appendingPathComponent(relative).standardizedFileURL.path
        return try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }
}
