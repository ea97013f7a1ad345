import Foundation
import Testing

/// The canonical zip's layout (Format.md §13, decision 0026), read back by tools that are not lvc:
/// large files' data first, the central directory in path order, and versions published in the
/// first layout (every entry's data in path order) still exported as they were recorded.
@Suite struct ZipLayoutTests {
    /// Reads a zip with Python: the names of its local headers from the start of the file, the
    /// names of its central directory (zipfile's order), whether zipfile's CRC test passes, and
    /// the base64 SHA-256 of the file. With a second argument, also writes the same entries with
    /// every entry's data in path order (the first layout) there, and reports that file's digest.
    static let reader = #"""
    import base64, hashlib, json, struct, sys, zipfile
    data = open(sys.argv[1], "rb").read()
    local, at = [], 0
    while data[at:at + 4] == b"PK\x03\x04":
        stored, = struct.unpack_from("<I", data, at + 18)
        name_len, extra = struct.unpack_from("<HH", data, at + 26)
        local.append((data[at + 30:at + 30 + name_len].decode(), at, 30 + name_len + extra + stored))
        at += 30 + name_len + extra + stored
    with zipfile.ZipFile(sys.argv[1]) as z:
        central, bad = [i.filename for i in z.infolist()], z.testzip()
    out = {"local": [n for n, _, _ in local], "central": central, "bad": bad,
           "sha": base64.b64encode(hashlib.sha256(data).digest()).decode()}
    if len(sys.argv) > 2:
        # The first layout: local entries in central (path) order, each record's offset moved.
        spans = {n: (start, length) for n, start, length in local}
        body, offsets = b"", {}
        for name in central:
            start, length = spans[name]
            offsets[name] = len(body)
            body += data[start:start + length]
        cd_size, cd_offset = struct.unpack_from("<II", data, len(data) - 22 + 12)
        records, at = b"", cd_offset
        for name in central:
            name_len, extra, comment = struct.unpack_from("<HHH", data, at + 28)
            size = 46 + name_len + extra + comment
            records += data[at:at + 42] + struct.pack("<I", offsets[name]) + data[at + 46:at + size]
            at += size
        end = data[len(data) - 22:len(data) - 6] + struct.pack("<I", len(body)) + data[len(data) - 2:]
        old = body + records + end
        open(sys.argv[2], "wb").write(old)
        out["old_sha"], out["old_size"] = base64.b64encode(hashlib.sha256(old).digest()).decode(), len(old)
    print(json.dumps(out))
    """#

    func read(_ box: Sandbox, _ zip: String, relaidTo other: String? = nil) throws -> [String: Any] {
        let output = try box.run("/usr/bin/env", ["python3", "-c", Self.reader, zip] + (other.map { [$0] } ?? []))
        try #require(output.status == 0, "python: \(output.stderr)")
        return try box.json(output)
    }

    func makeFunction(_ box: Sandbox) throws {
        func bytes(_ count: Int, _ seed: UInt8) -> Data { Data((0..<count).map { UInt8(truncatingIfNeeded: $0 * 7 + Int(seed) * 13 + $0 / 251) }) }
        try box.write("app.py", "def handler(event, context):\n    return 1\n")
        try box.write("z.txt", "last\n")
        try FileManager.default.createDirectory(atPath: box.path + "/vendor", withIntermediateDirectories: true)
        try bytes(40_000, 1).write(to: box.root.appendingPathComponent("vendor/lib.so"))
        try bytes(16_384, 2).write(to: box.root.appendingPathComponent("aaa.bin"))  // exactly the threshold: large
        try bytes(16_383, 3).write(to: box.root.appendingPathComponent("bbb.bin"))  // one byte less: small
        try box.symlink("link", to: "app.py")
        try box.lvc("init", "--runtime", "python3.12", "--handler", "app.handler")
        try box.lvc("add")
    }

    @Test func largeFilesDataComesFirstAndEveryReaderListsPathOrder() throws {
        let box = try Sandbox()
        try makeFunction(box)
        let published = try box.json(try box.lvc("publish", "--json"))
        let zip = box.root.deletingLastPathComponent().appendingPathComponent("v1.zip").path
        let printed = try box.lvc("export", "1", "-o", zip).stdout.trimmingCharacters(in: .newlines)
        let read = try read(box, zip)
        #expect(read["local"] as? [String] == ["aaa.bin", "vendor/lib.so", "app.py", "bbb.bin", "link", "z.txt"])
        #expect(read["central"] as? [String] == ["aaa.bin", "app.py", "bbb.bin", "link", "vendor/lib.so", "z.txt"])
        #expect(read["bad"] is NSNull, "zipfile's CRC test: \(read["bad"] ?? "")")
        #expect(read["sha"] as? String == printed)
        #expect(published["CodeSha256"] as? String == printed)
        let listing = try box.run("/usr/bin/unzip", ["-Z1", zip])
        #expect(listing.stdout == "aaa.bin\napp.py\nbbb.bin\nlink\nvendor/lib.so\nz.txt\n")
        #expect(try box.run("/usr/bin/unzip", ["-t", zip]).status == 0)
        #expect(try box.git("log", "-1", "--format=%B", "refs/versions/1").stdout.contains("\nLambda-Package-Layout: 2\n"))
    }

    /// Replaces version 1's commit with one whose message went through `edit`.
    func rewriteVersion1(_ box: Sandbox, _ edit: (String) -> String) throws {
        let old = try box.git("rev-parse", "refs/versions/1").stdout.trimmingCharacters(in: .newlines)
        let tree = try box.git("rev-parse", "refs/versions/1^{tree}").stdout.trimmingCharacters(in: .newlines)
        let message = edit(try box.git("log", "-1", "--format=%B", old).stdout)
        let file = box.root.deletingLastPathComponent().appendingPathComponent("message").path
        try Data(message.utf8).write(to: URL(fileURLWithPath: file))
        var env = Sandbox.fixedEnvironment
        for key in ["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"] { env[key] = "Test" }
        for key in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"] { env[key] = "test@example.invalid" }
        let made = try box.run("/usr/bin/git", ["--git-dir=\(box.path)/.lambda", "commit-tree", tree, "-F", file], environment: env)
        try #require(made.status == 0, "\(made.stderr)")
        let new = made.stdout.trimmingCharacters(in: .newlines)
        for ref in ["refs/versions/1", "refs/heads/main"] {
            try #require(try box.git("update-ref", ref, new, old).status == 0)
        }
    }

    /// A version recorded before layout 2 (no `Lambda-Package-Layout` trailer) exports in path
    /// order, with the CodeSha256 it records; `fsck --packages` agrees. A layout this lvc does not
    /// know is refused by name.
    @Test func versionsOfTheFirstLayoutExportAsRecorded() throws {
        let box = try Sandbox()
        try makeFunction(box)
        try box.lvc("publish")
        let dir = box.root.deletingLastPathComponent()
        let current = dir.appendingPathComponent("current.zip").path, old = dir.appendingPathComponent("old.zip").path
        try box.lvc("export", "1", "-o", current)
        let relaid = try read(box, current, relaidTo: old)
        let oldSha = try #require(relaid["old_sha"] as? String), oldSize = try #require(relaid["old_size"] as? Int)
        #expect(oldSha != relaid["sha"] as? String)
        try rewriteVersion1(box) { message in
            message.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
                if line.hasPrefix("Lambda-Package-Layout:") { return nil }
                if line.hasPrefix("Lambda-Code-Sha256:") { return "Lambda-Code-Sha256: \(oldSha)" }
                if line.hasPrefix("Lambda-Code-Size:") { return "Lambda-Code-Size: \(oldSize)" }
                return String(line)
            }.joined(separator: "\n")
        }
        let shown = try box.json(try box.lvc("show", "1", "--json"))
        #expect(shown["CodeSha256"] as? String == oldSha)
        let exported = dir.appendingPathComponent("exported.zip").path
        #expect(try box.lvc("export", "1", "-o", exported).stdout == oldSha + "\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: exported)) == Data(contentsOf: URL(fileURLWithPath: old)))
        let reread = try read(box, exported)
        #expect(reread["local"] as? [String] == reread["central"] as? [String])
        let fsck = try box.lvc("fsck", "--packages", "--verbose")
        #expect(fsck.stdout.contains("1 versions") && fsck.stdout.hasSuffix(" packages: ok\n"), "\(fsck.stdout)")
        try box.expectGitFsckClean(allowDangling: true)

        try rewriteVersion1(box) { $0.replacingOccurrences(of: "Lambda-Code-Size:", with: "Lambda-Package-Layout: 9\nLambda-Code-Size:") }
        let refused = try box.lvcFails("export", "1", "-o", exported)
        #expect(refused.stderr.contains("layout this lvc does not know"), "\(refused.stderr)")
        let broken = try box.lvcFails("fsck", "--packages")
        #expect(broken.stdout.contains("layout this lvc does not know") || broken.stderr.contains("layout this lvc does not know"),
                "\(broken.stdout)\(broken.stderr)")
    }
}
