import LVCStore

/// A zip archive judged as a Lambda deployment package, before anything is written: which of its
/// entries become files of `$LATEST` (with which mode), and whether every one of them can be stored
/// and checked out safely. The rules and their reasons are in Documentation/Import.md.
///
/// Everything here is decided from the central directory, the local headers and the symlinks'
/// targets (read, small). File contents are read later, by `ImportPipeline`, which checks sizes
/// and CRC-32 while streaming.
struct PackageContents {
    struct File: Sendable {
        /// `/`-separated, relative, UTF-8; no folder entries.
        var path: [UInt8]
        /// `.file`, `.executable` or `.symlink`.
        var mode: EntryMode
        var entry: ZipArchive.Entry
        /// A symlink's target (its entry's data).
        var target: [UInt8]?
    }

    /// Sorted by path bytes: the order of `$LATEST` and of the canonical zip's central directory.
    var files: [File] = []
    var unzippedSize = 0
    /// Regular files whose entry carried no Unix mode (made on Windows): imported as 0644.
    var withoutUnixModes = 0

    enum Limits {
        /// lvc's canonical zip has no zip64: at most 65,534 entries.
        static let files = 65_534
        /// A hard cap on the unzipped total, checked before any data is inflated (AWS: 250 MB).
        static let unzippedBytes = 1 << 30
        /// Entries larger than `ratioFloor` may not expand more than `ratio` to 1. Deflate's best is
        /// about 1032:1, reached only by runs of one byte.
        static let ratio = 1_000
        static let ratioFloor = 1 << 20
        /// Link targets are read into a 4 KiB buffer by `lvc add` and `status` (PATH_MAX).
        static let linkTarget = 4_095
        /// NAME_MAX of Linux file systems: a longer name cannot be checked out.
        static let component = 255
        /// Following symlinks inside the package, like Linux's ELOOP limit.
        static let linkHops = 40
    }

    /// AWS's limits (lambda-semantics.md §9.1): only warned about.
    enum AWSLimits {
        static let zipped = 52_428_800
        static let unzipped = 262_144_000
    }

    private enum Kind: Equatable {
        case folder, file, symlink
    }

    init(archive: ZipArchive) throws {
        var kinds = [[UInt8]: Kind]()
        var explicitFolders = [[UInt8]]()
        var pending = [File]()
        for entry in archive.entries {
            let (path, folderName) = try PackageContents.checkName(entry.name)
            if entry.isEncrypted {
                throw ZipArchive.Failure(entry: entry.name, reason: "is encrypted; lvc cannot check encrypted data (decrypt the package first)")
            }
            guard entry.method == 0 || entry.method == 8 else {
                throw ZipArchive.Failure(entry: entry.name, reason: "uses compression method \(entry.method)\(PackageContents.methodName(entry.method)); lvc reads only stored (0) and deflate (8), which is what AWS and zip tools use")
            }
            let (kind, mode, hasUnixMode) = try PackageContents.kind(of: entry, folderName: folderName)
            if let earlier = kinds[path] {
                throw ZipArchive.Failure(entry: entry.name, reason: earlier == kind || (earlier != .folder && kind != .folder)
                    ? "appears twice in the archive (tools disagree on which one wins)"
                    : "is both a file and a folder in the archive")
            }
            kinds[path] = kind
            if kind == .folder {
                guard entry.size == 0 else { throw ZipArchive.Failure(entry: entry.name, reason: "is a folder entry with data (corrupt archive)") }
                explicitFolders.append(path)
                continue
            }
            if entry.method == 0 && entry.compressedSize != entry.size {
                throw ZipArchive.Failure(entry: entry.name, reason: "is stored uncompressed but its two sizes differ (corrupt archive)")
            }
            if entry.size > Limits.ratioFloor && entry.size / Limits.ratio > entry.compressedSize {
                throw ZipArchive.Failure(entry: entry.name, reason: "expands \(entry.compressedSize.grouped) bytes to \(entry.size.grouped) (more than \(Limits.ratio):1): lvc refuses such ratios above 1 MiB, the mark of a zip bomb")
            }
            if kind == .symlink && !(1...Limits.linkTarget).contains(entry.size) {
                throw ZipArchive.Failure(entry: entry.name, reason: "is a symlink whose target is \(entry.size.grouped) bytes long (1 to \(Limits.linkTarget) allowed)")
            }
            guard entry.size <= Limits.unzippedBytes - unzippedSize else {
                throw ZipArchive.Failure(entry: entry.name, reason: "takes the unzipped total past \(Limits.unzippedBytes.grouped) bytes (1 GiB), lvc's limit (AWS's is 250 MB): a zip bomb?")
            }
            unzippedSize += entry.size
            if !hasUnixMode && kind == .file { withoutUnixModes += 1 }
            pending.append(File(path: path, mode: mode, entry: entry, target: nil))
        }
        guard pending.count <= Limits.files else {
            throw ZipArchive.Failure(entry: nil, reason: "it holds \(pending.count.grouped) files; lvc's deployment zips hold at most \(Limits.files.grouped) (no zip64)")
        }
        pending.sort { $0.path.lexicographicallyPrecedes($1.path) }
        try PackageContents.checkStructure(pending.map { ($0.path, $0.entry.name) } + explicitFolders.map { ($0, $0 + [UInt8(ascii: "/")]) },
                                           kinds: &kinds)
        // Symlinks: their targets must stay inside the package.
        let reader = try ZipArchive.Reader()
        var targets = [[UInt8]: [UInt8]]()
        for i in pending.indices where pending[i].mode == .symlink {
            let target = try archive.contents(of: pending[i].entry, with: reader, limit: Limits.linkTarget)
            try PackageContents.checkTargetBytes(target, entry: pending[i].entry.name)
            pending[i].target = target
            targets[pending[i].path] = target
        }
        for file in pending where file.mode == .symlink {
            try PackageContents.checkContainment(file.path, target: file.target!, targets: targets, kinds: kinds, entry: file.entry.name)
        }
        files = pending
    }

    // MARK: Names

    /// The entry's path without a trailing `/`, and whether it had one (a folder entry).
    static func checkName(_ name: [UInt8]) throws -> (path: [UInt8], folder: Bool) {
        func refuse(_ reason: String) -> ZipArchive.Failure { ZipArchive.Failure(entry: name, reason: reason) }
        guard !name.isEmpty else { throw refuse("has an empty name") }
        guard String(validating: name, as: UTF8.self) != nil else {
            throw refuse("has a name that is not UTF-8; lvc stores UTF-8 names only (make the zip again with UTF-8 names)")
        }
        if name.first == UInt8(ascii: "/") {
            throw refuse("is an absolute path: extracting it would write outside the folder (zip slip)")
        }
        if name.contains(UInt8(ascii: "\\")) {
            throw refuse("contains a backslash, a path separator on Windows ('..\\\\' escapes the folder there); lvc refuses it")
        }
        var path = name
        let folder = path.last == UInt8(ascii: "/")
        if folder { path.removeLast() }
        let components = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if components.contains(where: { $0.elementsEqual("..".utf8) }) {
            throw refuse("has a '..' component: extracting it would write outside the folder (zip slip)")
        }
        for component in components {
            if component.isEmpty { throw refuse("has an empty path component ('//')") }
            if component.elementsEqual(".".utf8) { throw refuse("has a '.' component; lvc stores plain relative paths only") }
            if component.count > Limits.component {
                throw refuse("has a name longer than \(Limits.component) bytes, which Linux file systems cannot hold")
            }
            if ReservedNames.isReserved(component) {
                throw refuse("uses the reserved name '\(String(decoding: component, as: UTF8.self))': '.git' and '.lambda' (in any case) cannot be stored by git, and would write into a repository when checked out")
            }
            if let problem = ReservedNames.problem(with: component) { throw refuse("has an unsafe name: \(problem)") }
        }
        return (path, folder)
    }

    static func methodName(_ method: UInt16) -> String {
        switch method {
        case 1: return " (shrink)"
        case 6: return " (implode)"
        case 9: return " (deflate64)"
        case 12: return " (bzip2)"
        case 14: return " (LZMA)"
        case 93: return " (zstd)"
        case 95: return " (xz)"
        case 99: return " (AES encryption)"
        default: return ""
        }
    }

    // MARK: Modes

    /// What an entry is, from the Unix mode in the upper 16 bits of its external attributes when
    /// it was made on Unix (or macOS); entries without one are plain 0644 files (or folders).
    private static func kind(of entry: ZipArchive.Entry, folderName: Bool) throws -> (Kind, EntryMode, Bool) {
        let unix = entry.madeBy == 3 || entry.madeBy == 19
        let mode = unix ? entry.externalAttributes >> 16 : 0
        switch mode & 0o170000 {
        case 0o040000:
            return (.folder, .directory, true)
        case 0o120000:
            if folderName { throw ZipArchive.Failure(entry: entry.name, reason: "is a symlink whose name ends with '/'") }
            return (.symlink, .symlink, true)
        case 0o100000, 0:
            // MS-DOS attribute 0x10 marks a folder in archives made on Windows.
            if folderName || (!unix && entry.externalAttributes & 0x10 != 0) { return (.folder, .directory, true) }
            return (.file, mode & 0o111 != 0 ? .executable : .file, mode != 0)
        default:
            throw ZipArchive.Failure(entry: entry.name, reason: "is a special file (device, FIFO or socket: mode \(String(mode, radix: 8))), which a package cannot hold")
        }
    }

    // MARK: Structure

    /// Every folder on the way to an entry must be a folder: not a file, not a symlink (an entry
    /// "inside" a symlink would be written through it, possibly outside the folder). No two names
    /// may differ only in case (they would be one file on macOS and Windows). `paths` is sorted
    /// files, then explicit folders.
    private static func checkStructure(_ paths: [([UInt8], [UInt8])], kinds: inout [[UInt8]: Kind]) throws {
        var folders = Set<[UInt8]>()
        for (path, name) in paths {
            var i = 0
            while let slash = path[i...].firstIndex(of: UInt8(ascii: "/")) {
                let prefix = Array(path[..<slash])
                switch kinds[prefix] {
                case .symlink?:
                    throw ZipArchive.Failure(entry: name, reason: "is inside '\(String(decoding: prefix, as: UTF8.self))', which is a symlink in the archive: extracting it would write through the link, possibly outside the folder")
                case .file?:
                    throw ZipArchive.Failure(entry: name, reason: "is inside '\(String(decoding: prefix, as: UTF8.self))', which is a file in the archive")
                case .folder?, nil:
                    break
                }
                folders.insert(prefix)
                i = slash + 1
            }
        }
        for folder in folders where kinds[folder] == nil { kinds[folder] = .folder }
        // Case: compare every file, link and folder (named or implied) by its lower-case form.
        var seen = [String: [UInt8]]()
        for path in kinds.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let lower = String(decoding: path, as: UTF8.self).lowercased()
            if let other = seen[lower] {
                throw ZipArchive.Failure(entry: path, reason: "differs only in case from '\(String(decoding: other, as: UTF8.self))': they would be one file on macOS and Windows")
            }
            seen[lower] = path
        }
    }

    // MARK: Symlinks

    private static func checkTargetBytes(_ target: [UInt8], entry: [UInt8]) throws {
        if target.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw ZipArchive.Failure(entry: entry, reason: "is a symlink whose target '\(ZipArchive.display(target))' contains control characters")
        }
        guard String(validating: target, as: UTF8.self) != nil else {
            throw ZipArchive.Failure(entry: entry, reason: "is a symlink whose target '\(ZipArchive.display(target))' is not UTF-8")
        }
        if target.first == UInt8(ascii: "/") {
            throw ZipArchive.Failure(entry: entry, reason: "is a symlink to the absolute path '\(String(decoding: target, as: UTF8.self))', which leaves the package; lvc imports only links that stay inside it")
        }
    }

    /// Resolves `target` from the link's folder the way the kernel would inside the extracted
    /// package: `..` climbs, links met on the way are followed (a link may point to a folder, and
    /// `dir/link/..` is then the link's target's parent, not `dir`). Nothing may climb above the
    /// package's root. Names the package does not hold (a dangling link) resolve lexically.
    private static func checkContainment(_ link: [UInt8], target: [UInt8], targets: [[UInt8]: [UInt8]],
                                         kinds: [[UInt8]: Kind], entry: [UInt8]) throws {
        func leaves() -> ZipArchive.Failure {
            ZipArchive.Failure(entry: entry, reason: "is a symlink to '\(String(decoding: target, as: UTF8.self))', which leaves the package; lvc imports only links that stay inside it")
        }
        var folder = link.split(separator: UInt8(ascii: "/")).dropLast().map { Array($0) }
        var pending = target.split(separator: UInt8(ascii: "/")).map { Array($0) }[...]
        var hops = 0
        while let component = pending.popFirst() {
            if component.isEmpty || component == [UInt8(ascii: ".")] { continue }
            if component == [UInt8(ascii: "."), UInt8(ascii: ".")] {
                guard !folder.isEmpty else { throw leaves() }
                folder.removeLast()
                continue
            }
            let candidate = (folder + [component]).joined(separator: [UInt8(ascii: "/")]).map { $0 }
            if !pending.isEmpty, let next = targets[Array(candidate)] {
                // A link in the middle of the path: continue from its target.
                hops += 1
                guard hops <= Limits.linkHops else {
                    throw ZipArchive.Failure(entry: entry, reason: "is a symlink that goes through more than \(Limits.linkHops) links (a loop?)")
                }
                if next.first == UInt8(ascii: "/") { throw leaves() }
                pending = (next.split(separator: UInt8(ascii: "/")).map { Array($0) } + pending)[...]
                continue
            }
            if !pending.isEmpty, kinds[Array(candidate)] == .file { return }  // not a folder: the link is broken, not escaping
            folder.append(component)
        }
    }
}
