import Testing
@testable import LVCKit

/// Path checks against a plain reference: split on "/", check each component in full.
@Suite struct ReservedNamesTests {
    static func reference(_ path: [UInt8]) -> Bool {
        if path.first == UInt8(ascii: "/") { return true }
        let components = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        return components.contains { name in
            let lower = String(decoding: name, as: UTF8.self).lowercased()
            return name.isEmpty || lower == "." || lower == ".." || lower == ".git" || lower == ".lambda"
                || name.contains { $0 < 0x20 || $0 == UInt8(ascii: "\\") }
                || String(validating: name, as: UTF8.self) == nil
        }
    }

    @Test func quickPassAgreesWithTheFullCheck() {
        // "é" is two bytes, drawn one at a time: half-characters and 0xFF are not UTF-8.
        let alphabet = Array("./\\\n\tgitGITlambdaLAMBDAx-_é".utf8) + [0xFF]
        var state: UInt64 = 20261127
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var flagged = 0
        for _ in 0..<50_000 {
            var path = (0..<(1 + next(12))).map { _ in alphabet[next(alphabet.count)] }
            // Splice in whole reserved names now and then, with other components around them.
            if next(4) == 0 { path = Array(["a/.git/b", ".Lambda", "x/../y", "ok/.gitignore", ".env", "a//b"][next(6)].utf8) + path }
            let bad = ReservedNames.problem(withPath: path) != nil
            #expect(bad == Self.reference(path), "\(String(decoding: path, as: UTF8.self).debugDescription)")
            if bad { flagged += 1 }
        }
        #expect(flagged > 1_000 && flagged < 49_000)  // both kinds were exercised
        #expect(ReservedNames.problem(withPath: Array("node_modules/.bin/tsc".utf8)) == nil)
        #expect(ReservedNames.problem(withPath: Array("src/.GIT/config".utf8)) != nil)
        #expect(ReservedNames.problem(withPath: []) != nil)
        #expect(ReservedNames.problem(withPath: Array("data/café/menu.json".utf8)) == nil)
        #expect(ReservedNames.problem(withPath: Array("data/caf".utf8) + [0xE9] + Array("/menu.json".utf8))?.contains("UTF-8") == true)
    }

    /// The quick pass, eight bytes at a time, against the same test one byte at a time (for paths,
    /// and for single names, where any "/" is suspect): every suspicious byte at every position
    /// around the words' edges, in clean paths up to 40 bytes.
    @Test func wordAtATimeQuickPassAgreesWithByteAtATime() {
        func bytewise(_ path: [UInt8], separators: Bool) -> Bool {
            var startsComponent = true
            for c in path {
                if c < 0x20 || c >= 0x80 || c == 0x5C || (startsComponent && (c == 0x2E || c == 0x2F)) { return true }
                if c == 0x2F && !separators { return true }
                startsComponent = c == 0x2F
            }
            return startsComponent
        }
        let clean = Array("lib/python3.12/site-packages/boto3/x_".utf8)  // 37 bytes, '.' inside names only
        var suspect = 0, checked = 0
        for length in 0...40 {
            let base = (0..<length).map { clean[$0 % clean.count] }
            var cases = [base]
            for at in 0..<length {
                for byte: UInt8 in [0x00, 0x1F, 0x20, 0x2E, 0x2F, 0x5C, 0x7F, 0x80, 0xC3, 0xFF] {
                    var path = base
                    path[at] = byte
                    cases.append(path)
                    if at + 1 < length, byte == 0x2F {  // a component starting with "." or "/"
                        path[at + 1] = 0x2E; cases.append(path)
                        path[at + 1] = 0x2F; cases.append(path)
                    }
                }
            }
            for path in cases {
                let quick = path.withUnsafeBufferPointer { ReservedNames.isSuspect($0) }
                #expect(quick == bytewise(path, separators: true), "\(path)")
                let asName = path.withUnsafeBufferPointer { ReservedNames.isSuspect($0, separators: false) }
                #expect(asName == bytewise(path, separators: false), "\(path) as a name")
                checked += 1
                if quick { suspect += 1 }
            }
        }
        #expect(checked > 8_000 && suspect > 1_000 && suspect < checked - 30)  // both answers, many times
    }
}
