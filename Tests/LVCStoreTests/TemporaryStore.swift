import Foundation
@testable import LVCStore

/// An empty object store in a new temporary folder (with `objects/pack/` and a `tmp/`), and the
/// folder, which the test removes.
func temporaryStore() throws -> (ObjectStore, String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-unit-\(UUID().uuidString)").path
    try FileSystem.makeDirectories(dir + "/objects/pack")
    try FileSystem.makeDirectories(dir + "/tmp")
    return (ObjectStore(objectsDirectory: dir + "/objects", temporaryDirectory: dir + "/tmp"), dir)
}
