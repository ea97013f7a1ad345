/// The objects a `PackWriter` has written, in pack order, with an open-addressing table over their
/// ids that answers "written already?". A slot is 4 bytes (the entry's position) where a
/// `Set<ObjectID>` beside the list took 32 for a copy of the id: for the 20,000 objects of a fresh
/// `lvc add` of the small benchmark tree, 128 KB instead of 1 MB, held through the whole add.
struct PackEntries {
    struct Entry {
        var id: ObjectID
        var offset: Int
        var crc: UInt32
    }

    /// In the order written.
    private(set) var list: [Entry] = []
    /// Position in `list` plus one, 0 for an empty slot; a power of two long, at most 3/4 full.
    private var slots: [UInt32]

    init(expectedCount: Int = 0) {
        list.reserveCapacity(expectedCount)
        slots = [UInt32](repeating: 0, count: Self.slotCount(for: expectedCount))
    }

    var count: Int { list.count }
    var isEmpty: Bool { list.isEmpty }

    func contains(_ id: ObjectID) -> Bool { slot(of: id).found }

    /// Adds `entry` unless an entry with its id is there; returns whether it was added.
    mutating func insert(_ entry: Entry) -> Bool {
        let (slot, found) = slot(of: entry.id)
        if found { return false }
        precondition(list.count < Int(UInt32.max), "a pack holds fewer than 2^32 objects")
        list.append(entry)
        slots[slot] = UInt32(list.count)
        if list.count > slots.count / 4 * 3 { rehash(slotCount: slots.count * 2) }
        return true
    }

    /// Positions in `list` in the order of their entries' ids, the idx's order. Sorting these 4-byte
    /// positions, not the 48-byte entries, keeps the merge buffer of Swift's (stable) sort small:
    /// for the entries themselves it took up to a megabyte, at the very end of a fresh `add`, when
    /// its memory peaks.
    func positionsByID() -> [UInt32] {
        var positions = Array(0..<UInt32(list.count))
        list.withUnsafeBufferPointer { list in
            positions.sort { list[Int($0)].id < list[Int($1)].id }
        }
        return positions
    }

    private static func slotCount(for count: Int) -> Int {
        var slots = 16
        while count > slots / 4 * 3 { slots <<= 1 }
        return slots
    }

    // Ids are SHA-256 digests: any 8 of their bytes are already a uniform hash.
    private static func home(of id: ObjectID, mask: Int) -> Int { Int(truncatingIfNeeded: id.w0) & mask }

    /// The slot holding `id`'s position, or the empty slot where it would go.
    private func slot(of id: ObjectID) -> (slot: Int, found: Bool) {
        let mask = slots.count - 1
        var slot = Self.home(of: id, mask: mask)
        while true {
            let position = slots[slot]
            if position == 0 { return (slot, false) }
            if list[Int(position) - 1].id == id { return (slot, true) }
            slot = (slot + 1) & mask
        }
    }

    private mutating func rehash(slotCount: Int) {
        var table = [UInt32](repeating: 0, count: slotCount)
        let mask = slotCount - 1
        for (position, entry) in list.enumerated() {
            var slot = Self.home(of: entry.id, mask: mask)
            while table[slot] != 0 { slot = (slot + 1) & mask }
            table[slot] = UInt32(position + 1)
        }
        slots = table
    }
}
