import Foundation
import Testing
@testable import LVCKit
@testable import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `checkout --force` stats only the tracked files (`scanTracked`); what it finds must be what a
/// full walk of the folder finds for those paths, in the same order, and nothing behind a symlink.
@Suite struct WorktreeScannerTests {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-scan-\(UUID().uuidString)").path
        try FileSystem.makeDirectories(root)
    }

    func make(_ path: String, _ content: String = "x\n") throws {
        let full = root + "/" + path
        try FileSystem.makeDirectories(String(full[..<full.lastIndex(of: "/")!]))
        try content.write(toFile: full, atomically: false, encoding: .utf8)
    }

    @Test func trackedFilesAreFoundAsAFullWalkFindsThem() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Names whose byte order puts a sibling between a folder's name and its content ('-' and
        // '.' sort before '/', '0' after it), deep folders, and files at the top.
        let files = ["a-b/x", "a.txt", "a/b/c", "a/b/d/e/f/g.py", "a/b0/y", "a/c", "a/d/e/f/h.py", "b",
                     "lib/deep/er/still/x.js", "lib/z.js", "z/a", "zz"]
        for file in files { try make(file, "content of \(file)\n") }
        #expect(chmod(root + "/a/c", 0o755) == 0)
        #expect(symlink("a.txt", root + "/link") == 0)
        let tracked = (files + ["link", "missing/file", "a/b/gone.txt"]).map { Array($0.utf8) }
            .sorted { $0.lexicographicallyPrecedes($1) }

        let found = try WorktreeScanner.scanTracked(root: root, paths: tracked)
        let walked = try WorktreeScanner.scan(root: root, ignore: .none)
        #expect(found.files.map(\.pathString) == walked.files.map(\.pathString))
        #expect(found.files.map(\.pathString) == (files + ["link"]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for (a, b) in zip(found.files, walked.files) {
            #expect(a.mode == b.mode && a.stat == b.stat, "\(a.pathString)")
        }
        #expect(found.files.first { $0.pathString == "a/c" }?.mode == .executable)
        #expect(found.files.first { $0.pathString == "link" }?.mode == .symlink)
    }

    @Test func aTrackedFolderReplacedByASymlinkHidesItsFiles() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        // lib/ became a link to a folder holding files of the same names: they are not lib's.
        try make("elsewhere/a.js")
        try make("elsewhere/sub/b.js")
        try make("top.js")
        #expect(symlink("elsewhere", root + "/lib") == 0)
        let tracked = ["lib/a.js", "lib/sub/b.js", "top.js"].map { Array($0.utf8) }

        let found = try WorktreeScanner.scanTracked(root: root, paths: tracked)
        #expect(found.files.map(\.pathString) == ["top.js"])
    }

    /// Two names whose sort keys differ are ordered by their keys exactly as git's tree order
    /// orders them (files and folders, names shorter and longer than eight bytes, bytes just
    /// below and above "/", non-ASCII bytes).
    @Test func sortKeysOrderNamesAsGitDoes() {
        let alphabet: [UInt8] = [0x2D, 0x2E, 0x30, 0x41, 0x61, 0x7A, 0xC3, 0xFF]  // - . 0 A a z, high bytes
        var state: UInt64 = 0x5EED_2026_1128
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var names = [(name: [UInt8], isDir: Bool)]()
        for _ in 0..<600 {
            let name = (0..<(1 + next(11))).map { _ in alphabet[next(alphabet.count)] }
            names.append((name, next(2) == 0))
            names.append((name + [0x2E, 0x6A, 0x73], false))  // and the same with ".js"
        }
        var decided = 0
        for _ in 0..<100_000 {
            let a = names[next(names.count)], b = names[next(names.count)]
            let ka = WorktreeScanner.sortKey(a.name[...], isDir: a.isDir), kb = WorktreeScanner.sortKey(b.name[...], isDir: b.isDir)
            guard ka != kb else { continue }
            decided += 1
            let order = TreeEntry.compareNames(a.name, a.isDir, b.name, b.isDir)
            #expect((ka < kb) == (order < 0), "\(a) \(b)")
        }
        #expect(decided > 50_000)
    }
}
