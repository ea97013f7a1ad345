import Foundation
import LVCStore
import Testing

/// Runs the real `lvc` binary (and git) in a private temp folder.
final class Sandbox: @unchecked Sendable {
    let root: URL
    var path: String { root.path }

    init(_ name: String = "fn") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-e2e-\(UUID().uuidString)")
        root = base.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }

    struct Output {
        var status: Int32
        var stdoutBytes: Data
        var stderr: String
        /// Decoded when asked for: a test of a 7 MB binary file compares bytes only.
        var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    }

    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["LVC_BINARY"] { return explicit }
        var dir = URL(fileURLWithPath: #filePath)
        while dir.path != "/" {
            dir.deleteLastPathComponent()
            for build in [".build/debug/lvc", ".build/release/lvc"] {
                let candidate = dir.appendingPathComponent(build).path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return "lvc"
    }()

    static let fixedEnvironment: [String: String] = {
        var env = ProcessInfo.processInfo.environment
        env["LVC_DATE"] = "1700000000"
        env["LVC_AUTHOR_NAME"] = "Test"
        env["LVC_AUTHOR_EMAIL"] = "test@example.invalid"
        env["NO_COLOR"] = "1"
        return env
    }()

    @discardableResult
    func run(_ executable: String, _ arguments: [String], in directory: String? = nil, stdin: Data? = nil,
             environment: [String: String]? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? path)
        process.environment = environment ?? Sandbox.fixedEnvironment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes concurrently so that neither can fill up and block the child.
        let errBox = DataBox()
        let errReader = Thread { errBox.data = err.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errReader.isFinished { usleep(1000) }
        let errData = errBox.data
        return Output(status: process.terminationStatus, stdoutBytes: outData, stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs lvc and expects success.
    @discardableResult
    func lvc(_ arguments: String..., in directory: String? = nil) throws -> Output {
        let output = try run(Sandbox.binary, arguments, in: directory)
        #expect(output.status == 0, "lvc \(arguments.joined(separator: " ")) failed: \(output.stderr)")
        return output
    }

    /// Runs lvc and expects failure.
    func lvcFails(_ arguments: String..., in directory: String? = nil) throws -> Output {
        let output = try run(Sandbox.binary, arguments, in: directory)
        #expect(output.status != 0, "lvc \(arguments.joined(separator: " ")) should have failed")
        return output
    }

    @discardableResult
    func git(_ arguments: String...) throws -> Output {
        try run("/usr/bin/git", ["--git-dir=\(path)/.lambda"] + arguments)
    }

    /// `git fsck --strict` must be clean: exit 0 and no error or warning lines.
    /// `git fsck --strict` reports nothing: no error, no warning, and no dangling object (every
    /// tree lvc writes for $LATEST is in the history at refs/lvc/latest). After a kill, objects
    /// written before the commit point may be dangling, as in git: `allowDangling`.
    func expectGitFsckClean(allowDangling: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let output = try git("fsck", "--strict")
        #expect(output.status == 0, "git fsck failed: \(output.stderr)", sourceLocation: sourceLocation)
        if !allowDangling {
            #expect(!output.stdout.contains("dangling"), "git fsck: \(output.stdout)", sourceLocation: sourceLocation)
        }
        #expect(!output.stderr.contains("error"), "git fsck: \(output.stderr)", sourceLocation: sourceLocation)
        #expect(!output.stderr.contains("warning"), "git fsck: \(output.stderr)", sourceLocation: sourceLocation)
    }

    func write(_ relative: String, _ content: String, executable: Bool = false) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: url.path)
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(relative).path, withDestinationPath: target)
    }

    func exists(_ relative: String) -> Bool {
        var st = stat()
        return lstat(root.appendingPathComponent(relative).path, &st) == 0
    }

    /// Every file under a folder with its bytes' hash: "nothing changed on disk" compares two of these.
    func snapshot(_ relative: String = "") throws -> [String: String] {
        var result = [String: String]()
        let base = relative.isEmpty ? root : root.appendingPathComponent(relative)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { return result }
        while let name = walker.nextObject() as? String {
            let full = base.appendingPathComponent(name).path
            var st = stat()
            lstat(full, &st)
            if (st.st_mode & S_IFMT) == S_IFREG {
                // SHA-256 of the whole content: Data's hashValue only looks at its first 80 bytes.
                let data = FileManager.default.contents(atPath: full) ?? Data()
                result[name] = "\(st.st_mode & 0o777):\(data.count):\(ObjectID(bytes: ByteHasher.digest(data)).hex)"
            } else if (st.st_mode & S_IFMT) == S_IFLNK {
                result[name] = "link:" + ((try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? "")
            } else {
                result[name] = "dir"
            }
        }
        return result
    }

    /// A small Node.js function: index.js, a library folder, an executable and a symlink.
    func makeExampleFunction() throws {
        try write("index.js", "exports.handler = async () => ({statusCode: 200});\n")
        try write("lib/util.js", "module.exports = { add: (a, b) => a + b };\n")
        try write("bootstrap", "#!/bin/sh\nexec node index.js\n", executable: true)
        try symlink("current.js", to: "lib/util.js")
    }

    /// The example function published as version 1.
    static func publishedExample() throws -> Sandbox {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish")
        return box
    }

    /// The example function published as version 1, then with `index.js` changed as version 2.
    static func twoExampleVersions() throws -> Sandbox {
        let box = try publishedExample()
        try box.write("index.js", "v2\n")
        try box.lvc("add")
        try box.lvc("publish")
        return box
    }

    func json(_ output: Output) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: output.stdoutBytes) as? [String: Any])
    }
}

final class DataBox: @unchecked Sendable {
    var data = Data()
    var count = 0
    let lock = NSLock()
}

extension NSLock {
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

extension Sandbox {
    /// A folder beside the sandbox's function folder (removed with it), for a git work tree to
    /// compare with.
    var twin: String { root.deletingLastPathComponent().appendingPathComponent("git").path }

    /// Runs git, with a fixed identity, in the twin's folder (or `folder` inside it).
    @discardableResult
    func inTwin(_ arguments: [String], folder: String = "", environment: [String: String]? = nil) throws -> Output {
        try run("/usr/bin/git", ["-c", "user.name=t", "-c", "user.email=t@t"] + arguments,
                in: folder.isEmpty ? twin : twin + "/" + folder, environment: environment)
    }

    /// Commits everything in the twin's folder (a SHA-256 repository, made on first use).
    func commitTwin(_ message: String) throws {
        if !FileManager.default.fileExists(atPath: twin + "/.git") { try inTwin(["init", "-q", "--object-format=sha256"]) }
        try inTwin(["add", "-A"])
        try inTwin(["commit", "-qm", message])
    }

    /// Random paths for the tests that hold lvc to git: `count` draws of 1…`depth` components
    /// from `names`, each made by `make` (given the full path) in a folder created for it. A draw
    /// whose path, or one of whose folders, an earlier draw took as something else is skipped.
    /// Paths are used as they are, never through URLs (`#` and `[` are legal in names). Returns
    /// the paths made, in the order drawn.
    @discardableResult
    func scatter(_ names: [String], count: Int, depth: Int, rng: inout SplitMix,
                 make: (String, inout SplitMix) -> Bool) -> [String] {
        var made = [String]()
        for _ in 0..<count {
            var components = [String]()
            for _ in 0...rng.below(depth) { components.append(names[rng.below(names.count)]) }
            let path = components.joined(separator: "/"), full = self.path + "/" + path
            guard (try? FileManager.default.createDirectory(atPath: self.path + "/" + components.dropLast().joined(separator: "/"),
                                                            withIntermediateDirectories: true)) != nil,
                  (try? FileManager.default.attributesOfItem(atPath: full)) == nil,
                  (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) == nil,
                  make(full, &rng)
            else { continue }
            made.append(path)
        }
        return made
    }
}

/// A small seeded generator (SplitMix64), so that random test data, kill moments and fuzz cases
/// repeat exactly for a seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    /// A number in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
