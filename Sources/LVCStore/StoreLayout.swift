/// Creating and opening `.lambda/` as a bare SHA-256 git repository.
public enum StoreLayout {
    /// `config` as lvc writes it. Only `objectformat` goes under `[extensions]`: git refuses any
    /// repository with an extension it does not know. lvc's own settings live under `[lvc]`.
    public static func configText(settings: [(String, String)]) -> String {
        var text = """
        [core]
        \trepositoryformatversion = 1
        \tbare = true
        \tlogAllRefUpdates = always
        [extensions]
        \tobjectformat = sha256
        [gc]
        \tauto = 0
        \treflogExpire = never
        \treflogExpireUnreachable = never
        [log]
        \tinitialDecorationSet = all
        [receive]
        \tfsckObjects = true
        [fetch]
        \tfsckObjects = true
        [lvc]

        """
        for (key, value) in settings { text += "\t\(key) = \(value)\n" }
        return text
    }

    /// Creates the store; `gitDirectory` must not exist yet. Everything is built in a temporary
    /// folder beside it and renamed into place, so a crash never leaves half a store.
    public static func create(gitDirectory: String, settings: [(String, String)]) throws {
        let parent = FileSystem.dirname(of: gitDirectory)
        let staging = parent + "/.lambda-init-\(getpid())"
        try FileSystem.makeDirectories(staging)
        do {
            for dir in ["objects", "objects/pack", "objects/info", "refs", "refs/heads", "refs/versions", "lvc", "lvc/tmp"] {
                try FileSystem.makeDirectories("\(staging)/\(dir)")
            }
            try FileSystem.atomicWrite("\(staging)/HEAD", Array("ref: refs/heads/main\n".utf8))
            try FileSystem.atomicWrite("\(staging)/config", Array(configText(settings: settings).utf8))
            try FileSystem.atomicWrite("\(staging)/description", Array("lvc store for an AWS Lambda function\n".utf8))
            try FileSystem.atomicWrite("\(staging)/lvc/README", Array("""
            This folder belongs to lvc (Lambda Version Control); git ignores it.
            tmp/ holds objects being written; anything left there after a crash is safe to delete.

            """.utf8))
            try FileSystem.rename(staging, gitDirectory)
        } catch {
            _ = try? removeTree(staging)
            throw error
        }
    }

    /// Reads `[section] key = value` pairs from a git config file (enough for the keys lvc needs).
    public static func readConfig(gitDirectory: String) throws -> [String: String] {
        let path = gitDirectory + "/config"
        guard let bytes = try FileSystem.readIfExists(path) else {
            throw StoreError.notAStore(path: gitDirectory, reason: "no config file")
        }
        var result = [String: String]()
        var section = ""
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for (number, rawLine) in zip(1..., lines) {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                section = String(line.dropFirst().prefix { $0 != "]" }).lowercased()
                continue
            }
            // `key = value`; a key alone means true, as in git. A line of "=" or "= value" has
            // no key: git refuses the file ("bad config line"), and so does lvc.
            let equals = line.firstIndex(of: "=")
            let key = line[..<(equals ?? line.endIndex)].trimmingSuffix(" ").trimmingSuffix("\t").lowercased()
            guard !key.isEmpty else { throw StoreError.corruptFile(path: path, reason: "bad config line \(number): a value without a name") }
            result["\(section).\(key)"] = equals.map { String(line[line.index(after: $0)...].drop { $0 == " " || $0 == "\t" }) } ?? "true"
        }
        guard result["extensions.objectformat"] == "sha256" else {
            throw StoreError.notAStore(path: gitDirectory, reason: "not a SHA-256 repository (extensions.objectformat is not sha256)")
        }
        return result
    }

    /// Removes a folder and everything in it, without following symlinks.
    public static func removeTree(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in try FileSystem.listDirectory(path) { try removeTree("\(path)/\(name)") }
            if rmdir(path) != 0 { throw StoreError.io(path: path, operation: "remove", errno: errno) }
        } else if unlink(path) != 0 {
            throw StoreError.io(path: path, operation: "remove", errno: errno)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
