/// The configuration part of `$LATEST` and of every published version: AWS's settings, with
/// AWS's defaults. Stored as `function.json` beside the code, in a stable normalised encoding.
public struct FunctionConfiguration: Sendable, Equatable {
    public var runtime: String?
    public var handler: String?
    public var role: String?
    public var description: String = ""
    public var memorySize: Int = 128
    public var timeout: Int = 3
    public var ephemeralStorage: Int = 512
    public var architecture: String = "x86_64"
    public var environment: [String: String] = [:]
    public var layers: [String] = []

    public init() {}

    /// The settable keys, in the order `lvc config` lists them.
    public static let keys = ["runtime", "handler", "role", "description", "memory", "timeout",
                              "ephemeral-storage", "architecture", "layers"]

    /// The normalised stored form: AWS field names, sorted keys, defaults filled in.
    public var json: JSON {
        var members: [String: JSON] = [
            "Architectures": .array([.string(architecture)]),
            "Description": .string(description),
            "EphemeralStorage": .object(["Size": .int(ephemeralStorage)]),
            "MemorySize": .int(memorySize),
            "Timeout": .int(timeout),
        ]
        if let runtime { members["Runtime"] = .string(runtime) }
        if let handler { members["Handler"] = .string(handler) }
        if let role { members["Role"] = .string(role) }
        if !environment.isEmpty {
            members["Environment"] = .object(["Variables": .object(environment.mapValues { .string($0) })])
        }
        if !layers.isEmpty { members["Layers"] = .array(layers.map { .string($0) }) }
        return .object(members)
    }

    /// The bytes of `function.json`.
    public var encoded: [UInt8] { Array((json.encoded() + "\n").utf8) }

    public static func decode(_ bytes: [UInt8]) throws -> FunctionConfiguration {
        let value: JSON
        do { value = try JSONParser.parse(bytes) } catch {
            throw LVCError.refused("function.json is not valid JSON")
        }
        guard case .object = value else { throw LVCError.refused("function.json is not a JSON object") }
        var c = FunctionConfiguration()
        c.runtime = value["Runtime"]?.stringValue
        c.handler = value["Handler"]?.stringValue
        c.role = value["Role"]?.stringValue
        c.description = value["Description"]?.stringValue ?? ""
        c.memorySize = value["MemorySize"]?.intValue ?? 128
        c.timeout = value["Timeout"]?.intValue ?? 3
        c.ephemeralStorage = value["EphemeralStorage"]?["Size"]?.intValue ?? 512
        c.architecture = value["Architectures"]?.arrayValue?.first?.stringValue ?? "x86_64"
        c.environment = (value["Environment"]?["Variables"]?.objectValue ?? [:]).compactMapValues { $0.stringValue }
        c.layers = value["Layers"]?.arrayValue?.compactMap { $0.stringValue } ?? []
        return c
    }

    /// The value of one key as `lvc config KEY` prints it; nil when unset.
    public func value(of key: String) throws -> String? {
        if let name = key.envName { return environment[name] }
        switch key {
        case "runtime": return runtime
        case "handler": return handler
        case "role": return role
        case "description": return description
        case "memory": return String(memorySize)
        case "timeout": return String(timeout)
        case "ephemeral-storage": return String(ephemeralStorage)
        case "architecture": return architecture
        case "layers": return layers.isEmpty ? nil : layers.joined(separator: ",")
        default: throw Self.unknownKey(key)
        }
    }

    /// Every set key with its value, env.NAME keys included, for `lvc config` with no arguments.
    public var listing: [(key: String, value: String)] {
        var rows = [(key: String, value: String)]()
        for key in Self.keys {
            if let value = try? value(of: key) { rows.append((key, value)) }
        }
        for name in environment.keys.sorted() { rows.append(("env.\(name)", environment[name]!)) }
        return rows
    }

    /// Sets one key after checking it against AWS's constraints.
    public mutating func set(_ key: String, to text: String) throws {
        if let name = key.envName {
            var env = environment
            env[name] = text
            try Validation.environment(env)
            environment = env
            return
        }
        switch key {
        case "runtime": try Validation.runtime(text); runtime = text
        case "handler": try Validation.handler(text); handler = text
        case "role": try Validation.role(text); role = text
        case "description": try Validation.description(text); description = text
        case "memory": memorySize = try Validation.integer(text, field: "memorySize", in: 128...10240)
        case "timeout": timeout = try Validation.integer(text, field: "timeout", in: 1...900)
        case "ephemeral-storage":
            ephemeralStorage = try Validation.integer(text, field: "ephemeralStorage.size", in: 512...10240)
        case "architecture": try Validation.architecture(text); architecture = text
        case "layers":
            let list = text.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
            try Validation.layers(list)
            layers = list
        default: throw Self.unknownKey(key)
        }
    }

    /// Returns a key to its default (unset for runtime, handler, role, env.NAME and layers).
    public mutating func unset(_ key: String) throws {
        if let name = key.envName { environment[name] = nil; return }
        let defaults = FunctionConfiguration()
        switch key {
        case "runtime": runtime = nil
        case "handler": handler = nil
        case "role": role = nil
        case "description": description = defaults.description
        case "memory": memorySize = defaults.memorySize
        case "timeout": timeout = defaults.timeout
        case "ephemeral-storage": ephemeralStorage = defaults.ephemeralStorage
        case "architecture": architecture = defaults.architecture
        case "layers": layers = []
        default: throw Self.unknownKey(key)
        }
    }

    static func unknownKey(_ key: String) -> LVCError {
        .refused("unknown configuration key '\(key)'; the keys are \(keys.joined(separator: ", ")) and env.NAME")
    }
}

extension String {
    /// "env.DB_HOST" -> "DB_HOST".
    var envName: String? {
        hasPrefix("env.") && count > 4 ? String(dropFirst(4)) : nil
    }

    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
