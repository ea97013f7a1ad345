/// Line diffs with Myers' O(ND) algorithm (the default of `git diff`), grouped into unified-diff
/// hunks with N lines of context.
public enum LineDiff {
    public enum Op: Equatable, Sendable { case same, removed, added }

    public struct Line: Sendable {
        public var op: Op
        public var text: [UInt8]   // without the newline
        public var oldNumber: Int  // 1-based, 0 when absent
        public var newNumber: Int
    }

    public struct Hunk: Sendable {
        public var oldStart: Int, oldCount: Int, newStart: Int, newCount: Int
        public var lines: [Line]
    }

    /// Splits bytes into lines; `missingFinalNewline` is true when the last line has no "\n".
    public static func lines(_ bytes: [UInt8]) -> (lines: [[UInt8]], missingFinalNewline: Bool) {
        var out = [[UInt8]]()
        var start = 0
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
            out.append(Array(bytes[start..<i]))
            start = i + 1
        }
        if start < bytes.count { out.append(Array(bytes[start...])) }
        return (out, start < bytes.count)
    }

    /// The edit script between two line arrays: the shortest, found by Myers' greedy algorithm
    /// over diagonals (memory O(N·D) for the trace; fine for source files).
    public static func script(_ a: [[UInt8]], _ b: [[UInt8]]) -> [Op] {
        // Strip the common prefix and suffix first: most edits are small.
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let x0 = Array(a[prefix..<(a.count - suffix)]), y0 = Array(b[prefix..<(b.count - suffix)])
        let n = x0.count, m = y0.count
        var middle = [Op]()
        if n == 0 { middle = Array(repeating: .added, count: m) }
        else if m == 0 { middle = Array(repeating: .removed, count: n) }
        else {
            // Hash lines to ints so that comparisons are cheap.
            var table = [[UInt8]: Int]()
            let xs = x0.map { line -> Int in if let v = table[line] { return v }; table[line] = table.count; return table.count - 1 }
            let ys = y0.map { line -> Int in if let v = table[line] { return v }; table[line] = table.count; return table.count - 1 }
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
                return Array(repeating: .same, count: prefix) + Array(repeating: .removed, count: n)
                    + Array(repeating: .added, count: m) + Array(repeating: .same, count: suffix)
            }
            // Walk the trace back to recover the path.
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
            middle = reversed.reversed()
        }
        return Array(repeating: .same, count: prefix) + middle + Array(repeating: .same, count: suffix)
    }

    /// Comparison keys: a last line without its newline differs from the same text with one,
    /// as in git (`a\nb` and `a\nb\n` differ in their last line).
    public static func keys(_ lines: [[UInt8]], missingFinalNewline: Bool) -> [[UInt8]] {
        guard missingFinalNewline, let last = lines.last else { return lines }
        var keys = lines
        keys[keys.count - 1] = last + [0xFF, 0x00]
        return keys
    }

    /// Unified-diff hunks with `context` lines around each change. Pass whether each side's last
    /// line lacks a newline, so that adding or removing it is a change.
    public static func hunks(_ a: [[UInt8]], _ b: [[UInt8]], context: Int,
                             aMissingNewline: Bool = false, bMissingNewline: Bool = false) -> [Hunk] {
        let ops = script(keys(a, missingFinalNewline: aMissingNewline), keys(b, missingFinalNewline: bMissingNewline))
        var lines = [Line]()
        var i = 0, j = 0
        for op in ops {
            switch op {
            case .same: lines.append(Line(op: .same, text: a[i], oldNumber: i + 1, newNumber: j + 1)); i += 1; j += 1
            case .removed: lines.append(Line(op: .removed, text: a[i], oldNumber: i + 1, newNumber: 0)); i += 1
            case .added: lines.append(Line(op: .added, text: b[j], oldNumber: 0, newNumber: j + 1)); j += 1
            }
        }
        var hunks = [Hunk]()
        var index = 0
        while index < lines.count {
            guard let change = lines[index...].firstIndex(where: { $0.op != .same }) else { break }
            var start = max(0, change - context)
            var end = change
            // Extend over changes separated by at most 2 × context unchanged lines.
            while true {
                var next = end
                while next < lines.count, lines[next].op != .same { next += 1 }
                end = next
                guard let following = lines[end...].firstIndex(where: { $0.op != .same }), following - end <= 2 * context else { break }
                end = following
            }
            let stop = min(lines.count, end + context)
            start = max(start, index)
            let slice = Array(lines[start..<stop])
            let oldLines = slice.filter { $0.op != .added }, newLines = slice.filter { $0.op != .removed }
            // git numbers an empty side from the line before it.
            let oldStart = oldLines.first?.oldNumber ?? lineBefore(lines, start, old: true)
            let newStart = newLines.first?.newNumber ?? lineBefore(lines, start, old: false)
            hunks.append(Hunk(oldStart: oldStart, oldCount: oldLines.count, newStart: newStart, newCount: newLines.count, lines: slice))
            index = stop
        }
        return hunks
    }

    private static func lineBefore(_ lines: [Line], _ index: Int, old: Bool) -> Int {
        var i = index - 1
        while i >= 0 {
            let n = old ? lines[i].oldNumber : lines[i].newNumber
            if n > 0 { return n }
            i -= 1
        }
        return 0
    }

    /// True when git would call the content binary: a NUL byte in the first 8000 bytes.
    public static func isBinary(_ bytes: [UInt8]) -> Bool {
        bytes.prefix(8000).contains(0)
    }
}
