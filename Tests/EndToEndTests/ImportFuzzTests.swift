import Dispatch
import Foundation
import Testing

/// Thousands of mutated zips through the real `lvc import --dry-run`: it must never crash (only
/// exit 0 or 1) and never write anything. The mutants come from a seeded generator, so a failure
/// repeats; the failing mutant's bytes are kept next to the sandbox and named in the message.
@Suite struct ImportFuzzTests {
    static let runs = 2_000
    static let seeds = ["good-python.zip", "good-zip-r.zip", "good-descriptor.zip", "good-zip64.zip", "good-windows.zip"]

    /// Offsets of the zip records' signatures: mutations of their fields reach the parser's
    /// checks instead of only the data.
    static func recordOffsets(_ bytes: [UInt8]) -> [Int] {
        guard bytes.count >= 4 else { return [] }
        return (0...(bytes.count - 4)).filter { bytes[$0] == 0x50 && bytes[$0 + 1] == 0x4B && bytes[$0 + 2] < 8 && bytes[$0 + 3] < 9 }
    }

    static func mutate(_ seed: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var bytes = seed
        let records = recordOffsets(seed)
        let interesting: [UInt32] = [0, 1, 2, 8, 12, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF]
        for _ in 0..<Int.random(in: 1...3, using: &rng) where !bytes.isEmpty {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:  // flip bits
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                }
            case 1:  // truncate
                bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &rng)...)
            case 2:  // a length, offset or flag field of a record set to an edge value
                guard let record = records.randomElement(using: &rng) else { continue }
                let at = record + Int.random(in: 4..<46, using: &rng)
                let value = Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt32.random(in: 0...UInt32.max, using: &rng)
                let width = Bool.random(using: &rng) ? 2 : 4
                for k in 0..<width where at + k < bytes.count { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
            case 3:  // insert bytes
                let at = Int.random(in: 0...bytes.count, using: &rng)
                bytes.insert(contentsOf: (0..<Int.random(in: 1...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            case 4:  // delete a range
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...32, using: &rng)))
            default:  // copy one region over another (overlaps, repeated headers)
                let from = Int.random(in: 0..<bytes.count, using: &rng), to = Int.random(in: 0..<bytes.count, using: &rng)
                let length = min(Int.random(in: 1...64, using: &rng), bytes.count - from, bytes.count - to)
                bytes.replaceSubrange(to..<(to + length), with: bytes[from..<(from + length)])
            }
        }
        return bytes
    }

    @Test func mutatedZipsNeverCrashLvcImportNorWrite() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("publish")
        let mutants = box.root.deletingLastPathComponent().appendingPathComponent("mutants")
        try FileManager.default.createDirectory(at: mutants, withIntermediateDirectories: true)
        let seeds = try ImportFuzzTests.seeds.map { Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.zip($0)))) }
        var rng = SplitMix(seed: 0x1_2026_1127)
        var paths = [String]()
        for i in 0..<ImportFuzzTests.runs {
            let mutant = ImportFuzzTests.mutate(seeds[i % seeds.count], &rng)
            let path = mutants.appendingPathComponent("m\(i).zip").path
            try Data(mutant).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let before = try box.snapshot()
        let files = paths
        let statuses = StatusBox(count: files.count)
        // Two lanes: the machine has two cores, and each run is a process start.
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            for i in stride(from: lane, to: files.count, by: 2) {
                let output = try? box.run(Sandbox.binary, ["import", "--dry-run", files[i]])
                statuses.set(i, output.map { ($0.status, $0.stderr) } ?? (-1, "could not run lvc"))
            }
        }
        var accepted = 0
        for (i, result) in statuses.all.enumerated() {
            let (status, stderr) = result
            #expect(status == 0 || status == 1, "lvc import --dry-run \(paths[i]) ended with status \(status): \(stderr)")
            if status == 1 {  // warnings may come first
                let last = stderr.split(separator: "\n").last.map(String.init) ?? ""
                #expect(last.hasPrefix("lvc: error: cannot import "), "\(paths[i]): \(stderr)")
            }
            if status == 0 { accepted += 1 }
        }
        // Some mutants must survive (flipped data bits in stored padding, changed dates …), most not.
        #expect(accepted > 0 && accepted < paths.count / 2, "accepted \(accepted) of \(paths.count)")
        #expect(try box.snapshot() == before, "a dry run changed the function folder or its store")
    }
}

final class StatusBox: @unchecked Sendable {
    private var results: [(Int32, String)]
    private let lock = NSLock()
    init(count: Int) { results = Array(repeating: (-1, "not run"), count: count) }
    func set(_ i: Int, _ value: (Int32, String)) { lock.locked { results[i] = value } }
    var all: [(Int32, String)] { lock.locked { results } }
}
