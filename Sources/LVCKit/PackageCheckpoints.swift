import LVCStore

/// Saved SHA-256 states of the last deployment package lvc computed, so that the CodeSha256 of the
/// next one is hashed only from the first file that differs (SHA-256 cannot skip a part that did
/// not change, but it can resume from a state saved at the end of that part).
///
/// One file, `.lambda/lvc/package-cache/checkpoints`, for one code tree: every time the zip's
/// offset has grown by `spacing` bytes since the last checkpoint, the hash state before the next
/// entry is kept, with the hash of the list of entries before it (in the zip's data order). A
/// package whose list starts the same way resumes from the last checkpoint before its first
/// difference. Also holds that package's digest, so the same tree is not hashed twice. Only
/// packages in the current layout are saved. Format.md §14.5; decisions 0013 and 0026.
struct PackageCheckpoints: Equatable {
    struct Checkpoint: Equatable {
        /// Entries before this index have been hashed.
        var entryIndex: Int
        /// The zip's length at that point.
        var offset: Int
        var state: [UInt8]
        /// `EntryListHasher`'s digest of the entries before `entryIndex`.
        var entries: [UInt8]
    }

    var codeTree: ObjectID
    var entryCount: Int
    var digest: DeploymentPackage.Digest
    /// In increasing entry index.
    var checkpoints: [Checkpoint]

    static let spacing = 1 << 20
    static let magic = Array("LVCP".utf8)
    static let formatVersion: UInt32 = 2  // 1: before layout 2 and the entry lists (ignored)

    /// The saved checkpoints, or nil when there are none, they were made with another zlib (whose
    /// deflate output may differ), or the file is damaged in any way.
    static func load(from path: String) -> PackageCheckpoints? {
        guard let bytes = try? FileSystem.readIfExists(path) else { return nil }
        return decode(bytes)
    }

    /// Best effort, atomic (temp file + rename). No fsync: a file damaged by a crash fails its
    /// checksum and is ignored.
    func save(to path: String) {
        try? FileSystem.atomicWrite(path, encode(), sync: false)
    }

    func encode() -> [UInt8] {
        var out = PackageCheckpoints.magic
        out.appendBigEndian(PackageCheckpoints.formatVersion)
        let zlib = Array(Zlib.version.utf8.prefix(255))
        out.append(UInt8(zlib.count))
        out += zlib
        out += codeTree.bytes
        out.appendBigEndian(UInt32(entryCount))
        out.appendBigEndian(UInt64(digest.size))
        let sha = Array(digest.sha256Base64.utf8.prefix(255))
        out.append(UInt8(sha.count))
        out += sha
        out.appendBigEndian(UInt32(checkpoints.count))
        for checkpoint in checkpoints {
            out.appendBigEndian(UInt32(checkpoint.entryIndex))
            out.appendBigEndian(UInt64(checkpoint.offset))
            out += checkpoint.state
            out += checkpoint.entries
        }
        out += ByteHasher.digest(out)
        return out
    }

    static func decode(_ bytes: [UInt8]) -> PackageCheckpoints? {
        guard bytes.count > 32, ByteHasher.endsWithDigest(bytes) else { return nil }
        return bytes.withUnsafeBytes { raw -> PackageCheckpoints? in
            var at = 0
            let end = raw.count - 32
            func take(_ n: Int) -> UnsafeRawBufferPointer? {
                guard n <= end - at else { return nil }
                defer { at += n }
                return UnsafeRawBufferPointer(rebasing: raw[at..<(at + n)])
            }
            guard let magic = take(4), Array(magic) == PackageCheckpoints.magic,
                  let version = take(4), version.loadBE32(0) == formatVersion,
                  let zlibLength = take(1), let zlib = take(Int(zlibLength[0])),
                  String(decoding: zlib, as: UTF8.self) == Zlib.version,
                  let tree = take(32), let counts = take(4 + 8),
                  let shaLength = take(1), let sha = take(Int(shaLength[0])), let n = take(4)
            else { return nil }
            let entryCount = Int(counts.loadBE32(0))
            guard let size = Int(exactly: counts.loadBE64(4)) else { return nil }
            var checkpoints = [Checkpoint]()
            for _ in 0..<Int(n.loadBE32(0)) {
                guard let head = take(12), let state = take(SHA256.stateByteCount), let entries = take(32),
                      let offset = Int(exactly: head.loadBE64(4)) else { return nil }
                let index = Int(head.loadBE32(0))
                guard index <= entryCount, offset <= size,
                      checkpoints.last.map({ $0.entryIndex < index && $0.offset < offset }) ?? true else { return nil }
                checkpoints.append(Checkpoint(entryIndex: index, offset: offset, state: Array(state), entries: Array(entries)))
            }
            guard at == end else { return nil }
            return PackageCheckpoints(codeTree: ObjectID(raw: tree), entryCount: entryCount,
                                      digest: .init(sha256Base64: String(decoding: sha, as: UTF8.self), size: size),
                                      checkpoints: checkpoints)
        }
    }
}

/// Collects checkpoints while a package is hashed, starting with those carried from the saved
/// package (its shared prefix).
final class CheckpointRecorder {
    private(set) var checkpoints: [PackageCheckpoints.Checkpoint] = []
    private var lastOffset = 0

    /// Keeps only checkpoints taken from now on (the package is hashed from the start).
    func startOver() {
        checkpoints = []
        lastOffset = 0
    }

    /// Checkpoints of the shared prefix, still valid for the new package, which resumes from the
    /// last of them.
    func carry(_ carried: [PackageCheckpoints.Checkpoint]) {
        checkpoints = carried
        lastOffset = carried.last?.offset ?? 0
    }

    /// Called before each entry's local header is hashed; `list` has hashed the entries before it.
    func reached(entryIndex: Int, offset: Int, hasher: ByteHasher, list: EntryListHasher) {
        guard offset - lastOffset >= PackageCheckpoints.spacing else { return }
        checkpoints.append(.init(entryIndex: entryIndex, offset: offset, state: hasher.savedState, entries: list.digest()))
        lastOffset = offset
    }
}

/// The SHA-256 of a list of package entries: for each, its path, a zero byte, its mode as four
/// big-endian bytes and its blob id (Format.md §14.5). Two packages whose lists up to an entry
/// hash the same have the same bytes up to it. Gathered in a buffer, so that hashing 20,000
/// entries is a few calls into SHA-256, not 60,000.
struct EntryListHasher {
    private var hasher = ByteHasher()
    private var pending = [UInt8]()

    mutating func add(_ entry: DeploymentPackage.Entry) {
        if pending.count >= 1 << 15 {
            hasher.update(pending)
            pending.removeAll(keepingCapacity: true)
        }
        pending += entry.path
        pending.append(0)
        pending.appendBigEndian(entry.mode.rawValue)
        pending += entry.id.bytes
    }

    func digest() -> [UInt8] {
        var copy = hasher
        copy.update(pending)
        return copy.finalize()
    }
}
