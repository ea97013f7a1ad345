import Testing
@testable import LVCKit

/// The line diff against a plain dynamic-programming LCS: the script must be a shortest one, and
/// the hunks must turn the old file into the new one.
@Suite struct LineDiffTests {
    struct Rng {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    /// Lines as (text, terminated) pairs: what the diff must treat as equal or not.
    static func lineKeys(_ bytes: [UInt8]) -> [[UInt8]] {
        var out = [[UInt8]](), current = [UInt8]()
        for b in bytes {
            if b == 10 { out.append(current + [10]); current = [] } else { current.append(b) }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    static func lcsLength(_ a: [[UInt8]], _ b: [[UInt8]]) -> Int {
        var row = [Int](repeating: 0, count: b.count + 1)
        for x in a {
            var diagonal = 0
            for j in 0..<b.count {
                let above = row[j + 1]
                row[j + 1] = x == b[j] ? diagonal + 1 : max(row[j + 1], row[j])
                diagonal = above
            }
        }
        return row[b.count]
    }

    /// Applies hunks to the old file's lines the way `patch` does.
    static func apply(_ hunks: [LineDiff.Hunk], to old: LineDiff.Lines, new: LineDiff.Lines) -> [[UInt8]] {
        var result = [[UInt8]](), next = 0  // next old line (0-based) not yet copied
        func key(_ lines: LineDiff.Lines, _ i: Int) -> [UInt8] { Array(lines[i]) + (lines.unterminated(i) ? [] : [10]) }
        for hunk in hunks {
            let firstOld = hunk.oldCount == 0 ? hunk.oldStart : hunk.oldStart - 1
            while next < firstOld { result.append(key(old, next)); next += 1 }
            for line in hunk.lines {
                switch line.op {
                case .same: result.append(key(old, line.oldNumber - 1)); next += 1
                case .removed: next += 1
                case .added: result.append(key(new, line.newNumber - 1))
                }
            }
        }
        while next < old.count { result.append(key(old, next)); next += 1 }
        return result
    }

    @Test func shortestScriptAndHunksThatApply() {
        var rng = Rng(state: 20261127)
        let words = ["alpha", "beta", "gamma", "}", "", "delta delta"]
        func text() -> [UInt8] {
            let count = rng.next(40)
            var s = (0..<count).map { _ in words[rng.next(words.count)] }.joined(separator: "\n")
            if count > 0, rng.next(3) != 0 { s += "\n" }
            return Array(s.utf8)
        }
        for round in 0..<400 {
            let oldBytes = text()
            // Half the rounds edit a copy (shared prefix and suffix), half compare unrelated files.
            var newBytes = text()
            if round % 2 == 0, !oldBytes.isEmpty {
                let cut = rng.next(oldBytes.count), cut2 = cut + rng.next(oldBytes.count - cut + 1)
                newBytes = Array(oldBytes[..<cut]) + newBytes.prefix(rng.next(12)) + Array(oldBytes[cut2...])
            }
            let old = LineDiff.lines(oldBytes), new = LineDiff.lines(newBytes)
            let ops = LineDiff.script(old, new)
            let a = Self.lineKeys(oldBytes), b = Self.lineKeys(newBytes)
            #expect(old.count == a.count && new.count == b.count, "round \(round)")
            #expect(ops.filter { $0 != .added }.count == a.count && ops.filter { $0 != .removed }.count == b.count)
            #expect(ops.filter { $0 == .same }.count == Self.lcsLength(a, b), "round \(round): not a shortest script")
            for context in [0, 1, 3] {
                let hunks = LineDiff.hunks(old, new, context: context)
                #expect(Self.apply(hunks, to: old, new: new) == b, "round \(round), -U\(context)")
                #expect(hunks.isEmpty == (a == b))
            }
        }
    }

    @Test func finalNewlineIsPartOfTheLastLine() {
        let a = LineDiff.lines(Array("x\ny".utf8)), b = LineDiff.lines(Array("x\ny\n".utf8))
        #expect(a.count == 2 && a.missingFinalNewline && !b.missingFinalNewline)
        #expect(LineDiff.script(a, b) == [.same, .removed, .added])
        #expect(LineDiff.script(b, b) == [.same, .same])
        #expect(LineDiff.lines([]).count == 0)
        let hunk = LineDiff.hunks(a, b, context: 3)
        #expect(hunk.count == 1 && hunk[0].oldStart == 1 && hunk[0].oldCount == 2 && hunk[0].newCount == 2)
    }
}
