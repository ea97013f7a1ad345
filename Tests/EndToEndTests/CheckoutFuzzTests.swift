import Foundation
import Testing

/// `lvc checkout N --force` makes every file of version N exactly what it was (content, mode,
/// symlink target) whatever the folder held: random trees with links and executables, two
/// versions, then random local files, links and folders on top. When untracked files stand in a
/// folder where the version has a file, checkout must refuse and change nothing; once they are
/// moved away it must succeed.
@Suite struct CheckoutFuzzTests {
    static let names = ["a", "b", "c.js", "lib", "x"]

    /// Up to eight random files (some executable) or links, wherever paths are free.
    func scatter(_ box: Sandbox, _ rng: inout SplitMix) {
        box.scatter(Self.names, count: 8, depth: 4, rng: &rng) { full, rng in
            switch rng.next() % 7 {
            case 0: return (try? FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: ["a", "../x", "/opt/layer"][Int(rng.next() % 3)])) != nil
            case 1: return FileManager.default.createFile(atPath: full, contents: Data("\(rng.next())\n".utf8), attributes: [.posixPermissions: 0o755])
            default: return FileManager.default.createFile(atPath: full, contents: Data("\(rng.next())\n".utf8))
            }
        }
    }

    /// Removes everything but `.lambda`.
    func clear(_ box: Sandbox) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: box.path) where name != ".lambda" {
            try FileManager.default.removeItem(atPath: box.path + "/" + name)
        }
    }

    @Test(arguments: 1...3)
    func forcedCheckoutRestoresEveryFile(seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        for _ in 0..<8 {
            let box = try Sandbox()
            scatter(box, &rng)
            try box.lvc("init")
            try box.lvc("add")
            try box.lvc("publish")
            let one = try box.snapshot()
            try clear(box)
            scatter(box, &rng)
            try box.lvc("add")
            try box.lvc("publish")
            let two = try box.snapshot()
            for (number, version) in [(1, one), (2, two)] {
                scatter(box, &rng)  // local files, links and folders on top of whatever is there
                let before = try box.snapshot()
                var checkout = try box.run(Sandbox.binary, ["checkout", String(number), "--force"])
                if checkout.status != 0 {
                    #expect(checkout.stderr.contains("holds files lvc does not track"), "\(checkout.stderr)")
                    #expect(try box.snapshot() == before, "a refused checkout changed the folder")
                    for line in checkout.stderr.split(separator: "\n") where line.hasPrefix("\t") {
                        try FileManager.default.removeItem(atPath: box.path + "/" + line.dropFirst())
                    }
                    checkout = try box.run(Sandbox.binary, ["checkout", String(number), "--force"])
                }
                #expect(checkout.status == 0, "\(checkout.stderr)")
                let now = try box.snapshot()
                for (path, state) in version where !path.hasPrefix(".lambda") && state != "dir" {
                    #expect(now[path] == state, "\(path) after checkout \(number)")
                }
                #expect(try box.lvc("fsck").status == 0)
            }
        }
    }
}
