#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads every file of a checked package once, on all cores, and turns it into what `$LATEST`
/// needs, without holding any file whole in memory:
///
/// * every worker streams an entry (inflate, CRC-32 and size checked by `ZipArchive.stream`) into
///   the blob's SHA-256 and, for a real import, into a raw deflater at the canonical zip's level
///   whose output becomes a pending loose object (`PendingBlob`), installed only if everything
///   passes;
/// * the calling thread takes the results in the canonical zip's data order (large files first,
///   decision 0026) and builds its CodeSha256 from the same deflated bytes (read back from the
///   pending objects), appending them to the package cache, so `show`, `publish` and `export` find
///   every entry compressed already.
///
/// Files are taken in that order in a dry run too. The first failing entry in that order is the
/// one reported.
enum ImportPipeline {
    struct Staged {
        var id: ObjectID
        /// The blob's loose object, waiting in the store's temporary folder (real imports only).
        var pending: PendingBlob?
        /// Length of the blob's raw deflate stream at the canonical level.
        var deflatedCount: Int
    }

    struct Output {
        /// One per file of the package, in its (path) order.
        var staged: [Staged]
        /// The canonical zip's digest (real imports only).
        var canonical: DeploymentPackage.Digest?
    }

    /// Hashes (and, with `objects`, stores pending and packages) every file of `package`.
    /// `cacheWriter` receives the canonical entries the cache lacks; the caller commits it.
    static func run(_ package: PackageImport, objects: LooseObjects?, cache: PackageCache?,
                    cacheWriter: PackageCacheWriter?, progress: ProgressHandler?) throws -> Output {
        let files = package.contents.files
        let archive = package.archive
        // Sizes were checked against the archive's directory; a link's size is its target's.
        let order = try DeploymentPackage.dataOrder(count: files.count, layout: .current) { files[$0].entry.size }
        let results = OrderedResults<Staged>(count: files.count)
        let counter = ProgressCounter(total: files.count, handler: progress)
        let workers = ThreadGroup(count: min(max(1, System.coreCount), files.count)) { _ in
            let worker: Worker
            do { worker = try Worker(deflating: objects != nil) } catch {
                if let i = results.take() { results.set(i, .failure(error)) }
                results.stop()
                return
            }
            while let i = results.take() {
                let result = Result { try stage(files[order.indexes[i]], archive: archive, objects: objects, worker: worker) }
                if case .failure = result { results.stop() }
                results.set(i, result)
                counter.tick()
            }
        }
        var staged = [Staged?](repeating: nil, count: files.count)
        do {
            let zip = objects == nil ? nil : try CanonicalZip(archive: archive, files: files, cache: cache, writer: cacheWriter)
            for i in files.indices {
                let result = results.wait(i)
                let next = try result.get()
                staged[order.indexes[i]] = next
                try zip?.add(order.indexes[i], next)
            }
            let digest = try zip?.finish()
            workers.join()
            return Output(staged: staged.map { $0! }, canonical: digest)
        } catch {
            results.stop()
            workers.join()
            for i in files.indices { (try? results.peek(i)?.get())?.pending?.discard() }
            if let failure = error as? ZipArchive.Failure { throw PackageImport.error(failure, file: package.displayName) }
            if let failure = error as? StoreError { throw LVCError.store(action: "import \(package.displayName)", failure) }
            throw error
        }
    }

    /// A worker thread's reusable state.
    final class Worker {
        let reader: ZipArchive.Reader
        let deflater: Zlib.Deflater?
        init(deflating: Bool) throws {
            reader = try ZipArchive.Reader()
            deflater = deflating ? Zlib.Deflater(level: DeploymentPackage.deflateLevel, format: .raw) : nil
        }
    }

    /// One file: its blob id, and with `objects` its pending loose object.
    static func stage(_ file: PackageContents.File, archive: ZipArchive, objects: LooseObjects?, worker: Worker) throws -> Staged {
        var hasher = ObjectHasher(kind: .blob, size: file.entry.size)
        guard let objects, let deflater = worker.deflater else {
            if let target = file.target { hasher.update(target) } else {
                try archive.stream(file.entry, with: worker.reader) { hasher.update($0) }
            }
            return Staged(id: hasher.finalize(), pending: nil, deflatedCount: 0)
        }
        let pending = try PendingBlob(in: objects, size: file.entry.size)
        deflater.reset()
        func feed(_ chunk: UnsafeRawBufferPointer) throws {
            hasher.update(chunk)
            pending.addBody(chunk)
            try deflater.update(chunk) { try pending.addDeflated($0) }
        }
        if let target = file.target { try target.withUnsafeBytes(feed) } else {
            try archive.stream(file.entry, with: worker.reader, sink: feed)
        }
        try deflater.finish { try pending.addDeflated($0) }
        try pending.finish()
        return Staged(id: hasher.finalize(), pending: pending, deflatedCount: pending.deflatedCount)
    }
}

/// The canonical zip (Format.md §13) of the imported files, built in its data order from the bytes
/// the workers produced, hashed and never written; its entries go to the package cache.
private final class CanonicalZip {
    let archive: ZipArchive
    let files: [PackageContents.File]
    let cache: PackageCache?
    let writer: PackageCacheWriter?
    let reader: ZipArchive.Reader
    var hasher = ByteHasher()
    var offset = 0
    /// Where each file (by index in `files`) went, for the central directory.
    var placed: [DeploymentPackage.Placed]
    var cached = Set<ObjectID>()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)

    init(archive: ZipArchive, files: [PackageContents.File], cache: PackageCache?, writer: PackageCacheWriter?) throws {
        self.archive = archive
        self.files = files
        placed = Array(repeating: DeploymentPackage.Placed(), count: files.count)
        self.cache = cache
        self.writer = writer
        reader = try ZipArchive.Reader()
    }

    func emit(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bytes)
        offset += bytes.count
    }

    /// Emits `files[index]`, whose data comes next.
    func add(_ index: Int, _ staged: ImportPipeline.Staged) throws {
        let file = files[index]
        let size = file.entry.size, crc = file.entry.crc
        let method: UInt16, storedCount: Int
        // The cache's entry wins, as in `publish` and `show` (decision 0007). Symlinks are never
        // cached: the cache is keyed by blob, and a link's entry is always stored.
        let hit = file.mode == .symlink ? nil : cache?.lookup(staged.id)
        if let (record, _) = hit, record.size == size, record.crc == crc {
            method = record.method
            storedCount = record.length
        } else {
            let deflate = file.mode != .symlink && size > 0 && staged.deflatedCount < size
            method = deflate ? 8 : 0
            storedCount = deflate ? staged.deflatedCount : size
        }
        guard DeploymentPackage.fits(offset: offset, path: file.path, storedCount: storedCount, size: size) else {
            throw LVCError.refused(DeploymentPackage.tooLarge)
        }
        let localOffset = offset
        DeploymentPackage.localHeader(path: file.path, method: method, crc: crc, storedCount: storedCount, size: size)
            .withUnsafeBytes { emit($0) }
        if let cache, let (record, _) = hit, record.size == size, record.crc == crc {
            // Read with pread rather than through the cache's mapping: touching a mapping of a
            // large cache would count all of it in the process's resident memory.
            try copy(cache.directory + "/data", from: record.offset, count: record.length) { emit($0) }
        } else {
            let record = file.mode != .symlink && writer != nil && cached.insert(staged.id).inserted
            if record { writer?.begin() }
            func out(_ chunk: UnsafeRawBufferPointer) {
                emit(chunk)
                if record { writer?.write(chunk) }
            }
            if method == 8, let pending = staged.pending {
                try copy(pending.path, from: pending.deflateOffset, count: storedCount, to: out)
            } else if let target = file.target {
                target.withUnsafeBytes { out($0) }
            } else {
                // Read from the archive a second time: the bytes must still be the blob's.
                var hasher = ObjectHasher(kind: .blob, size: size)
                try archive.stream(file.entry, with: reader) { hasher.update($0); out($0) }
                guard hasher.finalize() == staged.id else {
                    throw ZipArchive.Failure(entry: file.entry.name, reason: "changed while lvc read it (the archive was modified during the import)")
                }
            }
            if record { writer?.end(id: staged.id, size: size, crc: crc, method: method) }
        }
        placed[index] = DeploymentPackage.Placed(method: method, crc: crc, storedCount: storedCount, size: size,
                                                 localOffset: localOffset)
    }

    /// Streams `count` bytes of a pending object from `start` to `out`.
    func copy(_ path: String, from start: Int, count: Int, to out: (UnsafeRawBufferPointer) -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var done = 0
        while done < count {
            let want = min(buffer.count, count - done)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, want, off_t(start + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw StoreError.io(path: path, operation: "read", errno: n < 0 ? errno : EIO) }
            buffer.withUnsafeBytes { out(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            done += n
        }
    }

    func finish() throws -> DeploymentPackage.Digest {
        let central = DeploymentPackage.centralDirectory(placed) { (files[$0].path, files[$0].mode) }
        try DeploymentPackage.finish(central: central, count: files.count, offset: offset) { emit($0) }
        return DeploymentPackage.Digest(sha256Base64: Base64.encode(hasher.finalize()), size: offset)
    }
}

/// Results that worker threads fill in any order and one consumer takes in index order; workers
/// take indexes in order too, so when one fails every smaller index has been taken already.
final class OrderedResults<T>: @unchecked Sendable {
    private var slots: [Result<T, Error>?]
    private var next = 0
    private var stopped = false
    private let condition = Condition()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// The next index to work on; nil when all are taken or the work was stopped.
    func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped, next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    func set(_ i: Int, _ result: Result<T, Error>) {
        condition.lock()
        slots[i] = result
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until index `i` has its result. Only for taken indexes (every index before the first
    /// failure is taken, and the consumer stops at the first failure).
    func wait(_ i: Int) -> Result<T, Error> {
        condition.lock()
        defer { condition.unlock() }
        while slots[i] == nil { condition.wait() }
        return slots[i]!
    }

    func peek(_ i: Int) -> Result<T, Error>? {
        condition.lock()
        defer { condition.unlock() }
        return slots[i]
    }

    /// No index is handed out any more.
    func stop() {
        condition.lock()
        stopped = true
        condition.unlock()
    }
}
