import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A zip archive read from a file without trusting it: the structure only (end of central
/// directory, zip64 records, central directory, local headers), every offset and length checked
/// against the file before it is used, and no entry overlapping another. Reading an entry's data
/// is `ZipArchive+Read.swift`; what lvc accepts as a deployment package is `PackageContents`.
///
/// Written over the system zlib rather than with ZIPFoundation: see
/// Documentation/Decisions/0008-zip-import.md.
final class ZipArchive: @unchecked Sendable {
    // @unchecked: after `init` nothing changes; reads use pread(2) on the descriptor, which is
    // safe from several threads.

    /// One central-directory record, with what its local header told.
    struct Entry: Sendable {
        var name: [UInt8]
        /// Position in the central directory (0-based).
        var index: Int
        var versionMadeBy: UInt16
        var flags: UInt16
        var method: UInt16
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var externalAttributes: UInt32
        var localHeaderOffset: Int
        /// Where the entry's (compressed) data starts, after its local header.
        var dataOffset = 0

        var isEncrypted: Bool { flags & 0x0001 != 0 || flags & 0x0040 != 0 }
        /// The host system that made the entry (upper byte of "version made by"): 3 is Unix.
        var madeBy: UInt8 { UInt8(versionMadeBy >> 8) }
    }

    /// Why an archive or one of its entries is refused. `entry` is the raw name when one entry is
    /// at fault.
    struct Failure: Error, Sendable {
        var entry: [UInt8]?
        var reason: String
    }

    let path: String
    let fileSize: Int
    private(set) var entries: [Entry] = []
    private let fd: Int32

    /// Hard limits of the reader itself (what a deployment package may hold is `PackageContents`'s).
    enum Limits {
        /// Central-directory records (folders included). AWS sets no count limit, but lvc's zips
        /// hold at most 65,534 files and no Lambda package comes near this.
        static let entries = 100_000
        /// The central directory is read whole: 100,000 records with long names fit in far less.
        static let centralDirectoryBytes = 64 << 20
    }

    static let endSignature: UInt32 = 0x0605_4b50
    static let zip64EndSignature: UInt32 = 0x0606_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    static let centralSignature: UInt32 = 0x0201_4b50
    static let localSignature: UInt32 = 0x0403_4b50

    /// Opens and parses `path`. Throws `Failure` for anything that is not a well-formed,
    /// single-volume zip archive.
    init(path: String) throws {
        self.path = path
        // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw Failure(entry: nil, reason: "cannot open it: \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw Failure(entry: nil, reason: "it is not a regular file")
        }
        self.fd = fd
        fileSize = Int(st.st_size)
        // From here on `deinit` closes the descriptor, also when parsing throws.
        let directory = try findDirectory()
        entries = try readCentralDirectory(directory)
        for (i, offset) in try checkLocalHeaders(directoryStart: directory.offset).enumerated() { entries[i].dataOffset = offset }
    }

    deinit { close(fd) }

    // MARK: Reading bytes

    /// Reads exactly `count` bytes at `offset`, which the caller has checked lie in the file.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= fileSize, count <= fileSize - offset else {
            throw Failure(entry: nil, reason: "it is truncated (a record points past its end)")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { try read(at: offset, into: $0) }
        return bytes
    }

    /// Fills `buffer` from `offset` with pread(2).
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(entry: nil, reason: "cannot read it: \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw Failure(entry: nil, reason: "it is truncated (it changed while lvc read it?)") }
            done += n
        }
    }

    // MARK: End of central directory

    private struct Directory {
        var count: Int
        var offset: Int
        var size: Int
        /// Where the records after the central directory start (zip64 end record or end record).
        var end: Int
    }

    /// Finds the end-of-central-directory record in the last 64 KiB + 22 bytes (its comment can
    /// be up to 65,535 bytes long): the last signature whose comment reaches exactly the end of
    /// the file. Follows the zip64 locator when there is one.
    private func findDirectory() throws -> Directory {
        guard fileSize >= 22 else { throw Failure(entry: nil, reason: "it is not a zip archive (too short)") }
        let tailStart = max(0, fileSize - (0xFFFF + 22))
        let tail = try read(at: tailStart, count: fileSize - tailStart)
        var found: Int?
        var sawSignature = false
        var p = tail.count - 22
        while p >= 0 {
            if tail.readLE32(p) == ZipArchive.endSignature {
                sawSignature = true
                if p + 22 + Int(tail.readLE16(p + 20)) == tail.count { found = p; break }
            }
            p -= 1
        }
        guard let at = found else {
            throw Failure(entry: nil, reason: sawSignature
                ? "it is not a well-formed zip archive (bytes follow its end record)"
                : "it is not a zip archive (no end of central directory record)")
        }
        let endOffset = tailStart + at
        let disk = tail.readLE16(at + 4), directoryDisk = tail.readLE16(at + 6)
        let onDisk = tail.readLE16(at + 8), count = tail.readLE16(at + 10)
        let size = tail.readLE32(at + 12), offset = tail.readLE32(at + 16)

        // zip64: a locator right before the end record points at the zip64 end record.
        if endOffset >= 20, try read(at: endOffset - 20, count: 4).readLE32(0) == ZipArchive.zip64LocatorSignature {
            let locator = try read(at: endOffset - 20, count: 20)
            guard locator.readLE32(4) == 0, locator.readLE32(16) <= 1 else {
                throw Failure(entry: nil, reason: "it is a split (multi-volume) archive, which lvc does not read")
            }
            guard let recordOffset = Int(exactly: locator.readLE64(8)), recordOffset >= 0, recordOffset <= endOffset - 20 - 56 else {
                throw Failure(entry: nil, reason: "its zip64 end record is out of bounds")
            }
            let record = try read(at: recordOffset, count: 56)
            guard record.readLE32(0) == ZipArchive.zip64EndSignature else {
                throw Failure(entry: nil, reason: "its zip64 end record is missing or corrupt")
            }
            guard record.readLE32(16) == 0, record.readLE32(20) == 0, record.readLE64(24) == record.readLE64(32) else {
                throw Failure(entry: nil, reason: "it is a split (multi-volume) archive, which lvc does not read")
            }
            let count64 = record.readLE64(32)
            guard count64 <= UInt64(Limits.entries) else {
                throw Failure(entry: nil, reason: "it has \(count64.grouped) entries; lvc imports at most \(Limits.entries.grouped) (no Lambda package holds that many files)")
            }
            guard let size = Int(exactly: record.readLE64(40)), let offset = Int(exactly: record.readLE64(48)) else {
                throw Failure(entry: nil, reason: "its zip64 end record is out of bounds")
            }
            return Directory(count: Int(count64), offset: offset, size: size, end: recordOffset)
        }
        // Without a zip64 locator, all-ones values are taken literally (65,535 entries is legal;
        // an offset of 0xFFFFFFFF then fails the bounds checks), as Info-ZIP's unzip does.
        guard disk == 0, directoryDisk == 0, onDisk == count else {
            throw Failure(entry: nil, reason: "it is a split (multi-volume) archive, which lvc does not read")
        }
        return Directory(count: Int(count), offset: Int(offset), size: Int(size), end: endOffset)
    }

    // MARK: Central directory

    private func readCentralDirectory(_ directory: Directory) throws -> [Entry] {
        guard directory.count <= Limits.entries else {
            throw Failure(entry: nil, reason: "it has \(directory.count.grouped) entries; lvc imports at most \(Limits.entries.grouped) (no Lambda package holds that many files)")
        }
        guard directory.offset >= 0, directory.size >= 0, directory.offset <= directory.end,
              directory.size <= directory.end - directory.offset else {
            throw Failure(entry: nil, reason: "its central directory is out of bounds (truncated or corrupt archive)")
        }
        guard directory.size >= directory.count * 46 else {
            throw Failure(entry: nil, reason: "its central directory is too short for \(directory.count.grouped) entries (truncated or corrupt archive)")
        }
        guard directory.size <= Limits.centralDirectoryBytes else {
            throw Failure(entry: nil, reason: "its central directory is \(directory.size.grouped) bytes; lvc reads at most \(Limits.centralDirectoryBytes.grouped)")
        }
        let bytes = try read(at: directory.offset, count: directory.size)
        var entries = [Entry]()
        entries.reserveCapacity(directory.count)
        var p = 0
        for index in 0..<directory.count {
            guard p + 46 <= bytes.count, bytes.readLE32(p) == ZipArchive.centralSignature else {
                throw Failure(entry: nil, reason: "central directory record \(index + 1) of \(directory.count) is corrupt (truncated or corrupt archive)")
            }
            let nameLength = Int(bytes.readLE16(p + 28)), extraLength = Int(bytes.readLE16(p + 30)), commentLength = Int(bytes.readLE16(p + 32))
            guard p + 46 + nameLength + extraLength + commentLength <= bytes.count else {
                throw Failure(entry: nil, reason: "central directory record \(index + 1) of \(directory.count) runs past the directory's end (truncated or corrupt archive)")
            }
            let name = Array(bytes[(p + 46)..<(p + 46 + nameLength)])
            var entry = Entry(name: name, index: index, versionMadeBy: bytes.readLE16(p + 4), flags: bytes.readLE16(p + 8),
                              method: bytes.readLE16(p + 10), crc: bytes.readLE32(p + 16),
                              compressedSize: Int(bytes.readLE32(p + 20)), size: Int(bytes.readLE32(p + 24)),
                              externalAttributes: bytes.readLE32(p + 38), localHeaderOffset: Int(bytes.readLE32(p + 42)))
            var disk = Int(bytes.readLE16(p + 34))
            let extra = bytes[(p + 46 + nameLength)..<(p + 46 + nameLength + extraLength)]
            // zip64: the fields that are all ones come, in this order, from the 0x0001 extra field.
            if let zip64 = try ZipArchive.extraField(0x0001, in: extra, entry: name) {
                var q = zip64.startIndex
                func next(_ width: Int) throws -> Int {
                    guard q + width <= zip64.endIndex else { throw Failure(entry: name, reason: "has a zip64 extra field that is too short") }
                    let value = width == 8 ? bytes.readLE64(q) : UInt64(bytes.readLE32(q))
                    q += width
                    guard let int = Int(exactly: value), int >= 0 else { throw Failure(entry: name, reason: "has a size or offset beyond any file") }
                    return int
                }
                if entry.size == 0xFFFF_FFFF { entry.size = try next(8) }
                if entry.compressedSize == 0xFFFF_FFFF { entry.compressedSize = try next(8) }
                if entry.localHeaderOffset == 0xFFFF_FFFF { entry.localHeaderOffset = try next(8) }
                if disk == 0xFFFF { disk = try next(4) }
            }
            guard disk == 0 else { throw Failure(entry: name, reason: "is on another volume of a split archive, which lvc does not read") }
            entries.append(entry)
            p += 46 + nameLength + extraLength + commentLength
        }
        guard p == bytes.count else {
            throw Failure(entry: nil, reason: "its central directory has \(bytes.count - p) bytes more than its \(directory.count) records (corrupt archive)")
        }
        return entries
    }

    /// A name as it can be shown in a message: UTF-8 as is, anything else (invalid bytes,
    /// control characters) as `\xNN`.
    static func display(_ name: [UInt8]) -> String {
        if let text = String(validating: name, as: UTF8.self), !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return text
        }
        var out = ""
        var i = 0
        while i < name.count {
            // Keep valid multi-byte sequences, escape the rest byte by byte.
            let byte = name[i]
            if byte >= 0x20 && byte < 0x7F {
                out.append(Character(Unicode.Scalar(byte)))
                i += 1
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            if length > 1, i + length <= name.count, let text = String(validating: name[i..<(i + length)], as: UTF8.self) {
                out += text
                i += length
                continue
            }
            out += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            i += 1
        }
        return out
    }
}

extension Array where Element == UInt8 {
    func readLE16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    func readLE32(_ at: Int) -> UInt32 { UInt32(readLE16(at)) | UInt32(readLE16(at + 2)) << 16 }
    func readLE64(_ at: Int) -> UInt64 { UInt64(readLE32(at)) | UInt64(readLE32(at + 4)) << 32 }
}

extension BinaryInteger {
    /// 1,234,567: thousands separated by commas, for messages.
    var grouped: String {
        let digits = Array(String(self).utf8)
        var out = [UInt8]()
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0, digits[i - 1] != UInt8(ascii: "-") { out.append(UInt8(ascii: ",")) }
            out.append(d)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
