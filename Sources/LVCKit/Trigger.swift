/// A record of what fires the function (an S3 bucket, an SQS queue, an API route, a schedule …),
/// attached to a qualifier. Offline it does nothing by itself; it tells which version a release
/// or a rollback sends events to, and it protects versions it targets directly.
public struct Trigger: Sendable, Equatable {
    public var id: String
    /// An alias name, "$LATEST", a version number, or nil for the unqualified function ($LATEST).
    public var qualifier: String?
    public var source: String
    public var type: String

    /// The AWS service named in an ARN (`arn:aws:s3:::bucket` -> "s3"), used as the default type.
    /// Only `[a-zA-Z0-9-_]` is kept (at most 40 characters), so that the default id `TYPE-N` is valid.
    static func type(of arn: String) -> String {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        let service = parts.count > 2 && parts[0] == "arn" ? String(parts[2].filter { $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" || $0 == "_" }.prefix(40)) : ""
        return service.isEmpty ? "custom" : service
    }

    func encoded() -> [UInt8] {
        var text = "id \(id)\nsource \(source)\ntype \(type)\n"
        if let qualifier { text += "qualifier \(qualifier)\n" }
        return Array(text.utf8)
    }

    static func decode(_ bytes: [UInt8]) -> Trigger? {
        let fields = KeyValueRecord.parse(bytes)
        guard let id = fields["id"], let source = fields["source"] else { return nil }
        return Trigger(id: id, qualifier: fields["qualifier"], source: source, type: fields["type"] ?? "custom")
    }

    /// Trigger ids: `[a-zA-Z0-9-_]+`, 1–100 characters (AWS's StatementId rule).
    static func checkID(_ id: String) throws {
        guard !id.isEmpty, id.count <= 100, id.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" || $0 == "_" }) else {
            throw Validation.constraint(id, "statementId", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)")
        }
    }
}
