/// Refs: loose files under `refs/` (which lvc writes) and `packed-refs` (which git gc writes).
/// Every update is a compare-and-swap under the ref's `.lock` file.
public final class Refs: Sendable {
    public let gitDirectory: String

    public init(gitDirectory: String) {
        self.gitDirectory = gitDirectory
    }

    /// What an update expects to find before it writes.
    public enum Expectation: Sendable, Equatable {
        case any
        case absent
        case value(ObjectID)
    }

    func path(_ name: String) -> String { "\(gitDirectory)/\(name)" }

    /// The id a ref holds, from its loose file or else from packed-refs; nil if it does not exist.
    public func resolve(_ name: String) throws -> ObjectID? {
        if let loose = try FileSystem.readIfExists(path(name)) {
            let text = Substring(String(decoding: loose, as: UTF8.self)).trimmingSuffix("\n")
            guard let id = ObjectID(hex: text) else {
                throw StoreError.corruptFile(path: path(name), reason: "not a 64-hex object id")
            }
            return id
        }
        return try packed()[name]
    }

    /// All refs whose name starts with `prefix` (e.g. "refs/versions/"), loose ones overriding packed.
    public func list(prefix: String) throws -> [String: ObjectID] {
        var result = try packed().filter { $0.key.hasPrefix(prefix) }
        let base = prefix.hasSuffix("/") ? String(prefix.dropLast()) : FileSystem.dirname(of: prefix)
        try walkLoose(base) { name in
            guard name.hasPrefix(prefix), !name.hasSuffix(".lock") else { return }
            if let id = try resolve(name) { result[name] = id }
        }
        return result
    }

    private func walkLoose(_ directory: String, _ visit: (String) throws -> Void) throws {
        guard FileSystem.isDirectory(path(directory)) else { return }
        for name in try FileSystem.listDirectory(path(directory)).sorted() {
            let full = "\(directory)/\(name)"
            if FileSystem.isDirectory(path(full)) { try walkLoose(full, visit) } else { try visit(full) }
        }
    }

    /// packed-refs as a map; `^peeled` lines are skipped.
    func packed() throws -> [String: ObjectID] {
        guard let bytes = try FileSystem.readIfExists(path("packed-refs")) else { return [:] }
        var result = [String: ObjectID]()
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("#") || line.hasPrefix("^") { continue }
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let id = ObjectID(hex: parts[0]) else {
                throw StoreError.corruptFile(path: path("packed-refs"), reason: "bad line '\(line)'")
            }
            result[String(parts[1])] = id
        }
        return result
    }

    /// Takes the ref's lock; the caller then calls `update` or `delete` on the transaction.
    public func lock(_ name: String) throws -> RefLock {
        RefLock(name: name, lock: try LockFile(for: path(name)), refs: self)
    }
}

/// A held ref lock: check the expectation and write the new value atomically.
public final class RefLock {
    public let name: String
    let lock: LockFile
    let refs: Refs

    init(name: String, lock: LockFile, refs: Refs) {
        self.name = name
        self.lock = lock
        self.refs = refs
    }

    public var lockPath: String { lock.lockPath }

    private func check(_ expectation: Refs.Expectation) throws {
        let current = try refs.resolve(name)
        switch expectation {
        case .any: return
        case .absent: if current != nil { throw StoreError.refExists(name: name) }
        case .value(let id): if current != id { throw StoreError.refChanged(name: name) }
        }
    }

    /// `durable: false` skips the fsync (decision 0006): for a ref whose loss in a power cut
    /// loses no data, such as the history of `$LATEST`.
    public func update(to id: ObjectID, expecting expectation: Refs.Expectation, durable: Bool = true) throws {
        try check(expectation)
        try lock.write(Array((id.hex + "\n").utf8))
        try lock.commit(durable: durable)
    }

    /// Removes the loose file and the packed-refs line, so the ref is gone for git too.
    public func delete(expecting expectation: Refs.Expectation) throws {
        try check(expectation)
        if try refs.packed()[name] != nil {
            let packedLock = try LockFile(for: refs.path("packed-refs"))
            let text = String(decoding: try FileSystem.readAll(refs.path("packed-refs")), as: UTF8.self)
            var kept = [Substring]()
            var skipPeeled = false
            for line in text.split(separator: "\n") {
                if line.hasPrefix("^") && skipPeeled { continue }
                skipPeeled = line.hasSuffix(" " + name)
                if !skipPeeled { kept.append(line) }
            }
            try packedLock.write(Array((kept.joined(separator: "\n") + "\n").utf8))
            try packedLock.commit()
        }
        try lock.commitRemoval()
    }

    public func release() { lock.rollback() }
}
