import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file found in the function folder.
public struct WorktreeFile: Sendable {
    public var path: [UInt8]
    public var mode: EntryMode
    public var stat: StatData
    public var pathString: String { String(decoding: path, as: UTF8.self) }
}

/// The result of walking the function folder.
public struct WorktreeScan: Sendable {
    /// Sorted by path bytes, like index entries.
    public var files: [WorktreeFile]
    /// Things lvc saw and did not take, with the reason (special files, unstorable names).
    public var skipped: [(path: String, reason: String)]
}

/// Names lvc never stores at any depth, compared without case: git's own folder and lvc's store.
/// These checks run for every path each time the folder is walked or `$LATEST` is read: they
/// work on the bytes in place and allocate nothing unless there is a problem to report.
enum ReservedNames {
    private static let dot = UInt8(ascii: "."), slash = UInt8(ascii: "/"), backslash = UInt8(ascii: "\\")

    static func isReserved(_ name: ArraySlice<UInt8>) -> Bool {
        name.withUnsafeBufferPointer(isReserved)
    }

    private static func isReserved(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count == 4 || name.count == 7, name.first == dot else { return false }
        let word: StaticString = name.count == 4 ? ".git" : ".lambda"
        for i in 1..<name.count {
            let c = name[i]
            if (c >= 65 && c <= 90 ? c + 32 : c) != word.utf8Start[i] { return false }
        }
        return true
    }

    /// Why a path component cannot be stored or checked out safely, or nil if it can.
    static func problem(with name: ArraySlice<UInt8>) -> String? {
        name.withUnsafeBufferPointer(problem(in:))
    }

    private static func problem(in name: UnsafeBufferPointer<UInt8>) -> String? {
        if !isSuspect(name, separators: false) { return nil }  // nearly every name
        if name.isEmpty { return "empty name" }
        if name[0] == dot {
            if name.count == 1 || (name.count == 2 && name[1] == dot) { return "'.' and '..' cannot be stored" }
            if isReserved(name) { return "'.git' and '.lambda' are reserved names" }
        }
        var separator = false, backslashSeen = false, control = false, nonASCII = false
        for c in name where c < 0x20 || c == slash || c == backslash || c >= 0x80 {
            if c == slash { separator = true } else if c == backslash { backslashSeen = true }
            else if c >= 0x80 { nonASCII = true } else { control = true }
        }
        if separator { return "a name cannot contain '/'" }
        if backslashSeen { return "a name cannot contain a backslash (it is a path separator on Windows)" }
        if control { return "a name cannot contain control characters (newline, tab, NUL …)" }
        if nonASCII && String(validating: name, as: UTF8.self) == nil {
            return "a name must be UTF-8 (a Lambda package's names are; lvc stores UTF-8 names only)"
        }
        return nil
    }

    /// Checks every component of a relative path. One quick pass first: a path is suspect only
    /// if a component starts with "." or is empty, or a byte is a control character, "\\" or
    /// not ASCII; the others (nearly all) need nothing more.
    static func problem(withPath path: [UInt8]) -> String? {
        if path.first == slash { return "absolute paths are not allowed" }
        guard path.withUnsafeBufferPointer({ isSuspect($0) }) else { return nil }
        return path.withUnsafeBufferPointer { buffer -> String? in
            var start = 0
            for i in 0...buffer.count where i == buffer.count || buffer[i] == slash {
                if let problem = problem(in: UnsafeBufferPointer(rebasing: buffer[start..<i])) { return problem }
                start = i + 1
            }
            return nil
        }
    }

    /// The quick pass of `problem(withPath:)`, eight bytes at a time: `$LATEST`'s every path goes
    /// through it whenever `$LATEST` is read (20,000 paths, a quarter of the reading's
    /// instructions when it went byte by byte).
    /// `separators`: "/" separates components; false, a "/" anywhere is suspect (a single name).
    static func isSuspect(_ path: UnsafeBufferPointer<UInt8>, separators: Bool = true) -> Bool {
        let count = path.count
        guard count > 0, let base = path.baseAddress else { return true }  // empty
        if path[count - 1] == slash { return true }  // an empty last component
        guard count >= 8 else {
            var startsComponent = true  // the next byte starts a component
            for c in path {
                if c < 0x20 || c >= 0x80 || c == backslash || (startsComponent && (c == dot || c == slash)) { return true }
                if c == slash && !separators { return true }
                startsComponent = c == slash
            }
            return false
        }
        /// The eight bytes at `offset`; `startsComponent`: the first of them starts a component.
        func suspect(at offset: Int, startsComponent: Bool) -> Bool {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self))
            let slashes = Word.bytes(of: word, equalTo: slash)
            let startBytes = Word.bytes(of: word, equalTo: dot) | slashes  // suspect at a component's start
            let starts = slashes << 8 | (startsComponent ? 0x80 : 0)  // bytes that start a component
            return (Word.bytesBelow0x20(word) | word & Word.high | Word.bytes(of: word, equalTo: backslash)
                | starts & startBytes | (separators ? 0 : slashes)) != 0
        }
        var i = 0
        while i + 8 <= count {
            if suspect(at: i, startsComponent: i == 0 || base[i - 1] == slash) { return true }
            i += 8
        }
        // The last bytes: the last eight, overlapping checked ones (checking a byte twice gives
        // the same answer).
        return i < count && suspect(at: count - 8, startsComponent: base[count - 9] == slash)
    }

    /// Byte-wise tests on eight bytes at once: each returns a word whose bytes have their high bit
    /// set exactly where the test holds (no carries between bytes, so no false positives).
    private enum Word {
        static let high: UInt64 = 0x8080_8080_8080_8080
        static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

        static func bytes(of word: UInt64, equalTo byte: UInt8) -> UInt64 {
            let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))  // zero where equal
            return ~((x & low7) &+ low7 | x) & high
        }

        /// Bytes below 0x20 (control characters); bytes from 0x80 are not counted.
        static func bytesBelow0x20(_ word: UInt64) -> UInt64 {
            ~((word & low7) &+ 0x6060_6060_6060_6060 | word) & high
        }
    }
}

extension StatData {
    init(_ st: stat) {
        self.init()
        ctimeSeconds = UInt32(truncatingIfNeeded: st.st_ctim.tv_sec)
        ctimeNanoseconds = UInt32(truncatingIfNeeded: st.st_ctim.tv_nsec)
        mtimeSeconds = UInt32(truncatingIfNeeded: st.st_mtim.tv_sec)
        mtimeNanoseconds = UInt32(truncatingIfNeeded: st.st_mtim.tv_nsec)
        device = UInt32(truncatingIfNeeded: st.st_dev)
        inode = UInt32(truncatingIfNeeded: st.st_ino)
        uid = UInt32(truncatingIfNeeded: st.st_uid)
        gid = UInt32(truncatingIfNeeded: st.st_gid)
        size = UInt32(truncatingIfNeeded: st.st_size)
    }
}

