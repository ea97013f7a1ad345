import Foundation
import Testing

/// `lvc diff` (the folder against `$LATEST`) prints what `git diff` prints for the same edits:
/// random small trees, published, then edited the same way in a git work tree (files modified,
/// deleted, added, made executable, emptied, replaced by symlinks; some files empty from the
/// start). New files are what `lvc add` would
/// stage, so git is told of them with `git add --intent-to-add`. `lvc status --short` is compared
/// with `git status --porcelain` on the same edits, and, from a folder inside, with
/// `git status --short` (paths relative to that folder).
@Suite struct FolderDiffTests {
    static let names = ["a", "b", "c.js", "d.txt", "lib", "x"]

    @Test(arguments: 1...3)
    func folderDiffIsGits(seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        for _ in 0..<10 {
            let box = try Sandbox()
            let git = box.twin
            let files = box.scatter(Self.names, count: 10, depth: 4, rng: &rng) { full, rng in
                FileManager.default.createFile(atPath: full, contents: Data((rng.next() % 4 == 0 ? "" : "x\n\(full.count)\n").utf8))
            }
            try FileManager.default.copyItem(atPath: box.path, toPath: git)
            try box.lvc("init")
            try box.lvc("add")
            try box.lvc("publish")
            try box.commitTwin("v1")

            var edits = [String]()
            for _ in 0..<4 {
                let path = files.isEmpty ? "a" : files[rng.below(files.count)]
                let edit = rng.below(6)
                edits.append("\(edit) \(path)")
                for base in [box.path, git] {
                    let full = base + "/" + path
                    let attributes = try? FileManager.default.attributesOfItem(atPath: full)
                    guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
                    switch edit {
                    case 0: try Data((String(decoding: FileManager.default.contents(atPath: full)!, as: UTF8.self) + "more\n").utf8).write(to: URL(fileURLWithPath: full))
                    case 1: try FileManager.default.removeItem(atPath: full)
                    case 2: _ = FileManager.default.createFile(atPath: full + "-new", contents: Data("new\n".utf8))
                    case 3: try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full)
                    case 4: try Data().write(to: URL(fileURLWithPath: full))
                    default:
                        try FileManager.default.removeItem(atPath: full)
                        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: "target")
                    }
                }
            }
            let untracked = try box.inTwin(["ls-files", "--others", "-z"]).stdout.split(separator: "\0").map(String.init)
            if !untracked.isEmpty { _ = try box.inTwin(["add", "--intent-to-add", "--"] + untracked) }
            let ours = try box.lvc("diff", "--code-only").stdout
            let gits = try box.inTwin(["diff", "--no-color", "--no-renames"]).stdout
            #expect(ours == gits, "edits \(edits) of \(files)")
            // And status says the same: git's " A" for a file it was told of is lvc's "??".
            let status = try box.lvc("status", "--short").stdout
            let porcelain = try box.inTwin(["status", "--porcelain"]).stdout
            func lines(_ text: String) -> [String] {
                text.split(separator: "\n").map { $0.hasPrefix(" A ") ? "??" + $0.dropFirst(2) : String($0) }.sorted()
            }
            #expect(lines(status) == lines(porcelain), "edits \(edits) of \(files)")
            // From a folder inside, both give paths relative to it (`../x`), as `add` takes them.
            let folders = Set(files.compactMap { $0.contains("/") ? String($0[..<$0.lastIndex(of: "/")!]) : nil })
            if let folder = folders.sorted().first(where: { FileManager.default.fileExists(atPath: box.path + "/" + $0) }) {
                let inside = try box.lvc("status", "--short", in: box.path + "/" + folder).stdout
                let gitInside = try box.inTwin(["status", "--short"], folder: folder).stdout
                #expect(lines(inside) == lines(gitInside), "in \(folder): edits \(edits) of \(files)")
            }
        }
    }
}
