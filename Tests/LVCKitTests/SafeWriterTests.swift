import Foundation
import Testing
@testable import LVCKit
@testable import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `SafeWriter` leaves when it replaces a file, a link or a hard-linked file: the new content
/// at the path, and nothing it did not own changed.
@Suite struct SafeWriterTests {
    let root: String
    let staging: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-safe-\(UUID().uuidString)").path
        staging = root + "/.lambda/lvc/tmp"
        try FileSystem.makeDirectories(staging)
    }

    func write(_ path: String, _ content: String, mode: EntryMode = .file) throws -> StatData {
        let writer = SafeWriter(root: root, temporaryDirectory: staging)
        return try writer.write(Array(path.utf8), mode: mode, replaceable: { _ in true }) { sink in
            try Array(content.utf8).withUnsafeBytes { try sink($0) }
        }
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: root + "/" + path, encoding: .utf8) }

    @Test func replacesAFileWithoutWritingIntoIt() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try write("app/handler.py", "old\n")
        // A hard link elsewhere shares the old file's inode: it must keep the old bytes.
        #expect(link(root + "/app/handler.py", root + "/kept.py") == 0)
        let written = try write("app/handler.py", "new content\n", mode: .executable)
        #expect(try read("app/handler.py") == "new content\n")
        #expect(try read("kept.py") == "old\n")
        #expect(written.size == 12)
        var st = stat()
        #expect(lstat(root + "/app/handler.py", &st) == 0 && st.st_mode & 0o777 == 0o755 && st.st_nlink == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging).isEmpty)
    }

    @Test func replacesALinkNotWhatItPointsTo() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let outside = root + "-outside.txt"
        defer { unlink(outside) }
        #expect(FileManager.default.createFile(atPath: outside, contents: Data("outside\n".utf8)))
        try FileSystem.makeDirectories(root + "/app")
        #expect(symlink(outside, root + "/app/config.json") == 0)
        _ = try write("app/config.json", "{}\n")
        #expect(try read("app/config.json") == "{}\n")
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "outside\n")
        var st = stat()
        #expect(lstat(root + "/app/config.json", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG)
    }
    /// After the last file of a folder is removed, the folders left empty go too, deepest first,
    /// up to the first one that still holds something.
    @Test func prunesTheFoldersLeftEmpty() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try write("a/b/c/deep.txt", "deep\n")
        _ = try write("a/kept.txt", "kept\n")
        let writer = SafeWriter(root: root, temporaryDirectory: staging)
        try writer.remove(Array("a/b/c/deep.txt".utf8))
        writer.pruneEmptyFolders(above: Array("a/b/c/deep.txt".utf8))
        #expect(!FileManager.default.fileExists(atPath: root + "/a/b"))
        #expect(try read("a/kept.txt") == "kept\n")
        // A path at the top has no folder to prune; the root itself is never removed.
        _ = try write("top.txt", "top\n")
        try writer.remove(Array("top.txt".utf8))
        writer.pruneEmptyFolders(above: Array("top.txt".utf8))
        writer.pruneEmptyFolders(above: Array("a/kept.txt".utf8))
        #expect(FileManager.default.fileExists(atPath: root + "/a/kept.txt"))
    }
}
