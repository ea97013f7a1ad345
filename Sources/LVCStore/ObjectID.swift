#if canImport(FoundationEssentials)
import FoundationEssentials  // lighter than Foundation: lvc starts faster
#else
import Foundation
#endif

/// The SHA-256 name of a git object: 32 raw bytes, written as 64 lowercase hex digits.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public static let hexCount = 64

    // Four words keep the id inline (no heap allocation) and make hashing and comparison cheap.
    @usableFromInline var w0, w1, w2, w3: UInt64

    public init<C: Collection>(bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == Self.byteCount, "an object id has 32 bytes")
        if let id = bytes.withContiguousStorageIfAvailable({ ObjectID(raw: UnsafeRawBufferPointer($0)) }) {
            self = id
        } else {
            self = Array(bytes).withUnsafeBytes { ObjectID(raw: $0) }
        }
    }

    /// Reads 32 raw bytes (big-endian words) from `raw`, which must hold at least that many.
    public init(raw: UnsafeRawBufferPointer) {
        w0 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        w1 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        w2 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        w3 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
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

    /// The 32 raw bytes, without allocating.
    public func withUnsafeBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try Swift.withUnsafeBytes(of: (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)) { try body($0) }
    }

    /// Writes the 32 raw bytes at `offset` in `buffer`, which must have room for them.
    public func store(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        precondition(offset >= 0 && offset + Self.byteCount <= buffer.count, "no room for an object id")
        buffer.storeBytes(of: w0.bigEndian, toByteOffset: offset, as: UInt64.self)
        buffer.storeBytes(of: w1.bigEndian, toByteOffset: offset + 8, as: UInt64.self)
        buffer.storeBytes(of: w2.bigEndian, toByteOffset: offset + 16, as: UInt64.self)
        buffer.storeBytes(of: w3.bigEndian, toByteOffset: offset + 24, as: UInt64.self)
    }

    public var bytes: [UInt8] {
        Swift.withUnsafeBytes(of: (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)) { Array($0) }
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
        ObjectKind.header(kind, size: size).withUnsafeBytes { sha.update($0) }
    }

    public mutating func update<D: ContiguousBytes>(_ bytes: D) {
        bytes.withUnsafeBytes { sha.update($0) }
    }

    public func finalize() -> ObjectID {
        ObjectID(bytes: sha.finalize())
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
    /// Resumes a hash from `savedState` (nil if the bytes are not a SHA-256 state).
    public init?(savedState: [UInt8]) {
        guard let resumed = SHA256(savedState: savedState) else { return nil }
        sha = resumed
    }
    /// The hash so far, as bytes that `init(savedState:)` resumes.
    public var savedState: [UInt8] { sha.savedState }
    public mutating func update<D: ContiguousBytes>(_ bytes: D) {
        bytes.withUnsafeBytes { sha.update($0) }
    }
    public func finalize() -> [UInt8] { sha.finalize() }
    public static func digest<D: ContiguousBytes>(_ bytes: D) -> [UInt8] {
        var h = ByteHasher(); h.update(bytes); return h.finalize()
    }
    /// Whether `bytes` end with the SHA-256 of everything before it, as git's index and lvc's
    /// own files do.
    public static func endsWithDigest(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { endsWithDigest($0) }
    }

    /// The same check on bytes that need not be an array (a mapped file).
    public static func endsWithDigest(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 32
            && digest(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 32)])).elementsEqual(bytes[(bytes.count - 32)...])
    }
}
