import Crypto
import Foundation

/// The SHA-256 name of a git object: 32 raw bytes, written as 64 lowercase hex digits.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public static let hexCount = 64

    // Four words keep the id inline (no heap allocation) and make hashing and comparison cheap.
    @usableFromInline var w0, w1, w2, w3: UInt64

    public init<C: Collection>(bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == Self.byteCount, "an object id has 32 bytes")
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var index = bytes.startIndex
        func next() -> UInt64 {
            var word: UInt64 = 0
            for _ in 0..<8 {
                word = word << 8 | UInt64(bytes[index])
                index = bytes.index(after: index)
            }
            return word
        }
        words.0 = next(); words.1 = next(); words.2 = next(); words.3 = next()
        (w0, w1, w2, w3) = words
    }

    /// Parses 64 lowercase hex digits; anything else (uppercase included: it would change ids) is nil.
    public init?<S: StringProtocol>(hex: S) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == Self.hexCount else { return nil }
        var bytes = [UInt8](repeating: 0, count: Self.byteCount)
        for i in 0..<Self.byteCount {
            guard let hi = Self.nibble(utf8[2 * i]), let lo = Self.nibble(utf8[2 * i + 1]) else { return nil }
            bytes[i] = hi << 4 | lo
        }
        self.init(bytes: bytes)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// The all-zero id git uses for "no object" in reflogs.
    public static let zero = ObjectID(bytes: [UInt8](repeating: 0, count: 32))

    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.byteCount)
        for word in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return out
    }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(Self.hexCount)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    /// The first byte, used by the loose-object fan-out and the pack index fan-out table.
    public var firstByte: UInt8 { UInt8(truncatingIfNeeded: w0 >> 56) }

    public static func < (a: ObjectID, b: ObjectID) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }
}

/// Incremental hashing of a git object: `<type> SP <size> NUL <body>`.
public struct ObjectHasher {
    private var sha = SHA256()

    public init(kind: ObjectKind, size: Int) {
        sha.update(data: ObjectKind.header(kind, size: size))
    }

    public mutating func update<D: ContiguousBytes>(_ bytes: D) {
        bytes.withUnsafeBytes { sha.update(bufferPointer: $0) }
    }

    public func finalize() -> ObjectID {
        ObjectID(bytes: Array(sha.finalize()))
    }

    /// One-shot: the id git gives `body` as an object of `kind`.
    public static func id<D: ContiguousBytes>(of kind: ObjectKind, body: D) -> ObjectID {
        let size = body.withUnsafeBytes { $0.count }
        var hasher = ObjectHasher(kind: kind, size: size)
        hasher.update(body)
        return hasher.finalize()
    }
}

/// Plain SHA-256 of bytes, for checksums (pack and index trailers, CodeSha256).
public struct ByteHasher {
    private var sha = SHA256()
    public init() {}
    public mutating func update<D: ContiguousBytes>(_ bytes: D) {
        bytes.withUnsafeBytes { sha.update(bufferPointer: $0) }
    }
    public func finalize() -> [UInt8] { Array(sha.finalize()) }
    public static func digest<D: ContiguousBytes>(_ bytes: D) -> [UInt8] {
        var h = ByteHasher(); h.update(bytes); return h.finalize()
    }
}
