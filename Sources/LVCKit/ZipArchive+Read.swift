import LVCStore

extension ZipArchive {
    /// What one thread needs to read entries: a read buffer and a raw inflater, reused from entry
    /// to entry (zlib's state is reset, not reallocated).
    final class Reader {
        fileprivate var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        fileprivate let inflater: Zlib.Inflater

        init() throws {
            do { inflater = try Zlib.Inflater(format: .raw) } catch let failure as Zlib.Failure {
                throw Failure(entry: nil, reason: failure.description)
            }
        }
    }

    /// Streams an entry's uncompressed bytes to `sink`, in pieces of at most 256 KiB, checking as
    /// it goes: the data never grows past the size the central directory announces (so a lying
    /// header cannot make lvc produce more than was checked against the limits), the deflate
    /// stream ends exactly at the entry's last byte, and size and CRC-32 match at the end.
    /// Methods 0 (stored) and 8 (deflate) only; `PackageContents` refuses the others first.
    func stream(_ entry: Entry, with reader: Reader, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard entry.method == 0 || entry.method == 8 else {
            throw Failure(entry: entry.name, reason: "uses compression method \(entry.method), which lvc does not read")
        }
        var crc: UInt32 = 0
        var produced = 0
        func emit(_ chunk: UnsafeRawBufferPointer) throws {
            produced += chunk.count
            guard produced <= entry.size else {
                throw Failure(entry: entry.name, reason: "inflates to more than the \(entry.size.grouped) bytes its header announces (a zip bomb, or corrupt data)")
            }
            crc = Zlib.crc32(chunk, seed: crc)
            try sink(chunk)
        }
        let inflater = reader.inflater
        inflater.reset()
        var offset = entry.dataOffset
        var remaining = entry.compressedSize
        while remaining > 0 {
            let n = min(remaining, reader.buffer.count)
            try reader.buffer.withUnsafeMutableBytes { try read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<n])) }
            offset += n
            remaining -= n
            try reader.buffer.withUnsafeBytes { raw in
                let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                if entry.method == 0 { try emit(chunk); return }
                let consumed: Int
                do { consumed = try inflater.update(chunk, sink: emit) } catch let failure as Zlib.Failure {
                    throw Failure(entry: entry.name, reason: "has corrupt compressed data (\(failure.description))")
                }
                if inflater.ended && (consumed < n || remaining > 0) {
                    throw Failure(entry: entry.name, reason: "has bytes after the end of its compressed data (corrupt archive)")
                }
            }
        }
        if entry.method == 8 && !inflater.ended {
            throw Failure(entry: entry.name, reason: "has truncated compressed data (corrupt archive)")
        }
        guard produced == entry.size else {
            throw Failure(entry: entry.name, reason: "inflates to \(produced.grouped) bytes, but its header announces \(entry.size.grouped) (corrupt archive)")
        }
        guard crc == entry.crc else {
            throw Failure(entry: entry.name, reason: "fails its CRC-32 check (corrupt data)")
        }
    }

    /// An entry's uncompressed bytes in memory, for small entries (symlink targets): one whose
    /// header announces more than `limit` bytes is refused before anything is allocated or read
    /// (the announced size is the archive's word, found by fuzzing to reserve 4 GB).
    func contents(of entry: Entry, with reader: Reader, limit: Int) throws -> [UInt8] {
        guard entry.size <= limit else {
            throw Failure(entry: entry.name, reason: "announces \(entry.size.grouped) bytes, more than the \(limit.grouped) lvc reads into memory for such an entry")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(entry.size)
        try stream(entry, with: reader) { bytes.append(contentsOf: $0) }
        return bytes
    }
}
