import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Repository {
    /// `lvc export QUALIFIER -o FILE`: writes the canonical zip atomically (temp file + rename).
    /// `createFolder` makes the zip's folder first (for the default, `.lambda/exports/`, which git
    /// ignores and `lvc add` never sees).
    public func export(_ qualifier: Qualifier, to path: String, createFolder: Bool = false,
                       progress: ProgressHandler? = nil) throws -> DeploymentPackage.Digest {
        let (entries, layout) = try codePackage(qualifier)
        let directory = FileSystem.dirname(of: path)
        if createFolder { try LVCError.wrap("create \(directory)") { try FileSystem.makeDirectories(directory) } }
        var template = Array("\(directory)/.lvc-export-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let tmp = FileSystem.string(fromCBuffer: template)
        guard fd >= 0 else { throw LVCError.store(action: "export", .io(path: directory, operation: "create a file in", errno: errno)) }
        var done = false
        defer { if !done { unlink(tmp) } }
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 20)
        let digest: DeploymentPackage.Digest
        do {
            defer { close(fd) }
            digest = try DeploymentPackage.write(entries: entries, layout: layout, objects: objects, cache: packageCache(), verify: true,
                                                 progress: progress) { chunk in
                buffer.append(contentsOf: chunk)
                if buffer.count >= 1 << 20 {
                    try buffer.withUnsafeBytes { try FileSystem.writeAll(fd: fd, $0, path: tmp) }
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try buffer.withUnsafeBytes { try FileSystem.writeAll(fd: fd, $0, path: tmp) }
            fchmod(fd, 0o644)
        } catch let error as StoreError {
            throw LVCError.store(action: "export", error)
        }
        try LVCError.wrap("export") { try FileSystem.rename(tmp, path) }
        done = true
        return digest
    }
}
