import Foundation
import Testing
@testable import LVCStore

/// `StoreLayout.readConfig`: the part of git's config syntax lvc reads.
@Suite struct ConfigFileTests {
    func read(_ text: String) throws -> [String: String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-unit-\(UUID().uuidString)").path
        try FileSystem.makeDirectories(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/config"))
        return try StoreLayout.readConfig(gitDirectory: dir)
    }

    @Test func sectionsKeysAndValuesAsGitReadsThem() throws {
        let config = try read("""
            # comment
            [core]
            \tbare = true
            [extensions]
            \tobjectFormat = sha256
            [LVC]
            ; another comment
            \tfunctionName = orders
            \tempty =
            \tflag
            \tspaced   =   a = b

            """)
        #expect(config["core.bare"] == "true")
        #expect(config["extensions.objectformat"] == "sha256")
        #expect(config["lvc.functionname"] == "orders")
        #expect(config["lvc.empty"] == "")
        #expect(config["lvc.flag"] == "true")
        #expect(config["lvc.spaced"] == "a = b")
    }

    @Test func aLineWithoutAKeyIsRefused() throws {
        for stray in ["=", "  = value"] {
            #expect(throws: StoreError.self) { try read("[extensions]\n\tobjectformat = sha256\n\(stray)\n") }
        }
    }
}
