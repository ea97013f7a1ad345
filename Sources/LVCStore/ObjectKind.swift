/// The four kinds of git object.
public enum ObjectKind: String, Sendable, CaseIterable {
    case blob, tree, commit, tag

    /// The bytes hashed and stored before an object's body: `<kind> SP <decimal size> NUL`.
    public static func header(_ kind: ObjectKind, size: Int) -> [UInt8] {
        Array("\(kind.rawValue) \(size)".utf8) + [0]
    }

    /// The longest header: `commit`, a space, 19 digits (Int.max) and the NUL.
    public static let maxHeaderCount = 27

    /// What is wrong with an object's header, in git's words where git has them.
    public enum HeaderProblem: Error, Sendable {
        case noHeader, unknownType, badSize

        public var reason: String {
            switch self {
            case .noHeader: "no header"
            case .unknownType: "unknown object type"
            case .badSize: "unable to parse header"
            }
        }
    }

    /// Parses `<kind> SP <decimal size> NUL` at the start of `bytes`: the kind, the size, and how
    /// many bytes the header takes (the NUL included). Sizes are canonical decimals (no sign, no
    /// leading zero), as git writes them.
    public static func parseHeader(_ bytes: [UInt8]) throws(HeaderProblem) -> (kind: ObjectKind, size: Int, count: Int) {
        guard let nul = bytes.prefix(maxHeaderCount).firstIndex(of: 0) ?? bytes.firstIndex(of: 0) else { throw .noHeader }
        let header = bytes[..<nul]
        guard let space = header.firstIndex(of: UInt8(ascii: " ")),
              let kind = ObjectKind(rawValue: String(decoding: header[..<space], as: UTF8.self)) else { throw .unknownType }
        let sizeText = header[(space + 1)...]
        guard let size = Int(String(decoding: sizeText, as: UTF8.self)), String(size).utf8.count == sizeText.count else {
            throw .badSize
        }
        return (kind, size, nul + 1)
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
