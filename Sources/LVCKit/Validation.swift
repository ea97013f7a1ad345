/// AWS's constraints on function settings and names, with AWS's wording of each failure.
enum Validation {
    static func constraint(_ value: String, _ field: String, _ rule: String) -> LVCError {
        .validation("1 validation error detected: Value '\(value)' at '\(field)' failed to satisfy constraint: \(rule)")
    }

    static func integer(_ text: String, field: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text) else {
            throw constraint(text, field, "Member must be a whole number")
        }
        if value > range.upperBound {
            throw constraint(text, field, "Member must have value less than or equal to \(range.upperBound)")
        }
        if value < range.lowerBound {
            throw constraint(text, field, "Member must have value greater than or equal to \(range.lowerBound)")
        }
        return value
    }

    static func runtime(_ text: String) throws {
        guard Runtime.all.contains(text) else {
            throw constraint(text, "runtime", "Member must satisfy enum value set: [\(Runtime.all.joined(separator: ", "))]")
        }
    }

    static func handler(_ text: String) throws {
        guard text.unicodeScalars.count <= 128 else {
            throw constraint(text, "handler", "Member must have length less than or equal to 128")
        }
        guard !text.isEmpty, !text.unicodeScalars.contains(where: { $0.properties.isWhitespace }) else {
            throw constraint(text, "handler", "Member must satisfy regular expression pattern: [^\\s]+")
        }
    }

    /// `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`
    static func role(_ text: String) throws {
        let pattern = "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"
        let fail = constraint(text, "role", "Member must satisfy regular expression pattern: \(pattern)")
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[3].isEmpty else { throw fail }
        let partition = parts[1]
        guard partition.isEmpty || (partition.hasPrefix("aws") && partition.allSatisfy { $0.isASCIILetter || $0 == "-" }) else { throw fail }
        guard parts[4].count == 12, parts[4].allSatisfy({ $0.isASCIIDigit }) else { throw fail }
        guard parts[5].hasPrefix("role") else { throw fail }
        var name = parts[5].dropFirst(4)
        if name.first == "/" { name = name.dropFirst() }
        guard !name.isEmpty, name.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || "_+=,.@-/".contains($0) }) else { throw fail }
    }

    static func description(_ text: String) throws {
        guard text.count <= 256 else {
            throw constraint(text, "description", "Member must have length less than or equal to 256")
        }
        guard !text.contains("\0") else {
            throw LVCError.invalidParameter("a description cannot contain a NUL character")
        }
    }

    static func architecture(_ text: String) throws {
        guard text == "x86_64" || text == "arm64" else {
            throw constraint("[\(text)]", "architectures", "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]")
        }
    }

    /// Names the Lambda runtime sets itself; AWS refuses them.
    static let reservedEnvironmentKeys: Set<String> = [
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    ]

    static func environment(_ variables: [String: String]) throws {
        for name in variables.keys.sorted() {
            let scalars = Array(name.unicodeScalars)
            let valid = scalars.count >= 2 && scalars[0].isASCIILetter
                && scalars.dropFirst().allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
            guard valid else {
                throw constraint(name, "environment.variables",
                                 "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
            }
        }
        let reserved = variables.keys.filter { reservedEnvironmentKeys.contains($0) }.sorted()
        guard reserved.isEmpty else {
            throw LVCError.invalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: \(reserved.joined(separator: ", "))")
        }
        let measured = JSON.object(variables.mapValues { .string($0) }).encoded(pretty: false)
        guard measured.utf8.count <= 4096 else {
            throw LVCError.invalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: \(measured)")
        }
    }

    /// `arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+`, at most 5, one version per layer.
    static func layers(_ arns: [String]) throws {
        guard arns.count <= 5 else { throw LVCError.invalidParameter("Cannot reference more than 5 layers.") }
        var seen = Set<String>()
        for arn in arns {
            let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
            let ok = parts.count == 8 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "layer"
                && !parts[1].isEmpty && parts[1].allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" }
                && !parts[3].isEmpty && parts[3].allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" }
                && parts[4].count == 12 && parts[4].allSatisfy { $0.isASCIIDigit }
                && !parts[6].isEmpty && parts[6].allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" || $0 == "_" }
                && !parts[7].isEmpty && parts[7].allSatisfy { $0.isASCIIDigit }
            guard ok else {
                throw constraint(arn, "layers", "Member must satisfy constraint: [Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+]")
            }
            let layer = parts[0..<7].joined(separator: ":")
            guard seen.insert(layer).inserted else {
                throw LVCError.invalidParameter("Two different versions of the same layer are not allowed to be referenced in the same function. \(arn)")
            }
        }
    }

    /// Function names: `[a-zA-Z0-9-_]+`, 1–64 characters.
    static func functionName(_ name: String) throws {
        guard !name.isEmpty, name.count <= 64,
              name.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" || $0 == "_" }) else {
            throw constraint(name, "functionName", "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length between 1 and 64")
        }
    }

    static func region(_ region: String) throws {
        // [a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}
        let parts = region.split(separator: "-", omittingEmptySubsequences: false)
        let ok = parts.count >= 3 && parts[0].count == 2 && parts[0].allSatisfy { $0.isASCIILowercase }
            && parts.last!.count == 1 && parts.last!.allSatisfy { $0.isASCIIDigit }
            && parts.dropFirst().dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCIILowercase } }
        guard ok else { throw constraint(region, "region", "Member must look like us-east-1") }
    }

    static func account(_ account: String) throws {
        guard account.count == 12, account.allSatisfy({ $0.isASCIIDigit }) else {
            throw constraint(account, "account", "Member must be 12 digits")
        }
    }
}

extension Character {
    var isASCIILetter: Bool { isASCII && isLetter }
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILowercase: Bool { isASCII && isLowercase }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
