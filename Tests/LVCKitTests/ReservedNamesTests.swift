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
}
