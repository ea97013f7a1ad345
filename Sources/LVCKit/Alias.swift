/// What an alias points at: a published version or `$LATEST`.
public enum AliasTarget: Sendable, Equatable, CustomStringConvertible {
    case latest
    case version(Int)

    public var description: String {
        switch self {
        case .latest: return "$LATEST"
        case .version(let n): return String(n)
        }
    }

    public var qualifier: Qualifier {
        switch self {
        case .latest: return .latest
        case .version(let n): return .version(n)
        }
    }
}

/// An alias: a named pointer to one version, optionally sending a share of traffic to one
/// extra published version (AWS's RoutingConfig.AdditionalVersionWeights, at most one entry).
public struct Alias: Sendable, Equatable {
    public var name: String
    public var target: AliasTarget
    /// The extra version and the share of traffic it receives (0.0–1.0).
    public var routing: (version: Int, weight: Double)?
    public var description: String
    public var revisionId: String

    public static func == (a: Alias, b: Alias) -> Bool {
        a.name == b.name && a.target == b.target && a.routing?.version == b.routing?.version
            && a.routing?.weight == b.routing?.weight && a.description == b.description && a.revisionId == b.revisionId
    }

    /// Versions this alias needs: its main version and its weighted version.
    public var versionsUsed: [Int] {
        var used = [Int]()
        if case .version(let n) = target { used.append(n) }
        if let routing { used.append(routing.version) }
        return used
    }

    /// "3", or "3 (10% on 2)".
    public var positionText: String {
        guard let routing else { return target.description }
        return "\(target) (\(Alias.percent(routing.weight)) on \(routing.version))"
    }

    static func percent(_ weight: Double) -> String {
        // Two decimals at most: 0.07 is "7%", not "7.000000000000001%".
        let hundredths = Int((weight * 10_000).rounded())
        let whole = hundredths / 100, fraction = hundredths % 100
        if fraction == 0 { return "\(whole)%" }
        return "\(whole)." + (fraction % 10 == 0 ? "\(fraction / 10)" : (fraction < 10 ? "0\(fraction)" : "\(fraction)")) + "%"
    }

    /// The record stored for the alias in the function's state tree: `key value` lines.
    func encoded() -> [UInt8] {
        var text = "name \(name)\nversion \(target)\n"
        if let routing { text += "routing \(routing.version)=\(routing.weight)\n" }
        text += "revision-id \(revisionId)\n"
        if !description.isEmpty { text += "description \(Alias.escape(description))\n" }
        return Array(text.utf8)
    }

    static func decode(_ bytes: [UInt8]) -> Alias? {
        let fields = KeyValueRecord.parse(bytes)
        guard let name = fields["name"], let version = fields["version"] else { return nil }
        let target: AliasTarget
        if version == "$LATEST" { target = .latest } else if let n = Int(version) { target = .version(n) } else { return nil }
        var routing: (version: Int, weight: Double)?
        if let r = fields["routing"] {
            let kv = r.split(separator: "=")
            guard kv.count == 2, let v = Int(kv[0]), let w = Double(kv[1]) else { return nil }
            routing = (v, w)
        }
        return Alias(name: name, target: target, routing: routing,
                     description: fields["description"].map(unescape) ?? "",
                     revisionId: fields["revision-id"] ?? "")
    }

    static func escape(_ s: String) -> String {
        s.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n").replacingAll("\r", with: "\\r")
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaping = false
        for c in s {
            if escaping { out.append(c == "n" ? "\n" : c == "r" ? "\r" : c); escaping = false } else if c == "\\" { escaping = true } else { out.append(c) }
        }
        return out
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}

/// AWS's rules for alias names and routing, with AWS's wording.
enum AliasRules {
    static let namePattern = "(?!^[0-9]+$)([a-zA-Z0-9-_]+)"

    static func checkName(_ name: String) throws {
        let valid = !name.isEmpty && name.count <= 128
            && name.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" || $0 == "_" }
            && !name.allSatisfy { $0.isASCIIDigit }
        guard valid else {
            throw Validation.constraint(name, "name", name.count > 128
                ? "Member must have length less than or equal to 128"
                : "Member must satisfy regular expression pattern: \(namePattern)")
        }
        if name.lowercased() == "latest" {
            throw LVCError.invalidParameter("the alias name '\(name)' is reserved: lvc reads LATEST as $LATEST")
        }
    }

    /// Parses `--weight V=W` options: at most one, W in 0.0–1.0, V a version number.
    static func routing(_ weights: [String]) throws -> (version: Int, weight: Double)? {
        guard !weights.isEmpty else { return nil }
        let shown = "{" + weights.joined(separator: ", ") + "}"
        guard weights.count == 1 else {
            throw LVCError.invalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1")
        }
        let parts = weights[0].split(separator: "=", omittingEmptySubsequences: false)
        guard parts.count == 2, let weight = Double(parts[1]), weight.isFinite else {
            throw LVCError.validation("1 validation error detected: Value '\(shown)' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]")
        }
        guard !parts[0].isEmpty, parts[0].count <= 1024, parts[0].allSatisfy({ $0.isASCIIDigit }), let version = Int(parts[0]) else {
            throw LVCError.validation("1 validation error detected: Value '\(shown)' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]")
        }
        guard weight >= 0, weight <= 1 else {
            throw LVCError.validation("1 validation error detected: Value '\(shown)' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]")
        }
        return (version, weight)
    }
}
