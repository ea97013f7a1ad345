import Testing
@testable import LVCKit

/// `.lambdaignore` patterns whose plain backtracking is exponential: `lvc status` with either
/// of the first two did not finish in 10 seconds (git 2.39's in minutes) before failed tries were
/// remembered; now they are answered at once.
@Suite struct GlobTests {
    func matches(_ pattern: String, _ text: String) -> Bool {
        Glob.matches(Array(pattern.utf8)[...], Array(text.utf8)[...])
    }

    @Test func manyStarsAgainstALongName() {
        let name = String(repeating: "a", count: 60)
        #expect(!matches(String(repeating: "a*", count: 12) + "b", name))
        #expect(matches(String(repeating: "a*", count: 12) + "a", name))
        #expect(matches(String(repeating: "a*", count: 12), name))
    }

    @Test func manyDoubleStarsAgainstADeepPath() {
        let path = Array(repeating: "d", count: 30).joined(separator: "/") + "/f"
        #expect(!matches(String(repeating: "**/", count: 12) + "z", path))
        #expect(matches(String(repeating: "**/", count: 12) + "f", path))
        #expect(matches(String(repeating: "**/", count: 12) + "d/f", path))
    }

    @Test func ordinaryPatternsAreUnchanged() {
        #expect(matches("*.log", "app.log"))
        #expect(!matches("*.log", "logs/app.log"))
        #expect(matches("**/tmp/**", "a/b/tmp/c/d"))
        #expect(matches("[a-c]?.py", "b1.py"))
        #expect(!matches("[!a-c]?.py", "b1.py"))
        #expect(matches("\\*", "*"))
    }
}
