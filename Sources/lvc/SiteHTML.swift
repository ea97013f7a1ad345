import LVCKit
import LVCStore

/// HTML helpers: every name and every byte of content goes through `escape`.
enum SiteHTML {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Alias names are checked when read (`[A-Za-z0-9_-]`); anything else is still kept out of paths.
    static func fileName(_ alias: String) -> String {
        String(alias.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }.map(Character.init))
    }

    static func page(title: String, depth: Int, body: String) -> String {
        let up = String(repeating: "../", count: depth)
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <link rel="stylesheet" href="\(up)style.css"></head>
        <body><header><a href="\(up)index.html">overview</a></header>
        <main>
        \(body)
        </main></body></html>

        """
    }

    static func table(_ rows: [(String, String)]) -> String {
        "<table class=\"kv\">" + rows.map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined() + "</table>"
    }

    static func configRows(_ c: FunctionConfiguration) -> [(String, String)] {
        c.listing.map { row in (row.key, row.key.hasPrefix("env.") ? "••••" : row.value) }
    }
}

enum SiteStyle {
    static let css = """
    body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #1f2328; }
    header { background: #24292f; padding: 8px 16px; } header a { color: #fff; text-decoration: none; font-weight: 600; }
    main { padding: 16px 24px; max-width: 1200px; }
    h1 { font-size: 22px; } h2 { font-size: 17px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; margin-top: 28px; }
    table { border-collapse: collapse; } td, th { padding: 3px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid #eaeef2; }
    table.kv th { color: #57606a; font-weight: 500; }
    code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
    pre.file { background: #f6f8fa; padding: 10px; overflow-x: auto; border: 1px solid #d0d7de; }
    .file-diff { border: 1px solid #d0d7de; margin: 14px 0; }
    .file-diff h3 { margin: 0; padding: 6px 10px; background: #f6f8fa; font-size: 13px; border-bottom: 1px solid #d0d7de; }
    .diff { width: 100%; } .diff td { border: 0; padding: 0 8px; white-space: pre; font-family: ui-monospace, Menlo, monospace; font-size: 12.5px; }
    .diff .num { color: #8c959f; text-align: right; width: 1%; user-select: none; }
    tr.add { background: #e6ffec; } tr.del { background: #ffebe9; } tr.hunk { background: #ddf4ff; color: #57606a; }
    .plus { color: #1a7f37; } .minus { color: #cf222e; } .tag { display: inline-block; padding: 0 6px; border-radius: 10px; background: #ddf4ff; margin-right: 4px; }
    .deleted { color: #8c959f; text-decoration: line-through; }
    svg text { font: 11px sans-serif; }
    """
}
