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
        let text = String(decoding: body, as: UTF8.self)
        guard let split = text.firstRange(of: "\n\n") else { throw DecodeError(reason: "no blank line after the headers") }
        let headers = text[..<split.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        let message = String(text[split.upperBound...])
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

    public static func trailers(of message: String) -> [(key: String, value: String)] {
        let paragraphs = message.split(separator: "\n\n", omittingEmptySubsequences: true)
        guard paragraphs.count >= 2, let last = paragraphs.last else { return [] }
        var result = [(key: String, value: String)]()
        for line in last.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { return [] }
            let key = line[..<colon]
            guard !key.isEmpty, !key.contains(" ") else { return [] }
            result.append((String(key), String(line[line.index(after: colon)...].drop { $0 == " " })))
        }
        return result
    }

    public func trailer(_ key: String) -> String? {
        trailers.last { $0.key == key }?.value
    }
}
