#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LVCStore

/// One function folder and its `.lambda/` store. The facade over everything lvc does;
/// operations live in extensions (`Repository+Add.swift`, `+Publish`, `+Status`, …).
/// It returns values and throws `LVCError`; it never prints.
public final class Repository: @unchecked Sendable {
    /// The function folder (the parent of `.lambda/`).
    public let root: String
    /// `.lambda/`, a bare SHA-256 git repository.
    public let gitDirectory: String
    public let objects: ObjectStore
    public let refs: Refs
    public let functionName: String
    public let region: String
    public let account: String
    public var identity: Identity

    public static let storeName = ".lambda"
    static let functionRef = "refs/lvc/function"
    public static let defaultRegion = "us-east-1"
    /// The placeholder account id AWS uses in its own documentation examples.
    public static let defaultAccount = "123456789012"

    var indexPath: String { gitDirectory + "/index" }
    /// `.lambda/lvc/tmp/`: temporary files (objects, packs, files being checked out) before they
    /// are renamed into place; `lvc gc` removes what a killed lvc left there.
    var temporaryDirectory: String { gitDirectory + "/lvc/tmp" }

    init(root: String, identity: Identity) throws {
        self.root = root
        let gitDirectory = root + "/" + Repository.storeName
        self.gitDirectory = gitDirectory
        self.identity = identity
        let config = try LVCError.wrap("open the store") { try StoreLayout.readConfig(gitDirectory: gitDirectory) }
        objects = ObjectStore(objectsDirectory: gitDirectory + "/objects", temporaryDirectory: gitDirectory + "/lvc/tmp")
        refs = Refs(gitDirectory: gitDirectory)
        // `git clone --mirror` copies refs and objects but not config: the identity also lives
        // in a blob at refs/lvc/function, which travels with the store.
        var identityRecord = [String: String]()
        if config["lvc.functionname"] == nil, let id = try? refs.resolve(Repository.functionRef),
           let body = try? objects.read(id, as: .blob) {
            identityRecord = KeyValueRecord.parse(body).filter { !$0.value.isEmpty }
        }
        functionName = config["lvc.functionname"] ?? identityRecord["name"] ?? Repository.lastComponent(of: root)
        region = config["lvc.region"] ?? identityRecord["region"] ?? Repository.defaultRegion
        account = config["lvc.account"] ?? identityRecord["account"] ?? Repository.defaultAccount
        // A clone made by git has no lvc/tmp yet.
        if !FileSystem.isDirectory(gitDirectory + "/lvc/tmp") { try? FileSystem.makeDirectories(gitDirectory + "/lvc/tmp") }
    }

    /// Finds `.lambda/` in `directory` or the nearest parent, like git finds `.git`.
    public static func discover(from directory: String, identity: Identity = Identity()) throws -> Repository {
        var current = Repository.normalize(directory)
        while true {
            if FileSystem.isDirectory(current + "/" + storeName) {
                return try Repository(root: current, identity: identity)
            }
            if FileSystem.exists(current + "/" + storeName) {
                throw LVCError.refused("\(current)/\(storeName) is a file, not an lvc store (a store is a folder made by 'lvc init')")
            }
            if current == "/" || current.isEmpty { throw LVCError.notAStore(searchedFrom: directory) }
            current = FileSystem.dirname(of: current)
        }
    }

    public struct InitOptions: Sendable {
        public var name: String?
        public var configuration = FunctionConfiguration()
        public var region: String?
        public var account: String?
        public init() {}
    }

    /// `lvc init`: creates `.lambda/` with an empty `$LATEST` holding `options.configuration`.
    @discardableResult
    public static func initialize(at directory: String, options: InitOptions, identity: Identity = Identity()) throws -> Repository {
        let root = normalize(directory)
        let gitDirectory = root + "/" + storeName
        if FileSystem.exists(gitDirectory) {
            guard FileSystem.exists(gitDirectory + "/config") else {
                let what = FileSystem.isDirectory(gitDirectory) ? "a folder without lvc's config file" : "a file"
                throw LVCError.refused("\(gitDirectory) exists and is not an lvc store (it is \(what)); move it away, then run 'lvc init' again; nothing was changed")
            }
            throw LVCError.alreadyInitialized(path: gitDirectory)
        }
        let name = options.name ?? lastComponent(of: root)
        try Validation.functionName(name)
        if let region = options.region { try Validation.region(region) }
        if let account = options.account { try Validation.account(account) }
        var settings = [("functionName", name)]
        if let region = options.region { settings.append(("region", region)) }
        if let account = options.account { settings.append(("account", account)) }
        try LVCError.wrap("initialize \(gitDirectory)") {
            try StoreLayout.create(gitDirectory: gitDirectory, settings: settings)
        }
        let repository = try Repository(root: root, identity: identity)
        try LVCError.wrap("record the function's identity") {
            let record = "name \(repository.functionName)\nregion \(repository.region)\naccount \(repository.account)\n"
            let blob = try repository.objects.write(.blob, Array(record.utf8))
            let lock = try repository.refs.lock(Repository.functionRef)
            defer { lock.release() }
            try lock.update(to: blob, expecting: .absent)
        }
        try repository.withLatestLock("initialize $LATEST") { latest in
            latest.configuration = options.configuration
        }
        return repository
    }

    /// `lvc init --from FILE.zip`: creates `.lambda/` as `initialize` does, then imports the
    /// package into `$LATEST` and the folder (refusing to overwrite files that differ from it).
    /// If the import fails, the new store is removed again: nothing is left behind.
    public static func initialize(at directory: String, options: InitOptions, from package: PackageImport,
                                  identity: Identity = Identity(), progress: ProgressHandler? = nil) throws -> (Repository, ImportResult) {
        let repository = try initialize(at: directory, options: options, identity: identity)
        do {
            return (repository, try repository.importPackage(package, intoFolder: true, dryRun: false, progress: progress))
        } catch {
            try? FileManager.default.removeItem(atPath: repository.gitDirectory)
            if case .wouldOverwrite(let paths) = error as? LVCError {
                let list = paths.prefix(10).map { "\t\($0)" }.joined(separator: "\n")
                let more = paths.count > 10 ? "\n\t… and \(paths.count - 10) more" : ""
                throw LVCError.refused("these files in the folder differ from the package and would be overwritten:\n\(list)\(more)\nmove them away, or start in an empty folder; nothing was created")
            }
            throw error
        }
    }

    /// `path` made absolute-looking and without `.`, `..` or repeated slashes. It works on the
    /// bytes: String's `split` and `joined(separator:)` run closures and generic code that lie
    /// apart from the rest of a command's code (decisions 0019 and 0021).
    static func normalize(_ path: String) -> String {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var result: [UInt8] = []
        var starts: [Int] = []  // where each component kept so far starts in `result` (at its "/")
        var component: [UInt8] = []
        for byte in Array(path.utf8) + [slash] {
            guard byte == slash else {
                component.append(byte)
                continue
            }
            if component == [dot, dot] {
                if let start = starts.popLast() { result.removeSubrange(start...) }
            } else if !component.isEmpty && component != [dot] {
                starts.append(result.count)
                result.append(slash)
                result.append(contentsOf: component)
            }
            component.removeAll(keepingCapacity: true)
        }
        return result.isEmpty ? "/" : String(decoding: result, as: UTF8.self)
    }

    static func lastComponent(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? "function"
    }

    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME`
    public var functionArn: String { "arn:aws:lambda:\(region):\(account):function:\(functionName)" }

    public func arn(qualifier: String?) -> String {
        qualifier.map { "\(functionArn):\($0)" } ?? functionArn
    }
}
