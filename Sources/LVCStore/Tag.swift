/// An annotated tag object: `object`, `type`, `tag`, `tagger`, a blank line, the message.
public struct Tag: Sendable, Equatable {
    public var object: ObjectID
    public var type: ObjectKind
    public var name: String
    public var tagger: Signature
    public var message: String

    public init(object: ObjectID, type: ObjectKind, name: String, tagger: Signature, message: String) {
        self.object = object
        self.type = type
        self.name = name
        self.tagger = tagger
        self.message = message
    }

    public func encode() -> [UInt8] {
        Array("object \(object.hex)\ntype \(type.rawValue)\ntag \(name)\ntagger \(tagger.encoded)\n\n\(message)".utf8)
    }
}
