import Testing
@testable import LVCStore

/// Updating a tree along the changed paths must give exactly the tree built from the new entries,
/// whatever the changes: files added, removed, changed, made executable, files turned into
/// folders and back, folders emptied, names that sort around "/" ("a.txt", "a-b", "a0").
@Suite struct TreeUpdateTests {
    struct Rng {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static let names = ["a", "a.txt", "a-b", "a0", "b", "lib", "x.js", "Z"].map { Array($0.utf8) }

    static func randomPath(_ rng: inout Rng) -> [UInt8] {
        var path = names[rng.next(names.count)]
        for _ in 0..<rng.next(3) { path += [UInt8(ascii: "/")] + names[rng.next(names.count)] }
        return path
    }

    /// Drops paths that clash with a folder of another path (a file "a" and a file "a/b").
    static func valid(_ files: [[UInt8]: (EntryMode, ObjectID)]) -> [[UInt8]: (EntryMode, ObjectID)] {
        var folders = Set<[UInt8]>()
        for path in files.keys {
            var prefix = [UInt8]()
            for component in path.split(separator: UInt8(ascii: "/")).dropLast() {
                prefix += (prefix.isEmpty ? [] : [UInt8(ascii: "/")]) + component
                folders.insert(prefix)
            }
        }
        return files.filter { path, _ in
            if folders.contains(path) { return false }
            var prefix = [UInt8]()
            for component in path.split(separator: UInt8(ascii: "/")).dropLast() {
                prefix += (prefix.isEmpty ? [] : [UInt8(ascii: "/")]) + component
                if files[prefix] != nil { return false }
            }
            return true
        }
    }

    @Test func updateEqualsRebuild() throws {
        var rng = Rng(state: 7)
        var store = [ObjectID: Tree]()
        let write: (Tree) -> ObjectID = { tree in
            let id = ObjectHasher.id(of: .tree, body: tree.encode())
            store[id] = tree
            return id
        }
        func build(_ files: [[UInt8]: (EntryMode, ObjectID)]) throws -> ObjectID? {
            guard !files.isEmpty else { return nil }
            let index = Index(entries: files.map { IndexEntry(path: $0.key, id: $0.value.1, mode: $0.value.0) })
            return try index.buildTree { write($0) }
        }
        let modes: [EntryMode] = [.file, .executable, .symlink]
        func blob(_ n: Int) -> ObjectID { ObjectHasher.id(of: .blob, body: Array("content \(n)".utf8)) }
        for round in 0..<300 {
            var old = [[UInt8]: (EntryMode, ObjectID)]()
            for _ in 0..<rng.next(25) { old[Self.randomPath(&rng)] = (modes[rng.next(3)], blob(rng.next(5))) }
            old = Self.valid(old)
            var new = old
            for _ in 0..<(1 + rng.next(6)) {
                switch rng.next(4) {
                case 0: if let key = new.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }).first { new[key] = nil }
                case 1: new[Self.randomPath(&rng)] = (modes[rng.next(3)], blob(rng.next(5)))
                case 2: if let key = new.keys.randomElement() { new[key] = (modes[rng.next(3)], new[key]!.1) }
                default: if let key = new.keys.randomElement() { new[key] = (new[key]!.0, blob(100 + round)) }
                }
            }
            new = Self.valid(new)
            var changes = [TreeUpdate.Change]()
            for path in Set(old.keys).union(new.keys).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let a = old[path], b = new[path]
                if a?.0 != b?.0 || a?.1 != b?.1 { changes.append(.init(path: path, entry: b.map { ($0.0, $0.1) })) }
            }
            let updated = try TreeUpdate.apply(try build(old), changes, read: { store[$0]! }, write: write)
            #expect(updated == (try build(new)), "round \(round): \(changes.map { String(decoding: $0.path, as: UTF8.self) })")
        }
    }
}
