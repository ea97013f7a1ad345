import LVCStore

/// A deployment package opened for `lvc import` or `lvc init --from`: parsed and judged as a whole
/// (`ZipArchive`, `PackageContents`) before anything is written anywhere, with the CodeSha256 of
/// the file itself. `Repository.importPackage` then stages it.
public final class PackageImport: @unchecked Sendable {
    // @unchecked: immutable after init; the archive is read with pread from several threads.

    /// The name used in messages: the path as the user gave it.
    public let displayName: String
    let archive: ZipArchive
    let contents: PackageContents
    /// CodeSha256 and size of the file as it is: what AWS reports for it when it is uploaded as is.
    public let original: DeploymentPackage.Digest
    /// Things worth knowing that do not stop the import (AWS's size limits, missing modes).
    public let warnings: [String]

    public var fileCount: Int { contents.files.count }
    public var unzippedSize: Int { contents.unzippedSize }

    /// Opens and checks `path`. Throws `LVCError.badPackage`, naming the entry at fault.
    public init(path: String, displayName: String) throws {
        self.displayName = displayName
        do {
            archive = try ZipArchive(path: path)
            contents = try PackageContents(archive: archive)
            original = try PackageImport.digest(of: archive)
        } catch let failure as ZipArchive.Failure {
            throw PackageImport.error(failure, file: displayName)
        }
        var warnings = [String]()
        if original.size >= PackageContents.AWSLimits.zipped {
            warnings.append("\(displayName) is \(original.size.grouped) bytes: AWS refuses direct uploads of 50 MB (52,428,800 bytes) or more; upload it through S3")
        }
        if contents.unzippedSize >= PackageContents.AWSLimits.unzipped {
            warnings.append("the package unzips to \(contents.unzippedSize.grouped) bytes: AWS refuses 250 MB (262,144,000 bytes) or more unzipped, layers included")
        }
        if contents.withoutUnixModes > 0 {
            warnings.append("\(contents.withoutUnixModes.grouped) file(s) carry no Unix mode (made on Windows?): imported as 0644, not executable")
        }
        self.warnings = warnings
    }

    static func error(_ failure: ZipArchive.Failure, file: String) -> LVCError {
        .badPackage(file: file, entry: failure.entry.map(ZipArchive.display), reason: failure.reason)
    }

    /// base64 SHA-256 of the whole file, read in 1 MiB pieces.
    private static func digest(of archive: ZipArchive) throws -> DeploymentPackage.Digest {
        var hasher = ByteHasher()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        while offset < archive.fileSize {
            let n = min(buffer.count, archive.fileSize - offset)
            try buffer.withUnsafeMutableBytes { raw in
                let piece = UnsafeMutableRawBufferPointer(rebasing: raw[0..<n])
                try archive.read(at: offset, into: piece)
                hasher.update(UnsafeRawBufferPointer(piece))
            }
            offset += n
        }
        return DeploymentPackage.Digest(sha256Base64: Base64.encode(hasher.finalize()), size: archive.fileSize)
    }
}
