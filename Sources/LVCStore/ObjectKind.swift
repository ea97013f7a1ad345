/// The four kinds of git object.
public enum ObjectKind: String, Sendable, CaseIterable {
    case blob, tree, commit, tag

    /// The bytes hashed and stored before an object's body: `<kind> SP <decimal size> NUL`.
    public static func header(_ kind: ObjectKind, size: Int) -> [UInt8] {
        Array("\(kind.rawValue) \(size)".utf8) + [0]
    }

    /// Type codes used in pack files (1 commit, 2 tree, 3 blob, 4 tag).
    public init?(packCode: Int) {
        switch packCode {
        case 1: self = .commit
        case 2: self = .tree
        case 3: self = .blob
        case 4: self = .tag
        default: return nil
        }
    }
}

/// An object as read from the store: its kind and its body (the bytes after the header).
public struct RawObject: Sendable {
    public var kind: ObjectKind
    public var body: [UInt8]
    public init(kind: ObjectKind, body: [UInt8]) {
        self.kind = kind
        self.body = body
    }
}
