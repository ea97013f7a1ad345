import Foundation
import LVCStore
import Testing
@testable import LVCKit

/// `lvc add` of a large file that grows while it is read (a log being written) reads it again with
/// its new size. (It used to retry with the size it saw first, and so refused the file three times.)
@Suite struct GrowingFileTests {
    @Test func aLargeFileThatGrowsWhileItIsStoredIsReadAgain() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-grow-\(UUID().uuidString)").path
        try FileSystem.makeDirectories(dir + "/objects/pack")
        try FileSystem.makeDirectories(dir + "/tmp")
        try FileSystem.makeDirectories(dir + "/function")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = ObjectStore(objectsDirectory: dir + "/objects", temporaryDirectory: dir + "/tmp")
        let path = dir + "/function/app.log"
        let original = [UInt8]((0..<(6 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) })
        let appended = Array("one more line\n".utf8)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(original)))

        // On the first read of the file (inotify IN_ACCESS), another thread appends a line, once:
        // the first pass, a megabyte at a time with deflate in between, is then still reading.
        let watch = inotify_init1(Int32(IN_CLOEXEC))
        #expect(watch >= 0)
        defer { close(watch) }
        #expect(inotify_add_watch(watch, path, UInt32(IN_ACCESS)) >= 0)
        let appendedOnce = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var poller = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 10_000) == 1, let handle = FileHandle(forWritingAtPath: path) {
                handle.seekToEndOfFile()
                handle.write(Data(appended))
                handle.closeFile()
            }
            appendedOnce.signal()
        }
        let id = try Repository.storeBlob(root: dir + "/function", path: Array("app.log".utf8), mode: .file, objects: store)
        appendedOnce.wait()
        let stored = try store.read(id, as: .blob)
        // The line lands while the first pass reads (the usual case: then the file is read again)
        // or, if that pass was quicker, after it; either way the blob is one state of the file.
        #expect(stored == original + appended || stored == original)
        #expect(ObjectHasher.id(of: .blob, body: stored) == id)
    }
}
