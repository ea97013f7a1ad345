@testable import LVCKit
@testable import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one fuzz target does with an input. Every decoder lvc runs on bytes it did not write
/// itself (objects, packs, the index, zips given to `import`, records under `.lambda/`) must
/// return a value or throw: a trap (out-of-range index, overflow, failed unwrap), a hang or a
/// runaway allocation is a finding. The targets throw nothing away that could fail silently: an
/// error is the expected answer to most inputs.
enum Target: String, CaseIterable {
    case commit, tree, index, delta, loose, pack, zip, json, config, ignore, records

    func run(_ bytes: [UInt8]) {
        switch self {
        case .commit: _ = try? Commit.decode(bytes)
        case .tree: _ = try? Tree.decode(bytes)
        case .index:
            // The trailing checksum is taken as verified, so that the damage reaches the entries.
            _ = try? Index.decode(bytes, checksumVerified: true)
        case .delta:
            // The first two bytes give the base's length; the base follows, then the delta.
            guard bytes.count >= 2 else { return }
            let baseCount = min(Int(bytes[0]) | Int(bytes[1]) << 8, bytes.count - 2)
            let base = Array(bytes[2..<(2 + baseCount)]), delta = Array(bytes[(2 + baseCount)...])
            _ = try? Delta.header(delta)
            _ = try? Delta.apply(delta, to: base)
        case .loose: Scratch.shared.readLoose(bytes)
        case .pack: Scratch.shared.readPack(bytes)
        case .zip: Scratch.shared.readZip(bytes)
        case .json: _ = try? JSONParser.parse(bytes)
        case .config: _ = try? FunctionConfiguration.decode(bytes)
        case .ignore:
            // The first line is a path to match; the rest is a .lambdaignore.
            let newline = bytes.firstIndex(of: 0x0A) ?? bytes.count
            let path = Array(bytes[..<newline])
            let rules = IgnoreRules(text: String(decoding: bytes[min(newline + 1, bytes.count)...], as: UTF8.self))
            _ = rules.isIgnored(path, isDirectory: false)
            _ = rules.isIgnored(path, isDirectory: true)
            _ = rules.isIgnored(Array("lib/python3.12/site-packages/boto3/__init__.py".utf8), isDirectory: false)
        case .records:
            _ = KeyValueRecord.parse(bytes)
            _ = Alias.decode(bytes)
            _ = Trigger.decode(bytes)
            _ = PackageCheckpoints.decode(bytes)
            _ = Signature.parse(Substring(String(decoding: bytes, as: UTF8.self)))
        }
    }
}

/// A store in a temporary folder (on tmpfs when there is one) whose files each input replaces.
final class Scratch {
    nonisolated(unsafe) static let shared = Scratch()

    let root: String
    let objects: String
    /// The loose object the `loose` target writes: any id will do, as long as it is the same.
    let looseID = ObjectHasher.id(of: .blob, body: Array("fuzz\n".utf8))

    private init() {
        var template = Array((access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp").utf8CString.dropLast())
        template += Array("/lvc-fuzz-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("lvc-fuzz: cannot make a temporary folder") }
        root = String(cString: made)
        objects = root + "/objects"
        try! FileSystem.makeDirectories(objects + "/pack")
        try! FileSystem.makeDirectories(root + "/tmp")
        try! FileSystem.makeDirectories(objects + "/" + looseID.hex.prefix(2))
    }

    func store() -> ObjectStore { ObjectStore(objectsDirectory: objects, temporaryDirectory: root + "/tmp") }

    func put(_ bytes: [UInt8], at path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "lvc-fuzz: cannot write \(path)")
        defer { close(fd) }
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                precondition(n > 0, "lvc-fuzz: cannot write \(path)")
                done += n
            }
        }
    }

    /// The bytes as the zlib file of a loose object, read whole and streamed.
    func readLoose(_ bytes: [UInt8]) {
        let store = store()
        put(bytes, at: store.loose.path(of: looseID))
        _ = try? store.read(looseID)
        _ = try? store.streamBlob(looseID) { _ in }
    }

    /// The bytes as a pack and its index: the first four bytes (little-endian) give the index's
    /// length. Every object the index lists is read, whole and streamed.
    func readPack(_ bytes: [UInt8]) {
        guard bytes.count >= 4 else { return }
        let indexCount = min(Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24, bytes.count - 4)
        let name = objects + "/pack/pack-" + String(repeating: "0", count: 64)
        put(Array(bytes[4..<(4 + indexCount)]), at: name + ".idx")
        put(Array(bytes[(4 + indexCount)...]), at: name + ".pack")
        let store = store()  // new each time: packs are mapped once per store
        guard let ids = try? store.packs.allIDs() else { return }
        for id in ids.prefix(64) {
            _ = try? store.read(id)
            _ = try? store.streamBlob(id) { _ in }
        }
    }

    /// The bytes as a zip given to `lvc import`: judged as import judges it, then every entry
    /// is inflated, whether or not the package passed (the reader must hold on its own):
    /// streamed, and read into memory as a symlink target is.
    func readZip(_ bytes: [UInt8]) {
        let path = root + "/package.zip"
        put(bytes, at: path)
        _ = try? PackageImport(path: path, displayName: "package.zip")
        guard let archive = try? ZipArchive(path: path), let reader = try? ZipArchive.Reader() else { return }
        for entry in archive.entries.prefix(64) {
            try? archive.stream(entry, with: reader) { _ in }
            _ = try? archive.contents(of: entry, with: reader, limit: 4096)
        }
    }
}
