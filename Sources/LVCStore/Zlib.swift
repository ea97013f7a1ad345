#if canImport(FoundationEssentials)
import FoundationEssentials  // lighter than Foundation: lvc starts faster
#else
import Foundation
#endif
import LVCZlib

/// zlib compression and decompression over system zlib.
public enum Zlib {
    /// The version of the zlib lvc runs with ("1.2.13"): deflate's output may differ between versions.
    public static var version: String { String(cString: zlibVersion()) }

    public enum Format: Sendable { case zlib, raw }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// A deflate stream fed in pieces; output is handed to `sink` as it is produced.
    public final class Deflater {
        private var stream = z_stream()
        private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        private var finished = false

        public init(level: Int32, format: Format = .zlib) {
            let rc = format == .zlib ? lvc_deflateInit(&stream, level) : lvc_deflateInitRaw(&stream, level)
            precondition(rc == Z_OK, "deflateInit failed: \(rc)")  // only fails on out-of-memory or bad level
        }

        deinit { deflateEnd(&stream) }

        public func update(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
            try run(input, flush: Z_NO_FLUSH, sink: sink)
        }

        public func finish(sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
            try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, sink: sink)
            finished = true
        }

        /// Starts a new stream with the same settings (`deflateReset`): cheaper than a new
        /// Deflater, which allocates zlib's window and tables again.
        public func reset() {
            let rc = deflateReset(&stream)
            precondition(rc == Z_OK, "deflateReset failed: \(rc)")  // only fails on a corrupt state
            finished = false
        }

        private func run(_ input: UnsafeRawBufferPointer, flush: Int32, sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
            precondition(!finished)
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(input.count)
            let capacity = buffer.count
            try buffer.withUnsafeMutableBytes { out in
                let base = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
                repeat {
                    stream.next_out = base
                    stream.avail_out = UInt32(capacity)
                    let rc = LVCZlib.deflate(&stream, flush)
                    precondition(rc != Z_STREAM_ERROR, "deflate state corrupted")
                    let produced = capacity - Int(stream.avail_out)
                    if produced > 0 { try sink(UnsafeRawBufferPointer(start: base, count: produced)) }
                    if flush == Z_FINISH && rc == Z_STREAM_END { break }
                } while stream.avail_out == 0 || (flush == Z_FINISH)
            }
        }
    }

    /// A deflate stream inflated in pieces, for input too large to hold: output is handed to `sink`
    /// in chunks of at most 256 KiB as it is produced. zlib checks the stream's structure (and,
    /// for the zlib format, its Adler-32); the caller checks sizes and any outer checksum.
    public final class Inflater {
        private var stream = z_stream()
        private var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        public private(set) var ended = false

        public init(format: Format = .raw) throws {
            let rc = format == .zlib ? lvc_inflateInit(&stream) : lvc_inflateInitRaw(&stream)
            guard rc == Z_OK else { throw Failure(description: "inflateInit failed (\(rc))") }
        }

        deinit { inflateEnd(&stream) }

        /// Starts a new stream with the same settings (`inflateReset`).
        public func reset() {
            inflateReset(&stream)
            ended = false
        }

        /// Inflates `input`; returns how many of its bytes the stream took. Once the stream has
        /// ended (`ended`), the rest of `input` is not consumed: the caller decides whether
        /// trailing bytes are an error.
        @discardableResult
        public func update(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
            guard !ended, !input.isEmpty else { return 0 }
            var fed = 0
            let capacity = buffer.count
            while true {
                if stream.avail_in == 0 && fed < input.count {
                    let chunk = min(input.count - fed, Int(UInt32.max))
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: UInt8.self)) + fed
                    stream.avail_in = UInt32(chunk)
                    fed += chunk
                }
                let availableBefore = stream.avail_in
                let (rc, produced): (Int32, Int) = buffer.withUnsafeMutableBytes { out in
                    stream.next_out = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    stream.avail_out = UInt32(capacity)
                    let rc = LVCZlib.inflate(&stream, Z_NO_FLUSH)
                    return (rc, capacity - Int(stream.avail_out))
                }
                if produced > 0 {
                    try buffer.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
                }
                switch rc {
                case Z_STREAM_END:
                    ended = true
                    let consumed = fed - Int(stream.avail_in)
                    stream.avail_in = 0
                    return consumed
                case Z_OK, Z_BUF_ERROR:
                    // A full output buffer may hide more output; otherwise stop when the input is used up.
                    if produced < capacity && stream.avail_in == 0 && fed == input.count { return fed }
                    if produced == 0 && stream.avail_in == availableBefore {
                        throw Failure(description: "inflate made no progress")
                    }
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
                    throw Failure(description: "inflate: \(message)")
                }
            }
        }
    }

    /// Adler-32 (the zlib format's checksum), continued from `seed` (1 for a new checksum).
    public static func adler32<D: ContiguousBytes>(_ bytes: D, seed: UInt32 = 1) -> UInt32 {
        bytes.withUnsafeBytes { raw in
            UInt32(LVCZlib.adler32(UInt(seed), raw.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32(raw.count)))
        }
    }

    /// Compresses `input` in one go.
    ///
    /// In the zlib format (objects), the window is the smallest that holds the whole input, and
    /// the output is written straight into an array of `deflateBound`'s size: a 4 KB file sets up
    /// 96 KB of zlib state instead of 256 KB (a 3 KB one 48 KB), and clears a 32 KB hash table
    /// instead of 64 KB, for each of the 20,000 objects of a fresh `add`. Every match zlib's
    /// default window would find is still in reach. Raw deflate (zip entries) keeps zlib's
    /// defaults, so that deployment packages stay byte-identical.
    public static func deflate<D: ContiguousBytes>(_ input: D, level: Int32 = 1, format: Format = .zlib) -> [UInt8] {
        if format == .zlib, let whole = input.withUnsafeBytes({ $0.count <= 1 << 30 ? deflateWhole($0, level: level) : nil }) {
            return whole
        }
        let deflater = Deflater(level: level, format: format)
        var out = [UInt8]()
        input.withUnsafeBytes { raw in
            deflater.update(raw) { out.append(contentsOf: $0) }
        }
        deflater.finish { out.append(contentsOf: $0) }
        return out
    }

    /// The zlib window (2^bits bytes) and hash size (`memLevel`) for an input of `size` bytes: a
    /// window that reaches back over the whole input (zlib keeps 262 bytes of lookahead out of
    /// it), and a hash table and symbol buffer scaled with it (one block for the whole input).
    static func windowParameters(forSize size: Int) -> (bits: Int32, memLevel: Int32) {
        var bits: Int32 = 9  // zlib's smallest for its own format
        while bits < 15 && (1 << bits) < size + 262 { bits += 1 }
        return (bits, min(8, max(1, bits - 6)))
    }

    private static func deflateWhole(_ input: UnsafeRawBufferPointer, level: Int32) -> [UInt8] {
        var stream = z_stream()
        let (bits, memLevel) = windowParameters(forSize: input.count)
        let rc = lvc_deflateInitWindow(&stream, level, bits, memLevel)
        precondition(rc == Z_OK, "deflateInit failed: \(rc)")  // only fails on out-of-memory or bad level
        defer { deflateEnd(&stream) }
        // deflateBound is large enough for Z_FINISH to complete in a single call.
        let bound = Int(deflateBound(&stream, UInt(input.count)))
        return [UInt8](unsafeUninitializedCapacity: bound) { output, count in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(input.count)
            stream.next_out = output.baseAddress
            stream.avail_out = UInt32(bound)
            let rc = LVCZlib.deflate(&stream, Z_FINISH)
            precondition(rc == Z_STREAM_END, "deflate with a deflateBound-sized output did not finish: \(rc)")
            count = Int(stream.total_out)
        }
    }

    /// Decompresses exactly one stream that must fill the whole input (no trailing bytes).
    /// `limit` bounds the output so that corrupt or hostile input cannot exhaust memory.
    public static func inflate(_ input: UnsafeRawBufferPointer, format: Format = .zlib,
                               expectedSize: Int? = nil, limit: Int = Int.max) throws -> [UInt8] {
        var stream = z_stream()
        let initRC = format == .zlib ? lvc_inflateInit(&stream) : lvc_inflateInitRaw(&stream)
        guard initRC == Z_OK else { throw Failure(description: "inflateInit failed (\(initRC))") }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: max(64, min(expectedSize ?? input.count * 4, limit)))
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        while true {
            if produced == out.count {
                guard out.count < limit else { throw Failure(description: "inflated data exceeds \(limit) bytes") }
                out.append(contentsOf: repeatElement(0, count: min(out.count, limit - out.count)))
            }
            let rc: Int32 = out.withUnsafeMutableBytes { buf in
                stream.next_out = buf.baseAddress!.assumingMemoryBound(to: UInt8.self) + produced
                stream.avail_out = UInt32(buf.count - produced)
                let rc = LVCZlib.inflate(&stream, Z_NO_FLUSH)
                produced = buf.count - Int(stream.avail_out)
                return rc
            }
            switch rc {
            case Z_STREAM_END:
                guard stream.avail_in == 0 else { throw Failure(description: "garbage after the compressed data") }
                out.removeSubrange(produced...)
                return out
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                if stream.avail_in == 0 { throw Failure(description: "compressed data is truncated") }
                continue
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw Failure(description: "inflate: \(message)")
            }
        }
    }

    /// Inflates ONE zlib stream from the start of `input`, which may go on with other data after it
    /// (pack entries follow each other with no length field). The stream must inflate to exactly
    /// `expectedSize` bytes. Returns the bytes and how many input bytes the stream took.
    ///
    /// The output buffer grows as data actually arrives, so a corrupt or hostile `expectedSize`
    /// cannot allocate more than the stream really produces (plus a bounded first chunk).
    public static func inflateStream(_ input: UnsafeRawBufferPointer,
                                     expectedSize: Int) throws -> (bytes: [UInt8], consumed: Int) {
        guard expectedSize >= 0, expectedSize < Int.max else { throw Failure(description: "invalid size \(expectedSize)") }
        guard let inputBase = input.baseAddress, !input.isEmpty else {
            throw Failure(description: "compressed data is truncated")
        }
        var stream = z_stream()
        let initRC = lvc_inflateInit(&stream)
        guard initRC == Z_OK else { throw Failure(description: "inflateInit failed (\(initRC))") }
        defer { inflateEnd(&stream) }
        // One byte beyond `expectedSize` is room to notice a stream longer than announced.
        let capacity = expectedSize + 1
        var out = [UInt8](repeating: 0, count: min(capacity, 1 << 20))
        var produced = 0
        var fed = 0  // input bytes handed to zlib so far (avail_in is 32 bits: feed in chunks)
        while true {
            if stream.avail_in == 0 && fed < input.count {
                let chunk = min(input.count - fed, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: inputBase.assumingMemoryBound(to: UInt8.self)) + fed
                stream.avail_in = UInt32(chunk)
                fed += chunk
            }
            if produced == out.count {
                guard out.count < capacity else {
                    throw Failure(description: "inflates to more than the expected \(expectedSize) bytes")
                }
                out.append(contentsOf: repeatElement(0, count: min(out.count, capacity - out.count)))
            }
            let rc: Int32 = out.withUnsafeMutableBytes { buf in
                let room = min(buf.count - produced, Int(UInt32.max))
                stream.next_out = buf.baseAddress!.assumingMemoryBound(to: UInt8.self) + produced
                stream.avail_out = UInt32(room)
                let rc = LVCZlib.inflate(&stream, Z_NO_FLUSH)
                produced += room - Int(stream.avail_out)
                return rc
            }
            switch rc {
            case Z_STREAM_END:
                guard produced == expectedSize else {
                    throw Failure(description: "inflates to \(produced) bytes, expected \(expectedSize)")
                }
                out.removeSubrange(produced...)
                return (out, fed - Int(stream.avail_in))
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress: either the input ran out or the output is full (handled above).
                if stream.avail_in == 0 && fed == input.count { throw Failure(description: "compressed data is truncated") }
                if stream.avail_out != 0 && stream.avail_in != 0 { throw Failure(description: "inflate made no progress") }
                continue
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw Failure(description: "inflate: \(message)")
            }
        }
    }

    /// Inflates the start of a stream only, up to `count` bytes of output (for reading object headers).
    public static func inflatePrefix(_ input: UnsafeRawBufferPointer, count: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard lvc_inflateInit(&stream) == Z_OK else { throw Failure(description: "inflateInit failed") }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: count)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        let (rc, produced): (Int32, Int) = out.withUnsafeMutableBytes { buf in
            stream.next_out = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.avail_out = UInt32(count)
            let rc = LVCZlib.inflate(&stream, Z_SYNC_FLUSH)
            return (rc, count - Int(stream.avail_out))
        }
        guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
            let message = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
            throw Failure(description: "inflate: \(message)")
        }
        return Array(out[..<produced])
    }

    /// CRC-32 as zip uses it.
    public static func crc32<D: ContiguousBytes>(_ bytes: D, seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { crc32(raw: $0, seed: seed) }
    }

    /// CRC-32 of raw bytes (not generic: called for every package-cache record).
    @inlinable
    public static func crc32(raw: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        UInt32(LVCZlib.crc32_z(UInt(seed), raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count))
    }
}
