import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes collected in memory up to `limit`, and beyond it in a temporary file that has no name
/// (created in `.lambda/lvc/tmp/` and unlinked at once, so nothing is left whatever happens): the
/// deflated form of a 200 MB file is not held in the process's memory while it is packaged. Read
/// back whole, from the array or from a mapping of the file.
final class SpillBuffer {
    enum Contents {
        case memory([UInt8])
        case mapped(MappedFile)
    }

    private let limit: Int
    private let directory: String
    private var memory = [UInt8]()
    private var fd: Int32 = -1
    private(set) var count = 0

    init(limit: Int, directory: String) {
        self.limit = limit
        self.directory = directory
    }

    deinit { if fd >= 0 { close(fd) } }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        count += bytes.count
        if fd < 0 && memory.count + bytes.count > limit, let file = SpillBuffer.anonymousFile(in: directory) {
            fd = file
            try memory.withUnsafeBytes { try FileSystem.writeAll(fd: fd, $0, path: directory) }
            memory = []
        }
        if fd >= 0 {
            try FileSystem.writeAll(fd: fd, bytes, path: directory)
        } else {
            memory.append(contentsOf: bytes)
        }
    }

    /// Everything appended.
    func contents() throws -> Contents {
        guard fd >= 0, count > 0 else { return .memory(memory) }
        return .mapped(try MappedFile(fileDescriptor: fd, path: directory))
    }

    /// A new file in `directory` with no name left, or nil when none can be made there (the
    /// bytes then stay in memory).
    static func anonymousFile(in directory: String) -> Int32? {
        var template = Array("\(directory)/spill-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }
}
