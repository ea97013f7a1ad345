import Foundation
import Testing

/// `lvc diff --stat` lays its table out as git 2.39 does, whatever the width: long names cut to
/// `.../rest`, bars scaled to the room left, counts aligned with `Bin`. Random versions of a few
/// files (names up to five long components, up to 700 lines changed, sometimes a binary file) are
/// published with lvc and committed with git, and both tables are compared at several widths
/// (`COLUMNS`, which both read) and at the default width of a pipe (80).
@Suite struct StatLayoutTests {
    static let names = ["a", "lib", "handler.py", "a_rather_long_folder_name", "node_modules", "x.js",
                        "an-even-longer-file-name-for-the-layout.js"]

    @Test(arguments: 1...2)
    func statLayoutIsGits(seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        for round in 0..<6 {
            let box = try Sandbox()
            var before = [String: [String]]()
            box.scatter(Self.names, count: 1 + rng.below(6), depth: 5, rng: &rng) { full, rng in
                let lines = (0..<rng.below(300)).map { "line \($0) of \(full.count)" }
                before[full] = lines
                return FileManager.default.createFile(atPath: full, contents: Data(lines.map { $0 + "\n" }.joined().utf8))
            }
            if rng.below(3) == 0 {
                _ = FileManager.default.createFile(atPath: box.path + "/blob.bin", contents: Data(repeating: 0, count: rng.below(5000)))
            }
            let git = box.twin
            try FileManager.default.copyItem(atPath: box.path, toPath: git)
            try box.lvc("init")
            try box.lvc("add")
            try box.lvc("publish")
            try box.commitTwin("v1")
            // Version 2: every file loses random lines and gains new ones; the binary file grows.
            for (full, lines) in before {
                let kept = lines.filter { _ in rng.below(4) != 0 }
                let added = (0..<rng.below(rng.below(2) == 0 ? 20 : 400)).map { "new \($0)" }
                let text = Data((kept + added).map { $0 + "\n" }.joined().utf8)
                for base in [box.path, git] {
                    _ = FileManager.default.createFile(atPath: base + full.dropFirst(box.path.count), contents: text)
                }
            }
            let grown = Data(repeating: 1, count: rng.below(9000))
            for base in [box.path, git] where FileManager.default.fileExists(atPath: base + "/blob.bin") {
                _ = FileManager.default.createFile(atPath: base + "/blob.bin", contents: grown + Data([0]))
            }
            try box.lvc("add")
            try box.lvc("publish")
            try box.commitTwin("v2")
            for columns in [nil, 12, 30, 57, 80, 131] {
                var environment = Sandbox.fixedEnvironment
                environment["COLUMNS"] = columns.map(String.init)
                let ours = try box.run(Sandbox.binary, ["diff", "1", "2", "--stat", "--code-only"], environment: environment).stdout
                let gits = try box.inTwin(["diff", "--stat", "--no-renames", "HEAD~1", "HEAD"], environment: environment).stdout
                #expect(ours == gits, "seed \(seed), round \(round), COLUMNS=\(columns.map(String.init) ?? "unset")")
            }
        }
    }
}
