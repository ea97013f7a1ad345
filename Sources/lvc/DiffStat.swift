/// The `--stat` table laid out as git lays it out: one line per file (name, change count, a bar
/// of `+` and `-`), fitted into `width` columns (the terminal's, or 80). Names that do not fit
/// lose their beginning (`.../rest`); bars longer than the room left are scaled, each file that
/// changed keeping at least one mark. Checked against git 2.39 by `DiffTests.statLayoutIsGits`.
struct DiffStat {
    enum Change {
        case text(added: Int, removed: Int)
        case binary(oldSize: Int, newSize: Int)
    }

    struct Row {
        /// As printed: quoted like git's (ASCII only, so one byte is one column).
        var name: String
        var change: Change
    }

    /// The widths of the table's columns: what git's rules give for `rows` in `width` columns.
    struct Layout: Equatable {
        var name: Int
        var number: Int
        var graph: Int
        var biggestChange: Int
    }

    static func layout(_ rows: [Row], width total: Int) -> Layout {
        var longestName = 0, biggestChange = 0, binaryText = 0, number = 0
        for row in rows {
            longestName = max(longestName, row.name.utf8.count)
            switch row.change {
            case .text(let added, let removed):
                biggestChange = max(biggestChange, added + removed)
            case .binary(let oldSize, let newSize):
                // "Bin OLD -> NEW bytes": its part from OLD on is placed like a bar.
                binaryText = max(binaryText, 14 + digits(oldSize) + digits(newSize))
                number = 3  // counts are aligned with "Bin"
            }
        }
        number = max(number, digits(biggestChange))
        // Six columns are the separators (" ", " | ", " "); the rest is shared out with at least
        // 10 for the name and 6 for the bar.
        let width = max(total, 16 + 6 + number)
        var graph = biggestChange + 4 > binaryText ? biggestChange : binaryText - 4
        var name = longestName
        if name + number + 6 + graph > width {
            // The bar gets at most 3/8 of the width; the name what is left, or the bar does.
            if graph > width * 3 / 8 - number - 6 { graph = max(width * 3 / 8 - number - 6, 6) }
            if name > width - number - 6 - graph {
                name = width - number - 6 - graph
            } else {
                graph = width - number - 6 - name
            }
        }
        return Layout(name: name, number: number, graph: graph, biggestChange: biggestChange)
    }

    /// Marks for `count` changed lines when the biggest change (`biggest` lines) is drawn with
    /// `graph` marks: as if the bar were one mark shorter, plus one, so that any change shows.
    static func scaled(_ count: Int, graph: Int, biggest: Int) -> Int {
        count == 0 ? 0 : 1 + count * (graph - 1) / biggest
    }

    /// `name` cut to `width` columns: the beginning gives way to `...`, and what is left starts at
    /// a `/` when it holds one.
    static func fitted(_ name: String, width: Int) -> String {
        let bytes = Array(name.utf8)
        guard bytes.count > width else { return name }
        var rest = bytes.suffix(max(width - 3, 0))
        if let slash = rest.firstIndex(of: UInt8(ascii: "/")) { rest = rest[slash...] }
        return "..." + String(decoding: rest, as: UTF8.self)
    }

    /// The table's lines, without the summary line; `plus` and `minus` paint the marks.
    static func lines(_ rows: [Row], width: Int, plus: (String) -> String, minus: (String) -> String) -> [String] {
        let layout = layout(rows, width: width)
        return rows.map { row in
            let name = fitted(row.name, width: layout.name)
            let column = " " + name + String(repeating: " ", count: max(layout.name - name.utf8.count, 0)) + " | "
            switch row.change {
            case .binary(let oldSize, let newSize):
                return column + padded("Bin", layout.number) + " \(oldSize) -> \(newSize) bytes"
            case .text(var added, var removed):
                let count = added + removed
                if layout.graph <= layout.biggestChange {
                    var marks = scaled(count, graph: layout.graph, biggest: layout.biggestChange)
                    if marks < 2 && added > 0 && removed > 0 { marks = 2 }  // both kinds show
                    if added < removed {
                        added = scaled(added, graph: layout.graph, biggest: layout.biggestChange)
                        removed = marks - added
                    } else {
                        removed = scaled(removed, graph: layout.graph, biggest: layout.biggestChange)
                        added = marks - removed
                    }
                }
                let bar = count == 0 ? "" : " " + plus(String(repeating: "+", count: added))
                    + minus(String(repeating: "-", count: removed))
                return column + padded(String(count), layout.number) + bar
            }
        }
    }

    static func digits(_ n: Int) -> Int { String(n).count }

    static func padded(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(width - text.count, 0)) + text
    }
}
