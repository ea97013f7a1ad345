/// The `key value` lines lvc writes for its own records: aliases and triggers in the state tree,
/// `$LATEST`'s metadata (`lvc/latest`) and the function's identity (`refs/lvc/function`).
///
/// Lines end at "\n"; empty lines and lines of spaces are skipped. The key runs from the first
/// character that is not a space to the next space, the value from after that space to the end
/// of the line (it may hold spaces, and is empty when the line has no space after the key). A
/// later line with the same key wins. Any bytes are accepted: invalid UTF-8 becomes U+FFFD.
enum KeyValueRecord {
    static func parse(_ bytes: [UInt8]) -> [Substring: Substring] {
        let text = String(decoding: bytes, as: UTF8.self)
        let utf8 = text.utf8
        let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " ")
        var fields = [Substring: Substring]()
        var lineStart = utf8.startIndex
        while lineStart < utf8.endIndex {
            let lineEnd = utf8[lineStart...].firstIndex(of: newline) ?? utf8.endIndex
            if let keyStart = utf8[lineStart..<lineEnd].firstIndex(where: { $0 != space }) {
                if let keyEnd = utf8[keyStart..<lineEnd].firstIndex(of: space) {
                    fields[text[keyStart..<keyEnd]] = text[utf8.index(after: keyEnd)..<lineEnd]
                } else {
                    fields[text[keyStart..<lineEnd]] = ""
                }
            }
            lineStart = lineEnd == utf8.endIndex ? lineEnd : utf8.index(after: lineEnd)
        }
        return fields
    }
}
