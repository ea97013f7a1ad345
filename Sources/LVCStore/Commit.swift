/// `name <email> seconds ±hhmm`, the identity line of commits, tags and reflogs.
public struct Signature: Sendable, Equatable {
    public var name: String
    public var email: String
    /// Whole seconds since the epoch (git rejects milliseconds silently: never store them).
    public var time: Int64
    /// Offset from UTC in minutes.
    public var offsetMinutes: Int

    public init(name: String, email: String, time: Int64, offsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    public var encoded: String {
        let sign = offsetMinutes < 0 ? "-" : "+"
        let abs = Swift.abs(offsetMinutes)
        let hh = abs / 60, mm = abs % 60
        let tz = sign + (hh < 10 ? "0" : "") + String(hh) + (mm < 10 ? "0" : "") + String(mm)
        return "\(name) <\(email)> \(time) \(tz)"
    }

    public static func parse(_ line: Substring) -> Signature? {
        guard let lt = line.firstIndex(of: "<"), let gt = line[lt...].firstIndex(of: ">") else { return nil }
        let name = line[..<lt].trimmingSuffix(" ")
        let email = line[line.index(after: lt)..<gt]
        let rest = line[line.index(after: gt)...].split(separator: " ")
        guard rest.count == 2, let time = Int64(rest[0]), rest[1].count == 5,
              let sign = rest[1].first, sign == "+" || sign == "-",
              let digits = Int(rest[1].dropFirst()) else { return nil }
        let minutes = (digits / 100) * 60 + digits % 100
        return Signature(name: String(name), email: String(email), time: time,
                         offsetMinutes: sign == "-" ? -minutes : minutes)
    }
}

extension Substring {
    func trimmingSuffix(_ c: Character) -> Substring {
        var s = self
        while s.last == c { s = s.dropLast() }
        return s
    }
}

/// A commit object.
public struct Commit: Sendable, Equatable {
    public var tree: ObjectID
    public var parents: [ObjectID]
    public var author: Signature
    public var committer: Signature
    public var message: String

    public init(tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String) {
        self.tree = tree
        self.parents = parents
        self.author = author
        self.committer = committer
        self.message = message
    }

    public func encode() -> [UInt8] {
        var text = "tree \(tree.hex)\n"
        for parent in parents { text += "parent \(parent.hex)\n" }
        text += "author \(author.encoded)\ncommitter \(committer.encoded)\n\n\(message)"
        return Array(text.utf8)
    }

    public struct DecodeError: Error, Sendable { public var reason: String }

    public static func decode(_ body: [UInt8]) throws -> Commit {
        guard !body.contains(0) else { throw DecodeError(reason: "NUL byte in commit") }
        // The headers end at the first blank line, found in the bytes: no string search for it.
        guard let end = body.indices.dropLast().first(where: { body[$0] == 0x0A && body[$0 + 1] == 0x0A }) else {
            throw DecodeError(reason: "no blank line after the headers")
        }
        let headers = String(decoding: body[..<end], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let message = String(decoding: body[(end + 2)...], as: UTF8.self)
        var tree: ObjectID?
        var parents = [ObjectID]()
        var author: Signature?
        var committer: Signature?
        for line in headers {
            if line.hasPrefix("tree ") {
                guard tree == nil, let id = ObjectID(hex: line.dropFirst(5)) else { throw DecodeError(reason: "bad tree line") }
                tree = id
            } else if line.hasPrefix("parent ") {
                guard let id = ObjectID(hex: line.dropFirst(7)) else { throw DecodeError(reason: "bad parent line") }
                parents.append(id)
            } else if line.hasPrefix("author ") {
                guard author == nil, let sig = Signature.parse(line.dropFirst(7)) else { throw DecodeError(reason: "bad author line") }
                author = sig
            } else if line.hasPrefix("committer ") {
                guard committer == nil, let sig = Signature.parse(line.dropFirst(10)) else { throw DecodeError(reason: "bad committer line") }
                committer = sig
            }
            // Other headers (encoding, gpgsig, continuation lines) are allowed and ignored.
        }
        guard let tree, let author, let committer else { throw DecodeError(reason: "missing tree, author or committer") }
        return Commit(tree: tree, parents: parents, author: author, committer: committer, message: message)
    }

    /// `Key: value` trailers of the message's last paragraph (git's rule: every line must be one).
    public var trailers: [(key: String, value: String)] {
        Commit.trailers(of: message)
    }

    /// Works on the message's UTF-8 bytes: a version's commit is read on every command, and
    /// splitting a `String` by a string separator walks it `Character` by `Character`.
    public static func trailers(of message: String) -> [(key: String, value: String)] {
        let newline = UInt8(ascii: "\n"), colon = UInt8(ascii: ":"), space = UInt8(ascii: " ")
        let bytes = Array(message.utf8)
        // Paragraphs are separated by "\n\n"; blank ones (only newlines) do not count, as in git.
        var paragraphs = 0, last = 0..<0, start = 0, i = 0
        func close(_ end: Int) {
            if bytes[start..<end].contains(where: { $0 != newline }) { paragraphs += 1; last = start..<end }
        }
        while i < bytes.count {
            if bytes[i] == newline, i + 1 < bytes.count, bytes[i + 1] == newline {
                close(i)
                i += 2
                start = i
            } else {
                i += 1
            }
        }
        close(bytes.count)
        guard paragraphs >= 2 else { return [] }
        var result = [(key: String, value: String)]()
        for line in bytes[last].split(separator: newline) {
            guard let colonIndex = line.firstIndex(of: colon) else { return [] }
            let key = line[..<colonIndex]
            guard !key.isEmpty, !key.contains(space) else { return [] }
            let value = line[(colonIndex + 1)...].drop { $0 == space }
            result.append((String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return result
    }

    public func trailer(_ key: String) -> String? {
        trailers.last { $0.key == key }?.value
    }
}
