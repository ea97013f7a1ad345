import LVCKit

/// Paths as `git status` shows them: relative to the current folder (`../app.py` from `lib/`),
/// so that they can be given back to `lvc add` or `lvc diff --` from where the user stands, and
/// quoted like every path lvc prints for git's habits (`DiffRenderer.quoted`).
struct StatusPaths {
    /// The current folder, relative to the function folder (empty at its root, or when it is not
    /// inside it).
    var folder: [[UInt8]]

    init(folder relative: [UInt8]) {
        folder = relative.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map(Array.init)
    }

    /// For the current folder of this process.
    init(repository: Repository) {
        let relative = (try? repository.relativePaths(["."], cwd: Terminal.currentDirectory).first) ?? nil
        self.init(folder: relative ?? [])
    }

    /// `path` (relative to the function folder) as seen from the current folder.
    func relative(_ path: [UInt8]) -> [UInt8] {
        guard !folder.isEmpty else { return path }
        let components = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map(Array.init)
        var shared = 0
        while shared < folder.count, shared < components.count - 1, folder[shared] == components[shared] { shared += 1 }
        let up = [[UInt8]](repeating: Array("..".utf8), count: folder.count - shared)
        return Array((up + components[shared...]).joined(separator: [UInt8(ascii: "/")]))
    }

    func show(_ path: [UInt8]) -> String { DiffRenderer.quoted("", relative(path)) }
}
