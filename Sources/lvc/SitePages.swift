import LVCKit
import LVCStore

/// The pages of the history site.
enum SitePages {
    typealias H = SiteHTML

    static func overview(repository: Repository, versions: [PublishedVersion], state: FunctionState,
                         history: [StateEvent], latest: Latest) -> String {
        var body = "<h1>\(H.escape(repository.functionName))</h1>\n<p class=\"mono\">\(H.escape(repository.functionArn))</p>\n"
        body += "<h2>Configuration of $LATEST</h2>\n" + H.table(H.configRows(latest.configuration))
        body += "\n<h2>Aliases</h2>\n"
        if state.aliases.isEmpty { body += "<p>No aliases.</p>" } else {
            body += "<table><tr><th>alias</th><th>version</th><th>description</th><th>triggers</th></tr>"
            for alias in state.aliases.values.sorted(by: { $0.name < $1.name }) {
                let triggers = state.triggers(on: alias.name).map { H.escape($0.source) }.joined(separator: "<br>")
                body += "<tr><td><a href=\"a/\(H.escape(H.fileName(alias.name))).html\">\(H.escape(alias.name))</a></td>"
                    + "<td>\(H.escape(alias.positionText))</td><td>\(H.escape(alias.description))</td><td>\(triggers)</td></tr>"
            }
            body += "</table>"
        }
        body += "\n<h2>Timeline</h2>\n" + timeline(versions: versions, history: history, state: state)
        body += "\n<h2>Versions</h2>\n<table><tr><th>version</th><th>published</th><th>description</th><th>CodeSha256</th><th>size</th><th>aliases</th></tr>"
        for version in versions.reversed() {
            let aliases = state.aliases.values.filter { $0.versionsUsed.contains(version.number) }.map(\.name).sorted()
            body += "<tr><td><a href=\"v/\(version.number).html\">version \(version.number)</a></td>"
                + "<td>\(Repository.awsTimestamp(version.lastModified))</td><td>\(H.escape(version.configuration.description))</td>"
                + "<td class=\"mono\">\(H.escape(version.codeSha256))</td><td>\(version.codeSize)</td>"
                + "<td>\(aliases.map { "<span class=\"tag\">\(H.escape($0))</span>" }.joined())</td></tr>"
        }
        body += "</table>"
        return H.page(title: "\(repository.functionName): history", depth: 0, body: body)
    }

    /// Versions over time as dots; each alias a line stepping between the versions it pointed at,
    /// with its weighted version as a dashed line.
    static func timeline(versions: [PublishedVersion], history: [StateEvent], state: FunctionState) -> String {
        guard let maxVersion = versions.map(\.number).max() else { return "<p>No version published yet.</p>" }
        // One column per event: publishes and alias moves, in time order (publishes first on ties).
        enum Event { case publish(Int), move(StateEvent) }
        var events: [(time: Int64, order: Int, event: Event)] = versions.map { ($0.lastModified, 0, .publish($0.number)) }
        for (n, e) in history.enumerated() where e.alias != nil { events.append((e.time, 1 + n, .move(e))) }
        events.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        let columns = events.count + 1
        let dx = max(14.0, min(60.0, 1000.0 / Double(columns))), dy = max(10.0, min(28.0, 420.0 / Double(maxVersion)))
        let width = 90 + dx * Double(columns), height = 40 + dy * Double(maxVersion)
        func y(_ v: Int) -> Double { 20 + dy * Double(maxVersion - v) }
        func x(_ column: Int) -> Double { 60 + dx * Double(column) }
        let palette = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#0550ae", "#bf3989"]
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height + 30))\" role=\"img\" aria-label=\"timeline\">"
        for v in 1...maxVersion where maxVersion <= 60 || v % max(1, maxVersion / 30) == 0 {
            svg += "<text x=\"4\" y=\"\(y(v) + 4)\" fill=\"#57606a\">v\(v)</text><line x1=\"40\" x2=\"\(Int(width))\" y1=\"\(y(v))\" y2=\"\(y(v))\" stroke=\"#eaeef2\"/>"
        }
        // Alias lines.
        var aliasNames = Array(Set(history.compactMap(\.alias))).sorted()
        aliasNames.removeAll { name in !history.contains { $0.alias == name && $0.to != nil } }
        for (n, name) in aliasNames.enumerated() {
            let color = palette[n % palette.count]
            var path = "", dashes = ""
            var current: Int?
            var weighted: (version: Int, weight: Double)?
            var lastX = 0.0
            for (column, item) in events.enumerated() {
                guard case .move(let e) = item.event, e.alias == name else { continue }
                let cx = x(column)
                if let c = current {
                    path += " L \(cx) \(y(c))"
                    if let w = weighted {
                        dashes += "<line x1=\"\(lastX)\" x2=\"\(cx)\" y1=\"\(y(w.version))\" y2=\"\(y(w.version))\" stroke=\"\(color)\" stroke-dasharray=\"4 3\" stroke-width=\"2\" opacity=\"\(0.35 + 0.65 * w.weight)\"/>"
                    }
                }
                if e.action == "delete" { current = nil; weighted = nil; continue }
                guard let to = e.to.flatMap({ Int($0) }) else { current = nil; continue }
                path += current == nil ? " M \(cx) \(y(to))" : " L \(cx) \(y(to))"
                current = to
                weighted = e.routing.flatMap { r -> (Int, Double)? in
                    let kv = r.split(separator: "=")
                    guard kv.count == 2, let v = Int(kv[0]), let w = Double(kv[1]) else { return nil }
                    return (v, w)
                }
                lastX = cx
            }
            let endX = x(columns)
            if let c = current {
                path += " L \(endX) \(y(c))"
                if let w = weighted {
                    dashes += "<line x1=\"\(lastX)\" x2=\"\(endX)\" y1=\"\(y(w.version))\" y2=\"\(y(w.version))\" stroke=\"\(color)\" stroke-dasharray=\"4 3\" stroke-width=\"2\" opacity=\"\(0.35 + 0.65 * w.weight)\"/>"
                }
            }
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"3\" opacity=\"0.85\"><title>\(H.escape(name))</title></path>" + dashes
            svg += "<text x=\"\(60 + 90 * n)\" y=\"\(Int(height + 22))\" fill=\"\(color)\">■ \(H.escape(name))</text>"
        }
        // Version dots at their publish column.
        for (column, item) in events.enumerated() {
            guard case .publish(let v) = item.event else { continue }
            svg += "<a href=\"v/\(v).html\"><circle cx=\"\(x(column))\" cy=\"\(y(v))\" r=\"5\" fill=\"#24292f\"><title>version \(v)</title></circle></a>"
        }
        return svg + "</svg>"
    }

    static func alias(repository: Repository, alias: Alias, events: [StateEvent]) -> String {
        var body = "<h1>Alias \(H.escape(alias.name))</h1>\n"
        body += H.table([("AliasArn", repository.arn(qualifier: alias.name)), ("FunctionVersion", alias.target.description),
                         ("Weighted version", alias.routing.map { "\($0.version) (\($0.weight))" } ?? "none"),
                         ("Description", alias.description), ("RevisionId", alias.revisionId)])
        body += "\n<h2>History</h2>\n<table><tr><th>when</th><th>action</th><th>from</th><th>to</th><th>weights</th></tr>"
        for e in events.reversed() {
            body += "<tr><td>\(Repository.awsTimestamp(e.time))</td><td>\(H.escape(e.action))</td>"
                + "<td>\(H.escape(e.from ?? "–"))</td><td>\(e.to.map { Int($0) != nil ? "<a href=\"../v/\($0).html\">\(H.escape($0))</a>" : H.escape($0) } ?? "–")</td>"
                + "<td>\(H.escape(e.routing ?? ""))</td></tr>"
        }
        return H.page(title: "alias \(alias.name)", depth: 1, body: body + "</table>")
    }

    static func version(repository: Repository, version: PublishedVersion, previous: PublishedVersion?,
                        diff: StateDiff?, pointedBy: [String]) -> String {
        var body = "<h1>Version \(version.number)</h1>\n"
        body += H.table([("FunctionArn", repository.arn(qualifier: String(version.number))),
                         ("Published", Repository.awsTimestamp(version.lastModified)),
                         ("CodeSha256", version.codeSha256), ("CodeSize", String(version.codeSize)),
                         ("RevisionId", version.revisionId)] + H.configRows(version.configuration))
        body += "\n<h2>Files</h2>\n"
        body += version.codeTree.map { "<p><a href=\"../t/\($0.hex).html\">browse the files of version \(version.number)</a></p>" } ?? "<p>No files.</p>"
        body += "\n<h2>Aliases that have pointed here</h2>\n<p>"
            + (pointedBy.isEmpty ? "none" : pointedBy.map { "<a class=\"tag\" href=\"../a/\(H.escape(H.fileName($0))).html\">\(H.escape($0))</a>" }.joined())
            + "</p>\n"
        if let previous, let diff {
            body += "<h2>Changes since <a href=\"\(previous.number).html\">version \(previous.number)</a></h2>\n"
            body += diffHTML(diff)
        } else {
            body += "<h2>Changes</h2><p>The first version.</p>"
        }
        return H.page(title: "version \(version.number)", depth: 1, body: body)
    }

    /// A code-review style diff: file list with counts, then each file's hunks, coloured.
    static func diffHTML(_ diff: StateDiff) -> String {
        if diff.isEmpty { return "<p>No changes.</p>" }
        var html = ""
        if !diff.config.isEmpty {
            html += "<h3>Configuration</h3><ul>" + diff.config.map { "<li class=\"mono\">\(H.escape(ConfigText.describe($0, showValues: false)))</li>" }.joined() + "</ul>"
        }
        html += "<table class=\"files\"><tr><th>file</th><th>change</th><th></th></tr>"
        for (n, file) in diff.files.enumerated() {
            let counts = DiffRenderer.counts(file)
            let stat = counts.map { "<span class=\"plus\">+\($0.added)</span> <span class=\"minus\">−\($0.removed)</span>" } ?? "binary"
            html += "<tr><td><a href=\"#f\(n)\">\(H.escape(file.change.pathString))</a></td><td>\(file.change.kind.rawValue)</td><td>\(stat)</td></tr>"
        }
        html += "</table>"
        for (n, file) in diff.files.enumerated() {
            html += "<div class=\"file-diff\" id=\"f\(n)\"><h3>\(H.escape(file.change.pathString))</h3>"
            let old = file.oldContent ?? [], new = file.newContent ?? []
            if let sizes = file.binarySizes {
                html += "<p>Binary file: \(sizes.oldSize) → \(sizes.newSize) bytes</p></div>"
                continue
            }
            html += "<table class=\"diff\">"
            for hunk in LineDiff.hunks(LineDiff.lines(old), LineDiff.lines(new), context: 3) {
                html += "<tr class=\"hunk\"><td class=\"num\"></td><td class=\"num\"></td><td>@@ -\(hunk.oldStart),\(hunk.oldCount) +\(hunk.newStart),\(hunk.newCount) @@</td></tr>"
                for line in hunk.lines {
                    let text = H.escape(String(decoding: line.text, as: UTF8.self))
                    switch line.op {
                    case .same: html += "<tr><td class=\"num\">\(line.oldNumber)</td><td class=\"num\">\(line.newNumber)</td><td> \(text)</td></tr>"
                    case .removed: html += "<tr class=\"del\"><td class=\"num\">\(line.oldNumber)</td><td class=\"num\"></td><td>-\(text)</td></tr>"
                    case .added: html += "<tr class=\"add\"><td class=\"num\"></td><td class=\"num\">\(line.newNumber)</td><td>+\(text)</td></tr>"
                    }
                }
            }
            html += "</table></div>"
        }
        return html
    }

    static func tree(repository: Repository, tree: Tree, path: String) -> String {
        var body = "<h1 class=\"mono\">/\(H.escape(path))</h1>\n<table><tr><th>mode</th><th>name</th></tr>"
        for entry in tree.entries {
            let mode = String(entry.mode.rawValue, radix: 8)
            let link = entry.mode == .directory ? "\(entry.id.hex).html" : "../b/\(entry.id.hex).html"
            body += "<tr><td class=\"mono\">\(mode)</td><td><a href=\"\(link)\">\(H.escape(entry.nameString))\(entry.mode == .directory ? "/" : "")</a></td></tr>"
        }
        return H.page(title: "/" + path, depth: 1, body: body + "</table>")
    }

    /// A file's page. `body` is the whole file, or only its start when it is larger than a page
    /// shows (`size` says how large).
    static func blob(repository: Repository, name: String, mode: EntryMode, size: Int, body: [UInt8]) -> String {
        var html = "<h1 class=\"mono\">\(H.escape(name))</h1>\n<p>\(size) bytes, mode \(String(mode.rawValue, radix: 8))"
        html += mode == .symlink ? ", symlink</p>" : "</p>"
        if LineDiff.isBinary(body) {
            html += "<p>Binary file.</p>"
        } else if size > 2_000_000 {
            html += "<p>Too large to show (over 2 MB).</p>"
        } else {
            html += "<pre class=\"file\">\(H.escape(String(decoding: body, as: UTF8.self)))</pre>"
        }
        return H.page(title: name, depth: 1, body: html)
    }
}
