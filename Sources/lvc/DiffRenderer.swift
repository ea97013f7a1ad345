import LVCKit
import LVCStore

/// Renders a `StateDiff` the way `git diff` does: headers, hunks, `--stat`, plus lvc's
/// configuration section.
struct DiffRenderer {
    var context: Int
    var colors: Bool
    var showValues: Bool
    /// The columns `--stat` fits into: the terminal's, as git takes them.
    var statWidth = Terminal.columns

    func paint(_ s: String, _ code: String) -> String { colorStart(code) + s + colorEnd }
    func colorStart(_ code: String) -> String { colors ? "\u{1B}[\(code)m" : "" }
    var colorEnd: String { colors ? "\u{1B}[m" : "" }

    /// git's status letter: A, D, M, or T for a type change (file ↔ symlink).
    static func letter(_ change: TreeChange) -> String {
        if change.isTypeChange { return "T" }
        switch change.kind { case .added: return "A"; case .deleted: return "D"; case .modified: return "M" }
    }

    static func short(_ id: ObjectID?) -> String { id.map { String($0.hex.prefix(7)) } ?? "0000000" }

    /// A path as git writes it in diff output with its default `core.quotePath`: `prefix + path`
    /// as it is, or, when the path holds a control character, `"`, `\`, DEL or any byte above
    /// 0x7F, the whole in double quotes with C escapes (`\t`, `\"`, `\\`, octal `\303\251` for é),
    /// so that patch tools and scripts can tell where a name ends.
    static func quoted(_ prefix: String, _ path: [UInt8]) -> String {
        func needsQuote(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x22 || byte == 0x5C || byte >= 0x7F }
        guard path.contains(where: needsQuote) else { return prefix + String(decoding: path, as: UTF8.self) }
        var out = "\"" + prefix
        for byte in path {
            switch byte {
            case 0x07: out += "\\a"
            case 0x08: out += "\\b"
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0B: out += "\\v"
            case 0x0C: out += "\\f"
            case 0x0D: out += "\\r"
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case _ where needsQuote(byte):
                let octal = String(byte, radix: 8)
                out += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            default: out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out + "\""
    }

    /// git ends a `---`/`+++` line with a tab (after the colour) when the name holds a space, so
    /// that patch tools find where the name ends.
    static func nameEnd(_ label: String) -> String { label.contains(" ") ? "\t" : "" }

    func patch(_ diff: StateDiff, into out: PagedOutput) {
        for file in diff.files {
            guard file.change.isTypeChange else { patch(file, into: out); continue }
            // As git: the old file deleted, then the new one added, each a section of its own.
            var removed = file, added = file
            removed.change.kind = .deleted; removed.change.new = nil; removed.newContent = nil
            added.change.kind = .added; added.change.old = nil; added.oldContent = nil
            removed.largeBinary = file.largeBinary.map { ($0.oldSize, 0) }
            added.largeBinary = file.largeBinary.map { (0, $0.newSize) }
            patch(removed, into: out)
            patch(added, into: out)
        }
    }

    /// One file's section: the `diff --git` header, mode lines, the index line, then hunks.
    private func patch(_ file: FileDiff, into out: PagedOutput) {
        let c = file.change
        let aPath = Self.quoted("a/", c.path), bPath = Self.quoted("b/", c.path)
        out.line(paint("diff --git \(aPath) \(bPath)", "1"))
        let oldMode = c.old.map { String($0.mode.rawValue, radix: 8) }, newMode = c.new.map { String($0.mode.rawValue, radix: 8) }
        var indexSuffix = ""
        switch c.kind {
        case .added: out.line(paint("new file mode \(newMode!)", "1"))
        case .deleted: out.line(paint("deleted file mode \(oldMode!)", "1"))
        case .modified:
            if oldMode != newMode {
                out.line(paint("old mode \(oldMode!)", "1"))
                out.line(paint("new mode \(newMode!)", "1"))
            } else {
                indexSuffix = " \(newMode!)"
            }
        }
        if c.old?.id == c.new?.id { return }  // mode change only
        out.line(paint("index \(Self.short(c.old?.id))..\(Self.short(c.new?.id))\(indexSuffix)", "1"))
        let old = file.oldContent ?? [], new = file.newContent ?? []
        let aName = c.old == nil ? "/dev/null" : aPath, bName = c.new == nil ? "/dev/null" : bPath
        if let sizes = file.binarySizes {
            out.line("Binary files \(aName) and \(bName) differ (\(sizes.oldSize) → \(sizes.newSize) bytes)")
            return
        }
        let oldLines = LineDiff.lines(old), newLines = LineDiff.lines(new)
        let hunks = LineDiff.hunks(oldLines, newLines, context: context)
        // An empty file added or deleted has no hunk, and git then writes no ---/+++ lines either.
        guard !hunks.isEmpty else { return }
        out.line(paint("--- \(aName)", "1") + Self.nameEnd(aName))
        out.line(paint("+++ \(bName)", "1") + Self.nameEnd(bName))
        for hunk in hunks {
            func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }
            let header = paint("@@ -\(range(hunk.oldStart, hunk.oldCount)) +\(range(hunk.newStart, hunk.newCount)) @@", "36")
            // The search starts above the hunk's first old line; a hunk that only inserts (-U 0)
            // has none, and its old start is the line the insertion follows, so that line counts.
            // File contents are written as bytes, as git does: a patch of a Latin-1 file applies.
            if let function = Self.functionContext(oldLines, before: hunk.oldCount == 0 ? hunk.oldStart + 1 : hunk.oldStart) {
                out.line(Array(header.utf8), Array(" ".utf8), function)
            } else {
                out.line(header)
            }
            for line in hunk.lines {
                switch line.op {
                case .same: out.line(Array(" ".utf8), Array(line.text))
                case .removed: out.line(Array(colorStart("31").utf8), Array("-".utf8), Array(line.text), Array(colorEnd.utf8))
                case .added: out.line(Array(colorStart("32").utf8), Array("+".utf8), Array(line.text), Array(colorEnd.utf8))
                }
                let lastOld = line.op != .added && line.oldNumber == oldLines.count && oldLines.missingFinalNewline
                let lastNew = line.op != .removed && line.newNumber == newLines.count && newLines.missingFinalNewline
                if (line.op == .removed && lastOld) || (line.op == .added && lastNew) || (line.op == .same && (lastOld || lastNew)) {
                    out.line("\\ No newline at end of file")
                }
            }
        }
    }

    /// git's default hunk-header context: the nearest line above the hunk that starts with a
    /// letter, `_` or `$`, cut to 80 bytes, trailing white space removed.
    static func functionContext(_ lines: LineDiff.Lines, before lineNumber: Int) -> [UInt8]? {
        var i = lineNumber - 2
        while i >= 0 {
            let line = lines[i]
            if let first = line.first, (first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first == 95 || first == 36 {
                var cut = Array(line.prefix(80))
                while let last = cut.last, last == 32 || last == 9 || last == 13 { cut.removeLast() }
                return cut
            }
            i -= 1
        }
        return nil
    }

    /// Lines added and removed in one file (nil for binary files).
    static func summary(_ file: FileDiff) -> LineSummary {
        file.summary ?? .of(file)
    }

    /// Lines added and removed; nil for a binary file.
    static func counts(_ file: FileDiff) -> (added: Int, removed: Int)? {
        guard case .text(let added, let removed) = summary(file) else { return nil }
        return (added, removed)
    }

    func stat(_ diff: StateDiff, into out: PagedOutput) {
        guard !diff.files.isEmpty else { return }
        var added = 0, removed = 0
        let rows = diff.files.map { file -> DiffStat.Row in
            let name = Self.quoted("", file.change.path)
            switch Self.summary(file) {
            case .binary(let oldSize, let newSize):
                return .init(name: name, change: .binary(oldSize: oldSize, newSize: newSize))
            case .text(let plusLines, let minusLines):
                added += plusLines; removed += minusLines
                return .init(name: name, change: .text(added: plusLines, removed: minusLines))
            }
        }
        for line in DiffStat.lines(rows, width: statWidth, plus: { paint($0, "32") }, minus: { paint($0, "31") }) {
            out.line(line)
        }
        var totals = " \(diff.files.count) file\(diff.files.count == 1 ? "" : "s") changed"
        // As git: a zero count is left out unless both are zero.
        if added > 0 || removed == 0 { totals += ", \(added) insertion\(added == 1 ? "" : "s")(+)" }
        if removed > 0 || added == 0 { totals += ", \(removed) deletion\(removed == 1 ? "" : "s")(-)" }
        out.line(totals)
    }

    func config(_ diff: StateDiff, into out: PagedOutput) {
        guard !diff.config.isEmpty else { return }
        out.line(paint("configuration:", "1"))
        for change in diff.config { out.line("\t" + ConfigText.describe(change, showValues: showValues)) }
    }

    func json(_ diff: StateDiff) -> JSON {
        let files = diff.files.map { file -> JSON in
            var m: [String: JSON] = ["Path": .string(file.change.pathString), "Change": .string(file.change.kind.rawValue)]
            m["OldMode"] = file.change.old.map { .string(String($0.mode.rawValue, radix: 8)) } ?? .null
            m["NewMode"] = file.change.new.map { .string(String($0.mode.rawValue, radix: 8)) } ?? .null
            if let counts = Self.counts(file) {
                m["Insertions"] = .int(counts.added); m["Deletions"] = .int(counts.removed); m["Binary"] = .bool(false)
            } else {
                m["Binary"] = .bool(true)
            }
            return .object(m)
        }
        let config = diff.config.map { c -> JSON in
            let masked = ConfigText.isSecret(c.key) && !showValues
            return .object(["Key": .string(c.key),
                            "Old": c.old.map { masked ? .string("****") : .string($0) } ?? .null,
                            "New": c.new.map { masked ? .string("****") : .string($0) } ?? .null])
        }
        return .object(["Files": .array(files), "Configuration": .array(config)])
    }
}

extension String {
    func padding(toLength n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
