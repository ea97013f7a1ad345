import LVCStore
import Testing
@testable import LVCKit

/// `export` trusts a cached zip entry only if it holds exactly the blob: checked whole for small
/// entries, while inflating for large ones. Both ways must refuse every difference.
@Suite struct CachedEntryCheckTests {
    func file(_ count: Int, seed: UInt64) -> [UInt8] {
        var x = seed, bytes = [UInt8](repeating: 0, count: count)
        for i in bytes.indices { x = x &* 6364136223846793005 &+ 1442695040888963407; bytes[i] = UInt8(truncatingIfNeeded: x >> 61) }
        return bytes
    }

    func holds(_ stored: [UInt8], method: UInt16, _ body: [UInt8]) -> Bool {
        stored.withUnsafeBytes { DeploymentPackage.CompressedEntry.holds($0, method: method, body) }
    }

    @Test(arguments: [1000, DeploymentPackage.CompressedEntry.streamedComparison + 12345])
    func everyDifferenceIsRefused(count: Int) {
        let body = file(count, seed: UInt64(count))
        let deflated = Zlib.deflate(body, level: 6, format: .raw)
        var changed = body
        changed[count / 2] ^= 1
        var damaged = deflated
        damaged[deflated.count / 2] ^= 0x55
        // (what, stored bytes, method, blob, whether the entry holds the blob); the bytes are not
        // printed on failure (megabytes).
        let cases: [(String, [UInt8], UInt16, [UInt8], Bool)] = [
            ("the deflated entry", deflated, 8, body, true),
            ("the stored entry", body, 0, body, true),
            ("one byte differs (deflated)", deflated, 8, changed, false),
            ("one byte differs (stored)", body, 0, changed, false),
            ("the entry inflates to more", deflated, 8, Array(body.dropLast()), false),
            ("the entry inflates to less", deflated, 8, body + [0], false),
            ("truncated stream", Array(deflated.dropLast(4)), 8, body, false),
            ("bytes after the stream", deflated + [1, 2, 3], 8, body, false),
            ("damaged stream", damaged, 8, body, false),
            ("unknown method", deflated, 12, body, false),
        ]
        for (what, stored, method, blob, expected) in cases {
            let held = holds(stored, method: method, blob)
            #expect(held == expected, "\(what)")
        }
    }
}
