/// A fixed-size zip header filled field by field (little-endian, at byte offsets) in a scratch
/// buffer and appended in one copy: packages have tens of thousands of entries.
struct ZipRecord {
    let raw: UnsafeMutableRawBufferPointer
    func u16(_ at: Int, _ v: UInt16) { raw.storeBytes(of: v.littleEndian, toByteOffset: at, as: UInt16.self) }
    func u32(_ at: Int, _ v: UInt32) { raw.storeBytes(of: v.littleEndian, toByteOffset: at, as: UInt32.self) }

    static func append(to bytes: inout [UInt8], count: Int, _ fill: (ZipRecord) -> Void) {
        var scratch: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)  // 48 bytes
        withUnsafeMutableBytes(of: &scratch) { raw in
            precondition(count <= raw.count)
            fill(ZipRecord(raw: raw))
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<count]))
        }
    }
}
