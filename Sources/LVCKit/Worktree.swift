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
enum ReservedNames {
    static func isReserved(_ name: ArraySlice<UInt8>) -> Bool {
        guard name.count == 4 || name.count == 7, name.first == UInt8(ascii: ".") else { return false }
        let word: [UInt8] = name.count == 4 ? Array(".git".utf8) : Array(".lambda".utf8)
        for (c, w) in zip(name, word) where (c >= 65 && c <= 90 ? c + 32 : c) != w { return false }
        return true
    }

    /// Why a path component cannot be stored or checked out safely, or nil if it can.
    static func problem(with name: ArraySlice<UInt8>) -> String? {
        if name.isEmpty { return "empty name" }
        if name.elementsEqual(".".utf8) || name.elementsEqual("..".utf8) { return "'.' and '..' cannot be stored" }
        if isReserved(name) { return "'.git' and '.lambda' are reserved names" }
        if name.contains(UInt8(ascii: "/")) { return "a name cannot contain '/'" }
        if name.contains(UInt8(ascii: "\\")) { return "a name cannot contain a backslash (it is a path separator on Windows)" }
        if name.contains(where: { $0 < 0x20 }) { return "a name cannot contain control characters (newline, tab, NUL …)" }
        return nil
    }

    /// Checks every component of a relative path (without allocating: this runs for every
    /// entry each time `$LATEST` is read).
    static func problem(withPath path: [UInt8]) -> String? {
        if path.first == UInt8(ascii: "/") { return "absolute paths are not allowed" }
        return path.withUnsafeBufferPointer { buffer -> String? in
            var start = 0
            for i in 0...buffer.count where i == buffer.count || buffer[i] == UInt8(ascii: "/") {
                let component = buffer[start..<i]
                if component.count <= 7 || component.contains(where: { $0 == 0x5C || $0 < 0x20 }) {
                    // Short components may be ".", "..", ".git" or ".lambda": check them fully.
                    if let problem = problem(with: ArraySlice(component)) { return problem }
                }
                start = i + 1
            }
            return nil
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

