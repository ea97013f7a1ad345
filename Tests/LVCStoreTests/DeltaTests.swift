import Testing
@testable import LVCStore

/// Delta decoding on its own, with hostile input.
@Suite struct DeltaTests {
    let base = [UInt8]("0123456789abcdef".utf8)

    @Test func copiesAndInserts() throws {
        // base 16, result 7: COPY offset 10 size 3 ("abc"), INSERT "XY", COPY offset 0 size 2 ("01")
        let delta: [UInt8] = [16, 7, 0x91, 10, 3, 2, 0x58, 0x59, 0x90, 2]
        #expect(try Delta.apply(delta, to: base) == Array("abcXY01".utf8))
    }

    @Test func rejectsMalformedDeltas() {
        let cases: [[UInt8]] = [
            [15, 1, 1, 0x41],             // wrong base size
            [16, 2, 1, 0x41],             // result shorter than announced
            [16, 1, 0],                   // reserved opcode 0
            [16, 4, 4, 0x41],             // insert past the end
            [16, 4, 0x91, 14, 4],         // copy past the end of the base
            [16, 0x80],                   // truncated varint
            [16, 2, 0x90, 4],             // copy longer than the result
            [16, 0x10, 0x80],             // copy of 0x10000 bytes from a 16-byte base
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],  // size overflows
        ]
        for delta in cases {
            #expect(throws: Delta.Failure.self) { try Delta.apply(delta, to: base) }
        }
    }
}
