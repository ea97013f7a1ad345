/// `.lambdaignore`: gitignore syntax at the function folder's root. Later lines win; `!` re-includes;
/// a trailing `/` matches folders only; a pattern with a `/` before its end is anchored at the root,
/// one without matches a name at any depth; `*`, `?`, `[…]` and `**` work as in git.
public struct IgnoreRules: Sendable {
    struct Rule: Sendable {
        var pattern: [UInt8]
        var negated: Bool
        var directoryOnly: Bool
        var anchored: Bool
    }

    var rules: [Rule] = []

    public init(text: String) {
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            while line.hasSuffix(" ") && !line.hasSuffix("\\ ") { line = line.dropLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            var rule = Rule(pattern: [], negated: false, directoryOnly: false, anchored: false)
            if line.hasPrefix("!") { rule.negated = true; line = line.dropFirst() }
            else if line.hasPrefix("\\!") || line.hasPrefix("\\#") { line = line.dropFirst() }
            if line.hasSuffix("/") { rule.directoryOnly = true; line = line.dropLast() }
            if line.hasPrefix("/") { rule.anchored = true; line = line.dropFirst() }
            if line.contains("/") { rule.anchored = true }
            if line.isEmpty { continue }
            rule.pattern = Array(line.utf8)
            rules.append(rule)
        }
    }

    public static let none = IgnoreRules(text: "")

    /// Whether `path` (relative, `/`-separated) is ignored. Callers do not descend into ignored folders.
    public func isIgnored(_ path: [UInt8], isDirectory: Bool) -> Bool {
        var ignored = false
        let base: ArraySlice<UInt8> = path.lastIndex(of: UInt8(ascii: "/")).map { path[($0 + 1)...] } ?? path[...]
        for rule in rules {
            if rule.directoryOnly && !isDirectory { continue }
            let subject = rule.anchored ? path[...] : base
            if Glob.matches(rule.pattern[...], subject) { ignored = !rule.negated }
        }
        return ignored
    }
}

/// Shell-style matching where `*` and `?` stop at `/` and `**` spans folders.
enum Glob {
    static let slash = UInt8(ascii: "/")

    /// What one match has tried. Backtracking over several stars can try the same rest of the
    /// pattern against the same rest of the text exponentially often (`a*a*a*…b` against a long
    /// name of `a`s: git itself takes minutes). Past a few hundred steps, every such pair that
    /// failed is remembered and not tried again, which bounds the work by the number of pairs;
    /// ordinary patterns never get that far and allocate nothing.
    struct Search {
        let patternStart: Int, textStart: Int, textCount: Int
        var steps = 0
        var failed = Set<Int>()

        static let memoAfter = 256

        func key(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Int {
            (pattern.startIndex - patternStart) * (textCount + 1) + (text.startIndex - textStart)
        }
    }

    static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var search = Search(patternStart: pattern.startIndex, textStart: text.startIndex, textCount: text.count)
        return matches(pattern, text, &search)
    }

    private static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>, _ search: inout Search) -> Bool {
        search.steps += 1
        guard search.steps > Search.memoAfter else { return matchesOnce(pattern, text, &search) }
        let key = search.key(pattern, text)
        if search.failed.contains(key) { return false }
        let matched = matchesOnce(pattern, text, &search)
        if !matched { search.failed.insert(key) }
        return matched
    }

    private static func matchesOnce(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>, _ search: inout Search) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        while p < pattern.endIndex {
            let c = pattern[p]
            if c == UInt8(ascii: "*") {
                let doubleStar = p + 1 < pattern.endIndex && pattern[p + 1] == UInt8(ascii: "*")
                if doubleStar {
                    var rest = p + 2
                    // "**/" may match zero folders.
                    if rest < pattern.endIndex && pattern[rest] == slash {
                        rest += 1
                        if matches(pattern[rest...], text[t...], &search) { return true }
                        var i = t
                        while i < text.endIndex {
                            if text[i] == slash && matches(pattern[rest...], text[(i + 1)...], &search) { return true }
                            i += 1
                        }
                        return false
                    }
                    // Trailing "**" (or "**" inside a name) matches everything that remains.
                    var i = t
                    while true {
                        if matches(pattern[rest...], text[i...], &search) { return true }
                        if i == text.endIndex { return false }
                        i += 1
                    }
                }
                let rest = p + 1
                var i = t
                while true {
                    if matches(pattern[rest...], text[i...], &search) { return true }
                    if i == text.endIndex || text[i] == slash { return false }
                    i += 1
                }
            }
            guard t < text.endIndex else { return false }
            if c == UInt8(ascii: "?") {
                if text[t] == slash { return false }
            } else if c == UInt8(ascii: "[") {
                guard let (matched, next) = matchClass(pattern, p + 1, text[t]) else {
                    if text[t] != c { return false }
                    p += 1; t += 1; continue
                }
                if !matched { return false }
                p = next; t += 1; continue
            } else if c == UInt8(ascii: "\\") && p + 1 < pattern.endIndex {
                p += 1
                if text[t] != pattern[p] { return false }
            } else if text[t] != c {
                return false
            }
            p += 1
            t += 1
        }
        return t == text.endIndex
    }

    /// Matches `[...]` starting after the `[`; returns nil when the class is not closed.
    static func matchClass(_ pattern: ArraySlice<UInt8>, _ start: Int, _ ch: UInt8) -> (Bool, Int)? {
        var i = start
        var negate = false
        if i < pattern.endIndex && (pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^")) { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < pattern.endIndex {
            let c = pattern[i]
            if c == UInt8(ascii: "]") && !first { return (matched != negate && ch != slash, i + 1) }
            first = false
            if i + 2 < pattern.endIndex && pattern[i + 1] == UInt8(ascii: "-") && pattern[i + 2] != UInt8(ascii: "]") {
                if ch >= c && ch <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if ch == c { matched = true }
                i += 1
            }
        }
        return nil
    }
}
