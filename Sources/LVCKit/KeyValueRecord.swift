/// The `key value` lines lvc writes for its own records: aliases and triggers in the state tree,
/// `$LATEST`'s metadata (`lvc/latest`) and the function's identity (`refs/lvc/function`).
///
/// Lines end at "\n"; empty lines and lines of spaces are skipped. The key runs from the first
/// character that is not a space to the next space, the value from after that space to the end
/// of the line (it may hold spaces, and is empty when the line has no space after the key). A
/// later line with the same key wins. Any bytes are accepted: invalid UTF-8 becomes U+FFFD.
enum KeyValueRecord {
    static func parse(_ bytes: [UInt8]) -> [String: String] {
        let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
        var fields = [String: String]()
        bytes.withUnsafeBufferPointer { record in
            func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: record[range]), as: UTF8.self) }
            var start = 0  // of the line
            while start < record.count {
                var end = start
                while end < record.count && record[end] != newline { end += 1 }
                var keyStart = start
                while keyStart < end && record[keyStart] == space { keyStart += 1 }
                if keyStart < end {
                    var keyEnd = keyStart
                    while keyEnd < end && record[keyEnd] != space { keyEnd += 1 }
                    fields[text(keyStart..<keyEnd)] = keyEnd < end ? text((keyEnd + 1)..<end) : ""
                }
                start = end + 1
            }
        }
        return fields
    }
}
