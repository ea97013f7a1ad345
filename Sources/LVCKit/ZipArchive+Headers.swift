import LVCStore

extension ZipArchive {
    /// The data of the extra field `tag`, or nil. Throws when the fields do not add up.
    static func extraField(_ tag: UInt16, in extra: ArraySlice<UInt8>, entry: [UInt8]) throws -> ArraySlice<UInt8>? {
        var q = extra.startIndex
        var found: ArraySlice<UInt8>?
        // Fewer than 4 bytes left is padding (zipalign pads local extra fields with zeros).
        while q + 4 <= extra.endIndex {
            let id = UInt16(extra[q]) | UInt16(extra[q + 1]) << 8
            let length = Int(UInt16(extra[q + 2]) | UInt16(extra[q + 3]) << 8)
            guard q + 4 + length <= extra.endIndex else {
                throw Failure(entry: entry, reason: "has a corrupt extra field (it runs past the header)")
            }
            if id == tag && found == nil { found = extra[(q + 4)..<(q + 4 + length)] }
            q += 4 + length
        }
        return found
    }

    // MARK: Local headers

    /// Every local header must be where the central directory says, agree with it (name, method,
    /// encryption, sizes, CRC), and lie with its data before the central directory; no two
    /// entries may share bytes (overlapping entries are how the smallest zip bombs repeat data).
    /// Returns each entry's `dataOffset`.
    func checkLocalHeaders(directoryStart: Int) throws -> [Int] {
        var offsets = [Int]()
        offsets.reserveCapacity(entries.count)
        for i in entries.indices {
            let entry = entries[i]
            guard entry.localHeaderOffset <= directoryStart - 30 else {
                throw Failure(entry: entry.name, reason: "has its local header outside the archive's data (truncated or corrupt archive)")
            }
            let header = try read(at: entry.localHeaderOffset, count: 30)
            guard header.readLE32(0) == ZipArchive.localSignature else {
                throw Failure(entry: entry.name, reason: "has no local header where the central directory says (corrupt archive)")
            }
            let flags = header.readLE16(6), method = header.readLE16(8)
            let nameLength = Int(header.readLE16(26)), extraLength = Int(header.readLE16(28))
            guard entry.localHeaderOffset + 30 + nameLength + extraLength <= directoryStart else {
                throw Failure(entry: entry.name, reason: "has a local header that runs into the central directory (corrupt archive)")
            }
            let rest = try read(at: entry.localHeaderOffset + 30, count: nameLength + extraLength)
            guard rest[0..<nameLength].elementsEqual(entry.name) else {
                throw Failure(entry: entry.name, reason: "is named differently in its local header ('\(ZipArchive.display(Array(rest[0..<nameLength])))'); tools would disagree on what it is")
            }
            guard (flags & 0x0041) == (entry.flags & 0x0041), (flags & 0x0008) == (entry.flags & 0x0008), method == entry.method else {
                throw Failure(entry: entry.name, reason: "has a local header that disagrees with the central directory (flags or method)")
            }
            // With a data descriptor (flag bit 3) the local CRC and sizes may be zero; zip64 puts
            // all ones there and the values in an extra field.
            let zip64 = try ZipArchive.extraField(0x0001, in: rest[nameLength...], entry: entry.name)
            var local64 = [Int]()
            if let zip64 {
                var q = zip64.startIndex
                while q + 8 <= zip64.endIndex {
                    local64.append(Int(exactly: rest.readLE64(q)) ?? -1)
                    q += 8
                }
            }
            func agrees(_ value: UInt32, _ expected: Int, zip64Slot: Int) -> Bool {
                if Int(value) == expected { return true }
                if value == 0 && entry.flags & 0x0008 != 0 { return true }
                if value == 0xFFFF_FFFF {
                    guard zip64Slot < local64.count else { return entry.flags & 0x0008 != 0 }
                    return local64[zip64Slot] == expected || (local64[zip64Slot] == 0 && entry.flags & 0x0008 != 0)
                }
                return false
            }
            let localSize = header.readLE32(22), localCompressed = header.readLE32(18)
            let crcOK = header.readLE32(14) == entry.crc || (header.readLE32(14) == 0 && entry.flags & 0x0008 != 0)
            guard crcOK, agrees(localSize, entry.size, zip64Slot: 0),
                  agrees(localCompressed, entry.compressedSize, zip64Slot: localSize == 0xFFFF_FFFF ? 1 : 0) else {
                throw Failure(entry: entry.name, reason: "has a local header whose CRC or sizes disagree with the central directory (corrupt archive)")
            }
            let dataOffset = entry.localHeaderOffset + 30 + nameLength + extraLength
            guard entry.compressedSize <= directoryStart - dataOffset else {
                throw Failure(entry: entry.name, reason: "has data that runs past the end of the archive's data (truncated or corrupt archive)")
            }
            offsets.append(dataOffset)
        }
        // No overlaps: sorted by where they start, each entry ends before the next one starts.
        let order = entries.indices.sorted { entries[$0].localHeaderOffset < entries[$1].localHeaderOffset }
        for (a, b) in zip(order, order.dropFirst()) {
            let first = entries[a], second = entries[b]
            if offsets[a] + first.compressedSize > second.localHeaderOffset {
                throw Failure(entry: second.name, reason: "shares its bytes with the entry '\(ZipArchive.display(first.name))' (overlapping entries repeat data: a zip bomb technique)")
            }
        }
        return offsets
    }
}
