/// git's delta format, which pack entries of type OFS_DELTA and REF_DELTA hold (inflated).
///
/// ```
/// base size     LEB128 varint (7 bits per byte, least significant first, MSB = more)
/// result size   LEB128 varint
/// operations until the end:
///   1xxxxxxx    COPY from the base. Bits 0-3 say which of 4 offset bytes follow, bits 4-6 which
///               of 3 size bytes follow (each little-endian; absent bytes are 0). Size 0 = 0x10000.
///   0nnnnnnn    INSERT the next n bytes of the delta (n = 0 is reserved and invalid)
/// ```
/// Every size and range is checked, so a corrupt delta throws instead of reading out of bounds.
enum Delta {
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The two sizes a delta starts with, and how many bytes they take. Enough of the delta's
    /// start is enough (`lvc ls` reads the result's size from the first bytes of a pack entry).
    static func header(_ delta: [UInt8]) throws -> (baseSize: Int, resultSize: Int, count: Int) {
        var cursor = 0
        func varint() throws -> Int {
            var value = 0
            var shift = 0
            var byte: UInt8
            repeat {
                guard cursor < delta.count else { throw Failure(description: "delta is truncated") }
                byte = delta[cursor]
                cursor += 1
                let bits = Int(byte & 0x7f)
                guard shift < 63, (bits << shift) >> shift == bits else { throw Failure(description: "delta size overflows") }
                value |= bits << shift
                shift += 7
            } while byte & 0x80 != 0
            return value
        }
        let baseSize = try varint()
        return (baseSize, try varint(), cursor)
    }

    /// Rebuilds the object that `delta` describes relative to `base`.
    static func apply(_ delta: [UInt8], to base: [UInt8]) throws -> [UInt8] {
        let (baseSize, resultSize, headerCount) = try header(delta)
        guard baseSize == base.count else {
            throw Failure(description: "delta expects a base of \(baseSize) bytes, the base has \(base.count)")
        }
        var cursor = headerCount
        func next() throws -> UInt8 {
            guard cursor < delta.count else { throw Failure(description: "delta is truncated") }
            defer { cursor += 1 }
            return delta[cursor]
        }

        func tooLong(_ size: Int) -> Failure { Failure(description: "delta result exceeds \(size) bytes") }

        var result = [UInt8]()
        // Reserve what the delta can really produce, not what a corrupt header may claim.
        result.reserveCapacity(min(resultSize, base.count + delta.count + (1 << 20)))

        while cursor < delta.count {
            let op = try next()
            if op & 0x80 != 0 {
                var offset = 0
                for i in 0..<4 where (op >> i) & 1 != 0 { offset |= try Int(next()) << (8 * i) }
                var size = 0
                for i in 0..<3 where (op >> (4 + i)) & 1 != 0 { size |= try Int(next()) << (8 * i) }
                if size == 0 { size = 0x10000 }
                guard offset <= base.count, size <= base.count - offset else {
                    throw Failure(description: "delta copies \(size) bytes at \(offset) from a base of \(base.count)")
                }
                guard size <= resultSize - result.count else { throw tooLong(resultSize) }
                result.append(contentsOf: base[offset ..< offset + size])
            } else {
                let size = Int(op)
                guard size != 0 else { throw Failure(description: "delta has a reserved zero opcode") }
                guard size <= delta.count - cursor else { throw Failure(description: "delta insert runs past the end") }
                guard size <= resultSize - result.count else { throw tooLong(resultSize) }
                result.append(contentsOf: delta[cursor ..< cursor + size])
                cursor += size
            }
        }
        guard result.count == resultSize else {
            throw Failure(description: "delta result has \(result.count) bytes, expected \(resultSize)")
        }
        return result
    }
}
