/// What a QUALIFIER argument names: `$LATEST` (also spelled `LATEST`, which needs no shell
/// quoting) or a published version number. `$LATEST` is case-sensitive, as on AWS.
public enum Qualifier: Sendable, Equatable, CustomStringConvertible {
    case latest
    case version(Int)

    /// Parses a qualifier; anything else is AWS's "Function not found" for that qualifier.
    public static func parse(_ text: String, functionArn: String) throws -> Qualifier {
        if text == "$LATEST" || text == "LATEST" { return .latest }
        if !text.isEmpty, text.count <= 10, text.allSatisfy({ $0.isASCIIDigit }), let n = Int(text), n > 0 {
            return .version(n)
        }
        throw LVCError.notFound("Function not found: \(functionArn):\(text)")
    }

    public var description: String {
        switch self {
        case .latest: return "$LATEST"
        case .version(let n): return String(n)
        }
    }
}
