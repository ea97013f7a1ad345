import Testing
@testable import LVCKit

@Suite struct ConfigurationTests {
    @Test func defaultsAreAWSs() {
        let c = FunctionConfiguration()
        #expect(c.memorySize == 128 && c.timeout == 3 && c.ephemeralStorage == 512 && c.architecture == "x86_64")
    }

    @Test func storedFormIsStableAndRoundTrips() throws {
        var c = FunctionConfiguration()
        try c.set("runtime", to: "python3.12")
        try c.set("handler", to: "app.handler")
        try c.set("role", to: "arn:aws:iam::123456789012:role/service-role/x")
        try c.set("env.B_VAR", to: "two \"quoted\"\n")
        try c.set("env.A_VAR", to: "1")
        try c.set("layers", to: "arn:aws:lambda:us-east-1:123456789012:layer:deps:3")
        let text = String(decoding: c.encoded, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"Architectures\": [\n    \"x86_64\"\n  ],\n"))
        #expect(text.contains("\"A_VAR\": \"1\",\n      \"B_VAR\": \"two \\\"quoted\\\"\\n\""))
        #expect(text.hasSuffix("}\n"))
        #expect(try FunctionConfiguration.decode(c.encoded) == c)
        var again = c
        try again.set("env.A_VAR", to: "1")
        #expect(again.encoded == c.encoded, "same settings, same bytes")
    }

    @Test func rangesUseAWSWording() {
        var c = FunctionConfiguration()
        #expect(throws: LVCError.validation("1 validation error detected: Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240")) {
            try c.set("memory", to: "10241")
        }
        #expect(throws: LVCError.validation("1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1")) {
            try c.set("timeout", to: "0")
        }
        for (key, good, bad) in [("memory", "10240", "127"), ("timeout", "900", "901"), ("ephemeral-storage", "10240", "511")] {
            #expect(throws: Never.self) { try c.set(key, to: good) }
            #expect(throws: LVCError.self) { try c.set(key, to: bad) }
        }
        #expect(c.memorySize == 10240, "a refused value leaves the old one")
    }

    @Test func namesAndPatterns() throws {
        var c = FunctionConfiguration()
        for role in ["arn:aws:iam::123456789012:role/r", "arn:aws-cn:iam::123456789012:role/path/to/r+=,.@-_"] {
            #expect(throws: Never.self) { try c.set("role", to: role) }
        }
        for role in ["arn:aws:iam::12345678901:role/r", "arn:aws:iam::123456789012:user/r", "arn:aws:iam::123456789012:role/"] {
            #expect(throws: LVCError.self) { try c.set("role", to: role) }
        }
        #expect(throws: Never.self) { try c.set("env.Ab", to: "x") }
        for name in ["A", "1A", "A-B", "AWS_REGION"] {
            #expect(throws: LVCError.self) { try c.set("env.\(name)", to: "x") }
        }
        #expect(throws: LVCError.self) { try c.set("env.BIG", to: String(repeating: "x", count: 4090)) }
        #expect(throws: Never.self) { try c.set("env.BIG", to: String(repeating: "x", count: 4000)) }
        #expect(throws: LVCError.self) { try c.set("architecture", to: "x86_64,arm64") }
        try c.unset("env.BIG")
        #expect(c.environment["BIG"] == nil)
    }

    @Test func configChangesListFieldByField() throws {
        var a = FunctionConfiguration(), b = FunctionConfiguration()
        try b.set("memory", to: "256")
        try b.set("env.DB_HOST", to: "db")
        try a.set("env.OLD", to: "x")
        let changes = Repository.configChanges(a, b)
        #expect(changes == [ConfigChange(key: "memory", old: "128", new: "256"),
                            ConfigChange(key: "env.DB_HOST", old: nil, new: "db"),
                            ConfigChange(key: "env.OLD", old: "x", new: nil)])
    }

    @Test func qualifiers() throws {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
        #expect(try Qualifier.parse("$LATEST", functionArn: arn) == .latest)
        #expect(try Qualifier.parse("LATEST", functionArn: arn) == .latest)
        #expect(try Qualifier.parse("12", functionArn: arn) == .version(12))
        #expect(throws: LVCError.notFound("Function not found: \(arn):$latest")) { try Qualifier.parse("$latest", functionArn: arn) }
        #expect(throws: LVCError.self) { try Qualifier.parse("0", functionArn: arn) }
        #expect(throws: LVCError.self) { try Qualifier.parse("-1", functionArn: arn) }
    }
}

@Suite struct IgnoreRulesTests {
    func ignored(_ rules: String, _ path: String, dir: Bool = false) -> Bool {
        IgnoreRules(text: rules).isIgnored(Array(path.utf8), isDirectory: dir)
    }

    @Test func gitignoreSyntax() {
        #expect(ignored("*.log", "a/b/c.log"))
        #expect(!ignored("*.log", "a/b/c.logx"))
        #expect(ignored("/build", "build", dir: true))
        #expect(!ignored("/build", "src/build", dir: true))
        #expect(ignored("tests/", "tests", dir: true))
        #expect(!ignored("tests/", "tests"), "a trailing slash matches folders only")
        #expect(ignored("*.log\n!keep.log", "x.log"))
        #expect(!ignored("*.log\n!keep.log", "keep.log"))
        #expect(ignored("docs/**/*.md", "docs/a/b/c.md"))
        #expect(ignored("docs/**/*.md", "docs/c.md"))
        #expect(ignored("**/cache", "a/b/cache", dir: true))
        #expect(ignored("vendor/**", "vendor/x/y"))
        #expect(ignored("fo[o0]", "fo0"))
        #expect(!ignored("fo[!o]", "foo"))
        #expect(ignored("a?c", "abc"))
        #expect(!ignored("a*c", "a/c"), "* does not cross folders")
        #expect(!ignored("# comment\n\n", "# comment"))
        #expect(ignored("\\#file", "#file"))
    }
}

@Suite struct JSONTests {
    @Test func roundTrip() throws {
        let value = JSON.object(["b": .array([.int(1), .double(0.1), .bool(true), .null]), "a": .string("é \"\\ \u{1}")])
        let text = value.encoded()
        #expect(text == "{\n  \"a\": \"é \\\"\\\\ \\u0001\",\n  \"b\": [\n    1,\n    0.1,\n    true,\n    null\n  ]\n}")
        #expect(try JSONParser.parse(Array(text.utf8)) == value)
        #expect(try JSONParser.parse(Array("\"\\ud83d\\ude00\"".utf8)) == .string("😀"))
        for bad in ["{", "[1,]", "\"\\q\"", "\"\\ud83d\"", "01x", "{\"a\" 1}"] {
            #expect(throws: (any Error).self) { try JSONParser.parse(Array(bad.utf8)) }
        }
    }
}
