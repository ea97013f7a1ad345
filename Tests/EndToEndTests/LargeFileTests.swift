import Foundation
import LVCStore
import Testing

/// Files above `ObjectStore.streamingThreshold` are streamed (checkout, cat, packaging) instead
/// of held whole: the bytes must be the same as for small files, from packs (a first add) and
/// from loose objects, and a damaged large object must still be refused before anything counts.
@Suite struct LargeFileTests {
    /// Bytes zlib cannot shrink.
    func noise(_ count: Int) throws -> Data {
        let handle = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        defer { try? handle.close() }
        return try #require(try handle.read(upToCount: count))
    }

    @Test func largeFilesRoundTripAndDamageIsRefused() throws {
        let box = try Sandbox()
        let v1 = try noise(ObjectStore.streamingThreshold + 4096)
        var v2 = v1
        v2.append(Data(repeating: 7, count: 3 << 20))  // version 2 compresses a little
        try v1.write(to: box.root.appendingPathComponent("model.bin"))
        try box.write("handler.py", "def handler(e, c): return 1\n")
        try box.lvc("init")
        try box.lvc("add")  // a fresh tree: the blob goes into a pack
        let sha1 = try box.json(try box.lvc("publish", "--json"))["CodeSha256"] as? String
        try v2.write(to: box.root.appendingPathComponent("model.bin"))
        try box.lvc("add")  // a loose object
        let sha2 = try box.json(try box.lvc("publish", "--json"))["CodeSha256"] as? String

        try box.lvc("checkout", "1", "--force")
        #expect(try Data(contentsOf: box.root.appendingPathComponent("model.bin")) == v1)
        try box.lvc("checkout", "2", "--force")
        #expect(try Data(contentsOf: box.root.appendingPathComponent("model.bin")) == v2)
        #expect(try box.lvc("cat", "1:model.bin").stdoutBytes == v1)
        #expect(try box.lvc("cat", "2:model.bin").stdoutBytes == v2)
        #expect(try box.lvc("status", "--short").stdout.isEmpty)
        // The folder's side of a diff: a large binary file is judged by its first bytes too.
        try (v2 + Data(repeating: 1, count: 100)).write(to: box.root.appendingPathComponent("model.bin"))
        #expect(try box.lvc("diff").stdout.contains(
            "Binary files a/model.bin and b/model.bin differ (\(v2.count) → \(v2.count + 100) bytes)\n"))
        try v2.write(to: box.root.appendingPathComponent("model.bin"))
        #expect(try box.lvc("diff").stdout.isEmpty)

        // The packages: what publish recorded is what export writes, with and without the cache,
        // and the zip holds the files.
        let zip = box.root.deletingLastPathComponent().appendingPathComponent("v2.zip").path
        #expect(try box.lvc("export", "2", "-o", zip).stdout.trimmingCharacters(in: .newlines) == sha2)
        try FileManager.default.removeItem(atPath: box.path + "/.lambda/lvc/package-cache")
        #expect(try box.lvc("export", "1", "-o", zip + ".1").stdout.trimmingCharacters(in: .newlines) == sha1)
        let again = zip + ".again"
        #expect(try box.lvc("export", "2", "-o", again).stdout.trimmingCharacters(in: .newlines) == sha2)
        #expect(FileManager.default.contents(atPath: zip) == FileManager.default.contents(atPath: again))
        #expect(try box.run("/usr/bin/unzip", ["-p", zip, "model.bin"]).stdoutBytes == v2)
        #expect(try box.lvc("fsck", "--packages").stderr.isEmpty)
        // Damaged cached entries of the large blobs (checked by their inflated size and CRC-32,
        // not held): export notices, compresses them again, and writes the same zip.
        let data = URL(fileURLWithPath: box.path + "/.lambda/lvc/package-cache/data")
        var cached = try Data(contentsOf: data)
        for i in stride(from: 100, to: cached.count, by: 4099) { cached[i] ^= 0x20 }
        try cached.write(to: data)
        #expect(try box.lvcFails("fsck").stderr.contains("error: package cache entry of blob "))
        #expect(try box.lvc("export", "2", "-o", again).stdout.trimmingCharacters(in: .newlines) == sha2)
        #expect(FileManager.default.contents(atPath: zip) == FileManager.default.contents(atPath: again))
        // Version 1's large entry (stored, not deflated) is repaired by an export of version 1.
        #expect(try box.lvcFails("fsck").stderr.split(separator: "\n").count == 1)
        #expect(try box.lvc("export", "1", "-o", zip + ".1").stdout.trimmingCharacters(in: .newlines) == sha1)
        #expect(try box.lvc("fsck").stderr.isEmpty, "export repaired the cache")

        // Diffs and the site need only the sizes of a large binary file (and its first bytes).
        #expect(try box.lvc("diff", "1", "2").stdout.contains(
            "Binary files a/model.bin and b/model.bin differ (\(v1.count) → \(v2.count) bytes)\n"))
        #expect(try box.lvc("diff", "1", "2", "--stat").stdout.hasPrefix(" model.bin | Bin \(v1.count) -> \(v2.count) bytes\n"))
        #expect(try box.lvc("log", "--stat").stdout.contains(" model.bin  | Bin 0 -> \(v1.count) bytes\n"))
        let site = box.root.deletingLastPathComponent().appendingPathComponent("site").path
        try box.lvc("site", "-o", site)
        let blob = try box.git("rev-parse", "refs/versions/2:code/model.bin").stdout.trimmingCharacters(in: .newlines)
        let page = try String(contentsOfFile: site + "/b/\(blob).html", encoding: .utf8)
        #expect(page.contains("\(v2.count) bytes, mode 100644") && page.contains("Binary file."), "\(page)")
        // A large text file is still diffed line by line.
        let lines = (0..<300_000).map { "line \($0) of a large text file" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: box.root.appendingPathComponent("big.txt"))
        try box.lvc("add")
        try box.lvc("publish")
        var edited = lines
        edited[150_000] = "changed"
        try Data((edited.joined(separator: "\n") + "\n").utf8).write(to: box.root.appendingPathComponent("big.txt"))
        try box.lvc("add")
        try box.lvc("publish")
        #expect(try box.lvc("diff", "3", "4", "--stat").stdout == " big.txt | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n")
        #expect(try box.lvc("diff", "3", "4").stdout.contains("-line 150000 of a large text file\n+changed\n"))

        // Version 2's blob (loose) replaced by another valid object of the same size: checkout
        // fails, naming it, and leaves the folder's file and $LATEST as they were.
        try box.lvc("checkout", "1", "--force")
        let id = try box.git("rev-parse", "refs/versions/2:code/model.bin").stdout.trimmingCharacters(in: .newlines)
        let path = "\(box.path)/.lambda/objects/\(id.prefix(2))/\(id.dropFirst(2))"
        var forged = v2
        forged[forged.count / 2] ^= 1
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try Data(Zlib.deflate(Array("blob \(forged.count)\0".utf8) + Array(forged))).write(to: URL(fileURLWithPath: path))
        let before = try FileManager.default.contentsOfDirectory(atPath: box.path).sorted()
        let status = try box.lvc("status", "--short").stdout
        let checkout = try box.lvcFails("checkout", "2", "--force")
        #expect(checkout.stderr.contains("object \(id) is corrupt: hash mismatch"), "\(checkout.stderr)")
        #expect(try Data(contentsOf: box.root.appendingPathComponent("model.bin")) == v1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.path).sorted() == before, "no temporary file left")
        #expect(try box.lvc("status", "--short").stdout == status, "$LATEST is still version 1")
        let cat = try box.lvcFails("cat", "2:model.bin")
        #expect(cat.stdoutBytes.isEmpty, "a damaged file must not be printed, even in part")
        #expect(cat.stderr.contains("object \(id) is corrupt"))
        #expect(try box.lvcFails("export", "2", "-o", zip + ".bad").stderr.contains("object \(id) is corrupt"))
        #expect(!FileManager.default.fileExists(atPath: zip + ".bad"))
        // fsck verifies large objects as they stream, and names the damaged one.
        let fsck = try box.lvcFails("fsck")
        #expect(fsck.stderr.contains("error: object \(id): object \(id) is corrupt: hash mismatch"), "\(fsck.stderr)")
    }
}
