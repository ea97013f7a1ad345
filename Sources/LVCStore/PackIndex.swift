#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pack index (`pack-<hex>.idx`, version 2) of a SHA-256 repository: where each object of the
/// matching `.pack` starts.
///
/// ```
/// ff 74 4f 63                 magic "\377tOc"
/// 00 00 00 02                 version 2
/// 256 × u32 BE                fanout: entry b = number of names whose first byte is <= b
/// N × 32 bytes                object names, sorted
/// N × u32 BE                  CRC-32 of each entry's packed bytes
/// N × u32 BE                  pack offsets; MSB set = index into the large offset table
/// M × u64 BE                  large offsets (packs over 2 GiB)
/// 32 bytes                    checksum of the pack
/// 32 bytes                    SHA-256 of everything above
/// ```
/// A name is found by narrowing to its first byte's fanout range, then binary search. The
/// layout is checked when the index is opened; the checksums are not recomputed.
struct PackIndex: Sendable {
    static let magic: [UInt8] = [0xff, 0x74, 0x4f, 0x63]
    static let headerSize = 8
    static let fanoutSize = 256 * 4
    static let nameSize = ObjectID.byteCount
    static let trailerSize = 2 * ObjectID.byteCount

    let file: MappedFile
    /// Number of objects.
    let count: Int
    private let namesStart: Int
    private let offsetsStart: Int
    private let largeOffsetsStart: Int
    private let largeOffsetCount: Int

    init(file: MappedFile) throws {
        self.file = file
        func corrupt(_ reason: String) -> StoreError { .corruptFile(path: file.path, reason: reason) }
        let fixed = Self.headerSize + Self.fanoutSize + Self.trailerSize
        guard file.count >= fixed else { throw corrupt("too short for a pack index (\(file.count) bytes)") }
        guard Array(file.slice(0..<4)) == Self.magic else { throw corrupt("not a version 2 pack index (bad magic)") }
        let version = file.uint32(at: 4)
        guard version == 2 else { throw corrupt("unsupported pack index version \(version)") }
        var previous: UInt32 = 0
        for b in 0..<256 {
            let cumulative = file.uint32(at: Self.headerSize + 4 * b)
            guard cumulative >= previous else { throw corrupt("fanout table is not monotonic at byte \(b)") }
            previous = cumulative
        }
        let n = Int(previous)
        let perObject = Self.nameSize + 4 + 4
        let (tableBytes, overflow) = n.multipliedReportingOverflow(by: perObject)
        guard !overflow, fixed + tableBytes <= file.count else {
            throw corrupt("\(n) objects do not fit in \(file.count) bytes (is this a SHA-1 index?)")
        }
        let rest = file.count - fixed - tableBytes
        guard rest % 8 == 0 else { throw corrupt("size does not match \(n) objects with 32-byte names") }
        count = n
        namesStart = Self.headerSize + Self.fanoutSize
        offsetsStart = namesStart + n * (Self.nameSize + 4)
        largeOffsetsStart = offsetsStart + n * 4
        largeOffsetCount = rest / 8
    }

    /// The checksum of the pack this index describes (equal to the pack's trailer).
    var packChecksum: [UInt8] {
        Array(file.slice(file.count - Self.trailerSize ..< file.count - ObjectID.byteCount))
    }

    /// The name at `position` (0..<count).
    func id(at position: Int) -> ObjectID {
        let start = namesStart + position * Self.nameSize
        return ObjectID(bytes: file.slice(start ..< start + Self.nameSize))
    }

    /// The position of `id` in the sorted names, or nil.
    func position(of id: ObjectID) -> Int? {
        let first = Int(id.firstByte)
        var low = first == 0 ? 0 : Int(file.uint32(at: Self.headerSize + 4 * (first - 1)))
        var high = Int(file.uint32(at: Self.headerSize + 4 * first))
        let wanted = id.bytes
        return wanted.withUnsafeBytes { key -> Int? in
            while low < high {
                let middle = low + (high - low) / 2
                let name = file.bytes.baseAddress! + namesStart + middle * Self.nameSize
                let order = memcmp(name, key.baseAddress!, Self.nameSize)
                if order == 0 { return middle }
                if order < 0 { low = middle + 1 } else { high = middle }
            }
            return nil
        }
    }

    /// Where the object at `position` starts in the pack.
    func offset(at position: Int) throws -> Int {
        let word = file.uint32(at: offsetsStart + 4 * position)
        guard word & 0x8000_0000 != 0 else { return Int(word) }
        let large = Int(word & 0x7fff_ffff)
        guard large < largeOffsetCount else {
            throw StoreError.corruptFile(path: file.path, reason: "large offset \(large) is outside the table")
        }
        let value = file.uint64(at: largeOffsetsStart + 8 * large)
        guard value <= UInt64(Int.max) else {
            throw StoreError.corruptFile(path: file.path, reason: "offset \(value) is out of range")
        }
        return Int(value)
    }

    /// Every name, in sorted order.
    func allIDs() -> [ObjectID] {
        (0..<count).map(id(at:))
    }
}
