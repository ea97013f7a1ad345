import Synchronization

/// One pack in `objects/pack`: `pack-<hex>.idx` and `pack-<hex>.pack`, each mapped on first use
/// and kept mapped while the pack is listed. Safe to use from several threads at once.
final class Pack: Sendable {
    /// `pack-<hex>`, the name without extension; `<hex>` is the pack's checksum, so a name
    /// always stands for the same bytes.
    let name: String
    let indexPath: String
    let dataPath: String
    private let loadedIndex = Mutex<PackIndex?>(nil)
    private let loadedData = Mutex<PackFile?>(nil)

    init(directory: String, name: String) {
        self.name = name
        indexPath = "\(directory)/\(name).idx"
        dataPath = "\(directory)/\(name).pack"
    }

    /// The index, mapped and checked on first use. Failures are not remembered: a later call
    /// tries again.
    func index() throws -> PackIndex {
        try loadedIndex.withLock { loaded in
            if let loaded { return loaded }
            let index = try PackIndex(file: MappedFile(path: indexPath))
            loaded = index
            return index
        }
    }

    /// The pack data, mapped on first use and checked against the index.
    func data() throws -> PackFile {
        let index = try index()
        return try loadedData.withLock { loaded in
            if let loaded { return loaded }
            let data = try PackFile(file: MappedFile(path: dataPath), index: index)
            loaded = data
            return data
        }
    }

    /// Where `id` starts in this pack, or nil if the pack does not hold it.
    func offset(of id: ObjectID) throws -> Int? {
        let index = try index()
        guard let position = index.position(of: id) else { return nil }
        return try index.offset(at: position)
    }
}
