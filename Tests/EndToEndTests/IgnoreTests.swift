import Foundation
import Testing

/// `.lambdaignore` has gitignore's syntax and meaning. Checked against git itself: random trees
/// and random rule files (anchors, trailing slashes, `**`, negations, classes, escapes, trailing
/// spaces), staged by `lvc add` with the rules as `.lambdaignore` and by `git add -A` with the
/// same rules as `.gitignore`; both must stage exactly the same files.
@Suite struct IgnoreTests {
    static let names = ["a", "b", "ab", "a.log", "b.txt", "x.js", "node_modules", "lib", "build", "deep",
                        "c d", "[x]", "#h", "!bang", "t e"]
    static let patterns = ["*.log", "/a", "a/", "lib/", "lib", "/lib/*.js", "**/build", "build/**", "a/**/b",
                           "deep/**/x.js", "!a.log", "!lib/x.js", "*.js", "!*.js", "[ab]", "?", "b*", "\\#h",
                           "\\!bang", "node_modules/", "/deep/a", "x.js ", "*", "!b.txt", "lib/**", "**/", "a*/",
                           "ab/", "d?ep/", "**/x.js", "!/lib", "c\\ d", "# comment", "", "[!a]*.txt", "*/x.js"]

    @Test(arguments: 1...4)
    func agreesWithGit(seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        for _ in 0..<10 {
            let box = try Sandbox()
            let git = box.twin
            let written = box.scatter(Self.names, count: 25, depth: 5, rng: &rng) { full, _ in
                FileManager.default.createFile(atPath: full, contents: Data("x\n".utf8))
            }
            var lines = [String]()
            for _ in 0...rng.below(5) { lines.append(Self.patterns[rng.below(Self.patterns.count)]) }
            let rules = lines.joined(separator: "\n") + "\n"
            try FileManager.default.copyItem(atPath: box.path, toPath: git)
            try rules.write(toFile: box.path + "/.lambdaignore", atomically: true, encoding: .utf8)
            try rules.write(toFile: git + "/.gitignore", atomically: true, encoding: .utf8)

            try box.lvc("init")
            try box.lvc("add")
            let listing = try #require(JSONSerialization.jsonObject(with: box.lvc("ls", "LATEST", "--json").stdoutBytes) as? [[String: Any]])
            let ours = Set(listing.compactMap { $0["Path"] as? String })
            #expect(try box.inTwin(["init", "-q"]).status == 0)
            #expect(try box.inTwin(["add", "-A"]).status == 0)
            let staged = try box.inTwin(["-c", "core.quotePath=false", "ls-files"]).stdout
            let gits = Set(staged.split(separator: "\n").map(String.init)).subtracting([".gitignore"])
            #expect(ours == gits, "rules \(rules.debugDescription) over \(written): lvc only \(ours.subtracting(gits).sorted()), git only \(gits.subtracting(ours).sorted())")
            #expect(!gits.isEmpty || !written.isEmpty)
        }
    }
}
