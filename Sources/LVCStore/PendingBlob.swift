#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blob written into a temporary file of the loose-object store from its **raw deflate stream**,
/// and installed under its name only when the caller says so (or discarded).
///
/// The file is an ordinary loose object, one RFC 1950 zlib stream of `blob <size>\0<body>`:
///
/// ```
/// 78 9C                        zlib header (deflate, 32 KiB window, default level)
/// 00 LEN NLEN "blob <size>\0"  the object header in a stored (uncompressed) deflate block, not final
/// <raw deflate of the body>    exactly the caller's deflate output; it ends with the final block
/// <Adler-32 of header + body>  big-endian
/// ```
///
/// A stored block ends on a byte boundary, so the body's stream starts at `deflateOffset` and can
/// be used unchanged elsewhere: `lvc import` deflates each file once, at the canonical zip's level,
/// and the same bytes serve as the loose object and as the package's zip entry. git and lvc read
/// it like any loose object (readers accept any deflate blocks and level).
public final class PendingBlob {
    /// The temporary file, under the store's temporary folder until `LooseObjects.install`.
    public let path: String
    /// Where the body's raw deflate stream starts in the file.
    public let deflateOffset: Int
    /// How many bytes of raw deflate were written.
    public private(set) var deflatedCount = 0
    private var fd: Int32
    private var adler: UInt32 = 1
    private var buffer = [UInt8]()
    private static let bufferSize = 256 * 1024

    /// Creates the temporary file and writes the zlib header and the object header for a body of
    /// `size` bytes.
    public init(in objects: LooseObjects, size: Int) throws {
        var template = Array("\(objects.temporaryDirectory)/obj-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw StoreError.io(path: objects.temporaryDirectory, operation: "create a temporary file in", errno: errno)
        }
        self.fd = fd
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let header = ObjectKind.header(.blob, size: size)
        adler = Zlib.adler32(header)
        buffer += [0x78, 0x9C, 0x00]
        let length = UInt16(header.count)  // "blob " + at most 19 digits + NUL
        buffer += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
        buffer += header
        deflateOffset = buffer.count
    }

    deinit { discard() }

    /// The body's bytes, in order, for the trailing checksum.
    public func addBody(_ bytes: UnsafeRawBufferPointer) {
        adler = Zlib.adler32(bytes, seed: adler)
    }

    /// The next piece of the body's raw deflate stream.
    public func addDeflated(_ bytes: UnsafeRawBufferPointer) throws {
        deflatedCount += bytes.count
        if buffer.count + bytes.count > PendingBlob.bufferSize { try flush() }
        if bytes.count >= PendingBlob.bufferSize {
            try FileSystem.writeAll(fd: fd, bytes, path: path)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Writes the checksum and closes the file (read-only, like every object).
    public func finish() throws {
        buffer += [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
        try flush()
        buffer = []  // thousands of pending blobs may wait for installation: keep none of their buffers
        fchmod(fd, 0o444)
        close(fd)
        fd = -1
    }

    /// Removes the temporary file (nothing happens after `LooseObjects.install` moved it).
    public func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        if !settled { unlink(path) }
        settled = true
    }

    /// Installed or discarded: the temporary file is no longer ours.
    var settled = false

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try FileSystem.writeAll(fd: fd, $0, path: path) }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension LooseObjects {
    /// Moves a finished pending blob into place under `id`, the id its body hashes to (the caller
    /// computed it while writing). When the store already has the object, the file is discarded.
    public func install(_ pending: PendingBlob, as id: ObjectID) throws {
        if contains(id) { pending.discard(); return }
        try install(pending.path, as: id)
        pending.settled = true
    }
}
