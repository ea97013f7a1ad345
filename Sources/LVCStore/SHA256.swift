import LVCOpenSSL

/// SHA-256 over OpenSSL's `SHA256_CTX`. A value type: copying it forks the hash. Its state can be
/// saved as bytes and restored later (`savedState`, `init(savedState:)`), which lets lvc resume the
/// hash of a deployment package after the part that did not change (Format.md §14.4).
public struct SHA256 {
    private var context = SHA256_CTX()

    public static let stateByteCount = 112  // h[8], Nl, Nh, data[16] (32-bit words), num, md_len

    public init() {
        SHA256_Init(&context)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        SHA256_Update(&context, base, bytes.count)
    }

    public func finalize() -> [UInt8] {
        var copy = context
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBufferPointer { _ = SHA256_Final($0.baseAddress, &copy) }
        return digest
    }

    /// The state as 28 little-endian 32-bit words, independent of the C struct's layout.
    public var savedState: [UInt8] {
        var words = [UInt32]()
        words.reserveCapacity(28)
        withUnsafeBytes(of: context.h) { words += $0.bindMemory(to: UInt32.self) }
        words += [context.Nl, context.Nh]
        withUnsafeBytes(of: context.data) { words += $0.bindMemory(to: UInt32.self) }
        words += [context.num, context.md_len]
        var out = [UInt8]()
        out.reserveCapacity(Self.stateByteCount)
        for word in words { for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) } }
        return out
    }

    /// A hash resumed from `savedState`; nil when the bytes cannot be a SHA-256 state (a damaged
    /// cache must never reach OpenSSL: `num` indexes its block buffer).
    public init?(savedState bytes: [UInt8]) {
        guard bytes.count == Self.stateByteCount else { return nil }
        var words = [UInt32](repeating: 0, count: 28)
        for i in 0..<28 {
            words[i] = (0..<4).reduce(0) { $0 | UInt32(bytes[i * 4 + $1]) << UInt32($1 * 8) }
        }
        let num = words[26], length = words[27]
        // num: bytes waiting in the block buffer; it must agree with the byte count in Nl.
        guard num < 64, length == 32, num == (words[8] >> 3) & 63, words[8] & 7 == 0 else { return nil }
        SHA256_Init(&context)
        withUnsafeMutableBytes(of: &context.h) { raw in
            for i in 0..<8 { raw.storeBytes(of: words[i], toByteOffset: i * 4, as: UInt32.self) }
        }
        context.Nl = words[8]
        context.Nh = words[9]
        withUnsafeMutableBytes(of: &context.data) { raw in
            for i in 0..<16 { raw.storeBytes(of: words[10 + i], toByteOffset: i * 4, as: UInt32.self) }
        }
        context.num = num
        context.md_len = length
    }

    /// One-shot digest.
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var h = SHA256()
        h.update(bytes)
        return h.finalize()
    }
}
