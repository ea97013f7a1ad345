import Testing
@testable import LVCKit

/// The `key value` records of aliases, triggers, `lvc/latest` and the identity blob.
@Suite struct KeyValueRecordTests {
    func parsed(_ text: String) -> [String: String] {
        KeyValueRecord.parse(Array(text.utf8))
    }

    @Test func linesSplitAtTheFirstSpaceAfterTheKey() {
        #expect(parsed("name PROD\nversion 3\n") == ["name": "PROD", "version": "3"])
        #expect(parsed("description two  words \n") == ["description": "two  words "])
        #expect(parsed("weights 2=0.5 3=0.1") == ["weights": "2=0.5 3=0.1"])  // no final newline
        #expect(parsed("  indented value\n") == ["indented": "value"])
        #expect(parsed("flag\nkey \n") == ["flag": "", "key": ""])
        #expect(parsed("k first\nk second\n") == ["k": "second"])
    }

    /// A damaged record gives odd fields, never a crash: a line of spaces once indexed an empty
    /// list of parts.
    @Test func damagedRecordsAreReadWithoutCrashing() {
        #expect(parsed("") == [:])
        #expect(parsed("\n\n   \n \nkey value\n") == ["key": "value"])
        #expect(parsed("a b\r\nc d\r\n") == ["a": "b\r", "c": "d\r"])
        let invalid = KeyValueRecord.parse([0x6B, 0x20, 0xFF, 0xFE, 0x0A, 0x78, 0x20, 0x79])
        #expect(invalid["k"] == "\u{FFFD}\u{FFFD}")
        #expect(invalid["x"] == "y")
    }
}
