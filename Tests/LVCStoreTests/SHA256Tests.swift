import Testing
@testable import LVCStore

/// lvc's SHA-256 (OpenSSL's SHA256_CTX): known answers, and a saved state that resumes exactly.
@Suite struct SHA256Tests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    @Test func knownAnswers() {
        #expect(Self.hex(ByteHasher.digest(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex(ByteHasher.digest([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Self.hex(ByteHasher.digest(million)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// A state saved after any number of bytes (inside a block or on its edge), then restored,
    /// gives the same digest as hashing everything in one go.
    @Test func savedStateResumes() throws {
        var seed: UInt64 = 42
        let data = (0..<5000).map { _ -> UInt8 in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: seed >> 33)
        }
        let expected = ByteHasher.digest(data)
        for cut in [0, 1, 55, 63, 64, 65, 127, 128, 1000, 4999, 5000] {
            var first = ByteHasher()
            first.update(Array(data[..<cut]))
            let saved = first.savedState
            #expect(saved.count == SHA256.stateByteCount)
            var resumed = try #require(ByteHasher(savedState: saved))
            resumed.update(Array(data[cut...]))
            #expect(resumed.finalize() == expected, "cut at \(cut)")
        }
    }

    /// A damaged state is refused before it reaches OpenSSL (its block position indexes a buffer).
    @Test func damagedStatesAreRefused() {
        var hasher = ByteHasher()
        hasher.update(Array(repeating: 7, count: 100))
        let saved = hasher.savedState
        #expect(ByteHasher(savedState: Array(saved.dropLast())) == nil)
        var badPosition = saved
        badPosition[104] = 200  // num: bytes waiting in the block, must be < 64
        #expect(ByteHasher(savedState: badPosition) == nil)
        var badCount = saved
        badCount[32] ^= 0x08  // Nl no longer agrees with num
        #expect(ByteHasher(savedState: badCount) == nil)
        #expect(ByteHasher(savedState: saved) != nil)
    }
}
