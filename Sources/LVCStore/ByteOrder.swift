/// Big-endian integers in byte arrays: git's index and pack formats, and lvc's own cache files.
extension Array where Element == UInt8 {
    public mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8)); append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24)); append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8)); append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func appendBigEndian(_ value: UInt64) {
        appendBigEndian(UInt32(truncatingIfNeeded: value >> 32))
        appendBigEndian(UInt32(truncatingIfNeeded: value))
    }

    func readBigEndian32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }
}

/// Big-endian integers read in place (unaligned) from raw bytes: index and cache records.
extension UnsafeRawBufferPointer {
    public func loadBE16(_ at: Int) -> UInt16 { UInt16(bigEndian: loadUnaligned(fromByteOffset: at, as: UInt16.self)) }
    public func loadBE32(_ at: Int) -> UInt32 { UInt32(bigEndian: loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    public func loadBE64(_ at: Int) -> UInt64 { UInt64(bigEndian: loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
}
