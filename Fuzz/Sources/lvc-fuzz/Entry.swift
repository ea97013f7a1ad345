import LibFuzzer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The target this process fuzzes, from `LVC_FUZZ_TARGET` (Fuzz/run.sh sets it).
let selected: Target = {
    let name = getenv("LVC_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = Target(rawValue: name) else {
        let known = Target.allCases.map(\.rawValue).joined(separator: " ")
        let message = Array("lvc-fuzz: set LVC_FUZZ_TARGET to one of: \(known)\n".utf8)
        _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(2)
    }
    return target
}()

/// Called by libFuzzer once per input, in this process, millions of times.
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selected.run(bytes)
    return 0
}
