/// A small least-recently-used cache of resolved pack entries that served as delta bases.
///
/// Versions of one file are usually stored as deltas against one base; keeping the rebuilt base
/// lets reading them all inflate it once. Bounded by entry count and total bytes.
struct DeltaBaseCache: Sendable {
    /// A pack entry: pack names are checksums, so a key always stands for the same object.
    struct Key: Hashable, Sendable {
        var pack: String
        var offset: Int
    }

    private var entries: [Key: (object: RawObject, lastUse: UInt64)] = [:]
    private var clock: UInt64 = 0
    private var totalBytes = 0
    let maxEntries: Int
    let maxBytes: Int

    init(maxEntries: Int = 256, maxBytes: Int = 32 << 20) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    mutating func object(for key: Key) -> RawObject? {
        guard let entry = entries[key] else { return nil }
        clock += 1
        entries[key] = (entry.object, clock)
        return entry.object
    }

    mutating func insert(_ object: RawObject, for key: Key) {
        let size = object.body.count
        guard size <= maxBytes / 4, entries[key] == nil else { return }
        while !entries.isEmpty && (entries.count >= maxEntries || totalBytes + size > maxBytes) {
            let oldest = entries.min { $0.value.lastUse < $1.value.lastUse }!.key
            totalBytes -= entries.removeValue(forKey: oldest)!.object.body.count
        }
        clock += 1
        entries[key] = (object, clock)
        totalBytes += size
    }
}
