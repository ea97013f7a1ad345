#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Line diffs with Myers' O(ND) algorithm (the default of `git diff`), grouped into unified-diff
/// hunks with N lines of context.
///
/// Files are never cut into one array per line: `Lines` keeps the bytes and where each line
/// starts, the common prefix and suffix are found by comparing bytes, and only the lines in
/// between (usually a handful) are hashed and searched. A hunk's lines are the only ones copied.
public enum LineDiff {
    public enum Op: Equatable, Sendable { case same, removed, added }

    public struct Line: Sendable {
        public var op: Op
        public var text: ArraySlice<UInt8>  // without the newline
        public var oldNumber: Int  // 1-based, 0 when absent
        public var newNumber: Int
    }

    public struct Hunk: Sendable {
        public var oldStart: Int, oldCount: Int, newStart: Int, newCount: Int
        public var lines: [Line]
    }

    /// A file's bytes seen as lines. Line `i` is `bytes[starts[i] ..< starts[i + 1] - 1]`; the
    /// last start is one past the end (plus one more when the last line has no newline), so
    /// that the formula holds for every line.
    public struct Lines: Sendable {
        public let bytes: [UInt8]
        let starts: [Int]
        /// True when the last line has no "\n".
        public let missingFinalNewline: Bool

        public var count: Int { starts.count - 1 }

        public subscript(line: Int) -> ArraySlice<UInt8> { bytes[range(line)] }

        func range(_ line: Int) -> Range<Int> { starts[line]..<(starts[line + 1] - 1) }

        /// The bytes from the start of `line` to the end of the file.
        func tailLength(from line: Int) -> Int { bytes.count - starts[line] }

        /// Line `i` of a file compares equal to line `j` of another when the text and the ending
        /// are the same (git: `a\nb` and `a\nb\n` differ in their last line).
        func unterminated(_ line: Int) -> Bool { missingFinalNewline && line == count - 1 }
    }

    /// Cuts bytes into lines (memchr per line; nothing copied).
    public static func lines(_ bytes: [UInt8]) -> Lines {
        var starts = [0]
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count, let hit = memchr(base + offset, 0x0A, buffer.count - offset) {
                offset = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base + 1
                starts.append(offset)
            }
        }
        let missing = starts.last! < bytes.count
        if missing { starts.append(bytes.count + 1) }
        return Lines(bytes: bytes, starts: starts, missingFinalNewline: missing)
    }

    /// The edit script between two files: the shortest, found by Myers' greedy algorithm over
    /// diagonals, between the common prefix and suffix (memory O(D²) for the trace).
    public static func script(_ a: Lines, _ b: Lines) -> [Op] {
        let (prefix, suffix) = commonEnds(a, b)
        let n = a.count - prefix - suffix, m = b.count - prefix - suffix
        var ops = [Op]()
        ops.reserveCapacity(prefix + n + m + suffix)
        ops.append(contentsOf: repeatElement(.same, count: prefix))
        if n == 0 {
            ops.append(contentsOf: repeatElement(.added, count: m))
        } else if m == 0 {
            ops.append(contentsOf: repeatElement(.removed, count: n))
        } else {
            // Number the distinct lines so that the search compares integers.
            var table = [LineKey: Int]()
            func number(_ lines: Lines, _ i: Int) -> Int {
                let key = LineKey(text: lines[i], unterminated: lines.unterminated(i))
                if let known = table[key] { return known }
                table[key] = table.count
                return table.count - 1
            }
            let xs = (prefix..<(prefix + n)).map { number(a, $0) }
            let ys = (prefix..<(prefix + m)).map { number(b, $0) }
            ops.append(contentsOf: myers(xs, ys))
        }
        ops.append(contentsOf: repeatElement(.same, count: suffix))
        return ops
    }

    /// The numbers of equal lines at the start and at the end of both files (not overlapping).
    /// Equal byte runs that start and end on line boundaries in both files are equal lines.
    static func commonEnds(_ a: Lines, _ b: Lines) -> (prefix: Int, suffix: Int) {
        a.bytes.withUnsafeBufferPointer { x in
            b.bytes.withUnsafeBufferPointer { y in
                let limit = min(x.count, y.count)
                var p = 0
                while p < limit, x[p] == y[p] { p += 1 }
                // Line i is common when its bytes and its newline lie inside the equal run (or
                // both files end exactly there, with the same unterminated last line).
                var prefix = 0
                while prefix < a.count, prefix < b.count {
                    let endA = a.starts[prefix + 1], endB = b.starts[prefix + 1]
                    guard endA == endB, endA <= p || (p == x.count && p == y.count) else { break }
                    prefix += 1
                }
                let used = a.starts[prefix]  // the same in both
                var s = 0
                let room = min(x.count, y.count) - used
                while s < room, x[x.count - 1 - s] == y[y.count - 1 - s] { s += 1 }
                var suffix = 0
                while suffix < a.count - prefix, suffix < b.count - prefix {
                    let la = a.tailLength(from: a.count - 1 - suffix), lb = b.tailLength(from: b.count - 1 - suffix)
                    guard la == lb, la <= s else { break }
                    suffix += 1
                }
                return (prefix, suffix)
            }
        }
    }

    /// Myers' greedy search on numbered lines, with the trace walked back into operations.
    static func myers(_ xs: [Int], _ ys: [Int]) -> [Op] {
        let n = xs.count, m = ys.count
        let max = n + m
        let offset = max
        var v = [Int](repeating: 0, count: 2 * max + 2)
        // Each step keeps only the diagonals it can reach (2d + 1 values), and very different
        // files stop early: memory stays O(D²) with D at most `maxEdits`.
        var trace = [[Int]]()
        let maxEdits = 3000
        var found = false
        outer: for d in 0...max {
            if d > maxEdits { break }
            trace.append(Array(v[(offset - d)...(offset + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) { x = v[offset + k + 1] } else { x = v[offset + k - 1] + 1 }
                var y = x - k
                while x < n, y < m, xs[x] == ys[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n && y >= m { found = true; break outer }
            }
        }
        if !found {
            // Too different for an exact shortest script: everything in between is replaced.
            return Array(repeating: .removed, count: n) + Array(repeating: .added, count: m)
        }
        var x = n, y = m
        var reversed = [Op]()
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let vd = trace[d]  // holds diagonals -d...d+1: index k + d
            let k = x - y
            let prevK: Int
            if k == -d || (k != d && vd[k - 1 + d] < vd[k + 1 + d]) { prevK = k + 1 } else { prevK = k - 1 }
            let prevX = d == 0 ? 0 : vd[prevK + d]
            let prevY = prevX - prevK
            while x > prevX && y > prevY { reversed.append(.same); x -= 1; y -= 1 }
            if d > 0 {
                if x == prevX { reversed.append(.added) } else { reversed.append(.removed) }
                x = prevX; y = prevY
            }
        }
        while x > 0 && y > 0 { reversed.append(.same); x -= 1; y -= 1 }
        return reversed.reversed()
    }

    /// Unified-diff hunks with `context` lines around each change. Changes separated by at most
    /// 2 × `context` unchanged lines share a hunk, as in git.
    public static func hunks(_ a: Lines, _ b: Lines, context: Int) -> [Hunk] {
        let ops = script(a, b)
        var hunks = [Hunk]()
        var k = 0, i = 0, j = 0  // ops[k] applies to old line i and new line j
        while let change = ops[k...].firstIndex(where: { $0 != .same }) {
            i += change - k; j += change - k
            // Back up over the leading context (unchanged lines, never into the previous hunk).
            let lead = min(context, change - k)
            var end = change
            while true {
                while end < ops.count, ops[end] != .same { end += 1 }
                guard let following = ops[end...].firstIndex(where: { $0 != .same }),
                      following - end <= 2 * context else { break }
                end = following
            }
            let stop = min(ops.count, end + context)
            var oldLine = i - lead, newLine = j - lead
            var hunk = Hunk(oldStart: 0, oldCount: 0, newStart: 0, newCount: 0, lines: [])
            hunk.lines.reserveCapacity(stop - change + lead)
            for op in ops[(change - lead)..<stop] {
                switch op {
                case .same:
                    hunk.lines.append(Line(op: .same, text: a[oldLine], oldNumber: oldLine + 1, newNumber: newLine + 1))
                    oldLine += 1; newLine += 1; hunk.oldCount += 1; hunk.newCount += 1
                case .removed:
                    hunk.lines.append(Line(op: .removed, text: a[oldLine], oldNumber: oldLine + 1, newNumber: 0))
                    oldLine += 1; hunk.oldCount += 1
                case .added:
                    hunk.lines.append(Line(op: .added, text: b[newLine], oldNumber: 0, newNumber: newLine + 1))
                    newLine += 1; hunk.newCount += 1
                }
            }
            // git numbers an empty side from the line before it.
            hunk.oldStart = hunk.oldCount == 0 ? i - lead : i - lead + 1
            hunk.newStart = hunk.newCount == 0 ? j - lead : j - lead + 1
            hunks.append(hunk)
            k = stop; i = oldLine; j = newLine
        }
        return hunks
    }

    /// Lines added and removed.
    public static func counts(_ a: Lines, _ b: Lines) -> (added: Int, removed: Int) {
        var added = 0, removed = 0
        for op in script(a, b) {
            switch op {
            case .added: added += 1
            case .removed: removed += 1
            case .same: break
            }
        }
        return (added, removed)
    }

    /// How many first bytes decide whether content is binary (git's rule, `buffer_is_binary`).
    public static let binaryCheckLength = 8000

    /// True when git would call the content binary: a NUL byte in its first `binaryCheckLength` bytes.
    public static func isBinary(_ bytes: [UInt8]) -> Bool {
        bytes.prefix(binaryCheckLength).contains(0)
    }
}

/// A line's text and ending, as a dictionary key (hashing the bytes in one call).
private struct LineKey: Hashable {
    let text: ArraySlice<UInt8>
    let unterminated: Bool

    func hash(into hasher: inout Hasher) {
        text.withUnsafeBytes { hasher.combine(bytes: $0) }
        hasher.combine(unterminated)
    }

    static func == (l: LineKey, r: LineKey) -> Bool {
        l.unterminated == r.unterminated && l.text.elementsEqual(r.text)
    }
}
