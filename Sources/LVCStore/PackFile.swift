/// The data half of a pack (`pack-<hex>.pack`, version 2) in a SHA-256 repository.
///
/// ```
/// "PACK", u32 BE version (2), u32 BE object count
/// entries, each:
///   type/size varint   first byte MTTTSSSS: M = more bytes follow, TTT = type, SSSS = size bits 0-3;
///                      each continuation byte adds 7 size bits, little-endian
///   type 6 OFS_DELTA:  negative offset of the base entry, big-endian groups of 7 bits, adding 1
///                      per continuation byte
///   type 7 REF_DELTA:  the base's 32-byte object id
///   a zlib stream of the body (types 1-4) or of the delta data (types 6, 7); the size in the
///   header is the inflated size
/// 32 bytes             SHA-256 of everything above
/// ```
/// Entries are parsed with bounds checks: corrupt data throws `StoreError.corruptFile`.
struct PackFile: Sendable {
    static let headerSize = 12
    static let trailerSize = ObjectID.byteCount

    /// What an entry holds, and where to find the base of a delta.
    enum Content: Sendable, Equatable {
        case object(ObjectKind)
        case offsetDelta(baseOffset: Int)
        case referenceDelta(base: ObjectID)
    }

    /// A parsed entry header.
    struct Entry: Sendable {
        var offset: Int
        var content: Content
        /// The inflated size of the body or delta data.
        var size: Int
        /// Where the zlib stream starts.
        var dataOffset: Int
    }

    let file: MappedFile
    let count: Int

    /// Checks the header, and that the trailer is the checksum `index` expects.
    init(file: MappedFile, index: PackIndex) throws {
        self.file = file
        func corrupt(_ reason: String) -> StoreError { .corruptFile(path: file.path, reason: reason) }
        guard file.count >= Self.headerSize + Self.trailerSize else { throw corrupt("too short for a pack") }
        guard Array(file.slice(0..<4)) == Array("PACK".utf8) else { throw corrupt("not a pack (bad signature)") }
        let version = file.uint32(at: 4)
        guard version == 2 || version == 3 else { throw corrupt("unsupported pack version \(version)") }
        count = Int(file.uint32(at: 8))
        guard count == index.count else {
            throw corrupt("the pack has \(count) objects, its index \(index.count)")
        }
        guard Array(file.slice(file.count - Self.trailerSize ..< file.count)) == index.packChecksum else {
            throw corrupt("the pack checksum does not match its index")
        }
    }

    /// Entries lie between the header and the trailer.
    private var dataEnd: Int { file.count - Self.trailerSize }

    private func corrupt(at offset: Int, _ reason: String) -> StoreError {
        .corruptFile(path: file.path, reason: "entry at offset \(offset): \(reason)")
    }

    /// Parses the entry header at `offset`.
    func entry(at offset: Int) throws -> Entry {
        guard offset >= Self.headerSize && offset < dataEnd else { throw corrupt(at: offset, "outside the pack") }
        var cursor = offset
        func next() throws -> UInt8 {
            guard cursor < dataEnd else { throw corrupt(at: offset, "header runs past the end") }
            defer { cursor += 1 }
            return file.bytes[cursor]
        }
        var byte = try next()
        let type = Int(byte >> 4) & 0x7
        var size = UInt64(byte & 0x0f)
        var shift: UInt64 = 4
        while byte & 0x80 != 0 {
            byte = try next()
            let bits = UInt64(byte & 0x7f)
            guard shift < 63, (bits << shift) >> shift == bits else { throw corrupt(at: offset, "size overflows") }
            size |= bits << shift
            shift += 7
        }
        guard size <= UInt64(Int.max) else { throw corrupt(at: offset, "size overflows") }

        let content: Content
        switch type {
        case 1, 2, 3, 4:
            content = .object(ObjectKind(packCode: type)!)
        case 6:
            byte = try next()
            var distance = Int(byte & 0x7f)
            while byte & 0x80 != 0 {
                byte = try next()
                guard distance < (Int.max >> 7) - 1 else { throw corrupt(at: offset, "delta base offset overflows") }
                distance = ((distance + 1) << 7) | Int(byte & 0x7f)
            }
            guard distance > 0, distance <= offset - Self.headerSize else {
                throw corrupt(at: offset, "delta base offset \(distance) is outside the pack")
            }
            content = .offsetDelta(baseOffset: offset - distance)
        case 7:
            guard cursor + ObjectID.byteCount <= dataEnd else { throw corrupt(at: offset, "delta base id runs past the end") }
            content = .referenceDelta(base: ObjectID(bytes: file.slice(cursor ..< cursor + ObjectID.byteCount)))
            cursor += ObjectID.byteCount
        default:
            throw corrupt(at: offset, "invalid object type \(type)")
        }
        return Entry(offset: offset, content: content, size: Int(size), dataOffset: cursor)
    }

    /// The bytes from the entry's zlib stream to the trailer (the stream ends somewhere in them).
    func dataAfter(_ entry: Entry) throws -> UnsafeRawBufferPointer {
        guard entry.dataOffset < dataEnd else { throw corrupt(at: entry.offset, "no data before the trailer") }
        return file.slice(entry.dataOffset ..< dataEnd)
    }

    /// Inflates the entry's zlib stream: the object body or the delta data.
    func inflate(_ entry: Entry) throws -> [UInt8] {
        guard entry.dataOffset < dataEnd else { throw corrupt(at: entry.offset, "no data before the trailer") }
        do {
            return try Zlib.inflateStream(file.slice(entry.dataOffset ..< dataEnd), expectedSize: entry.size).bytes
        } catch let error as Zlib.Failure {
            throw corrupt(at: entry.offset, error.description)
        }
    }
}
