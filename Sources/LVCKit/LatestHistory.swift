import LVCStore

/// `refs/lvc/latest`: the states `$LATEST` has been in, as a chain of commits (Format.md §11.1,
/// decision 0018). Each command that changes `$LATEST`'s trees adds a commit whose tree is the
/// new root tree and whose parent is the previous state, so that no tree lvc wrote is dangling to
/// git (`git fsck --strict` prints nothing, `git gc` keeps them) and a state a forced checkout or
/// an import replaced can be found again (`git --git-dir=.lambda log refs/lvc/latest`) until
/// `lvc gc`, which keeps only what lvc needs.
extension Repository {
    static let latestRef = "refs/lvc/latest"

    /// Adds `$LATEST`'s current root tree to the chain, unless the chain already ends with it.
    /// Called once the index is committed; a failure here (a stale lock) leaves `$LATEST` as it
    /// is, and the next command that takes `$LATEST`'s lock records the state.
    func recordLatestState(tree: ObjectID?, action: String) throws {
        guard let tree else { return }
        let head = try refs.resolve(Repository.latestRef)
        let headCommit = head.flatMap { try? objects.readCommit($0) }
        if headCommit?.tree == tree { return }
        let lock = try refs.lock(Repository.latestRef)
        defer { lock.release() }
        // An unreadable head (damaged, or pruned by hand) is not continued: a chain must not
        // name a missing parent.
        var parents = [ObjectID]()
        if let head, headCommit != nil { parents = [head] }
        let signature = identity.signature()
        let commit = try objects.write(Commit(tree: tree, parents: parents, author: signature, committer: signature,
                                              message: "lvc: \(action)\n"))
        // Not fsynced: losing this update in a power cut loses no data (the state is in the
        // index), it only leaves the tree dangling for git until the next command records it.
        try lock.update(to: commit, expecting: head.map { .value($0) } ?? .absent, durable: false)
    }

    /// The trees `lvc gc` keeps for `$LATEST`: the tree each version was published from when it
    /// differs from the version's own (`publish -d`), oldest first, then the current one.
    func latestTreesToKeep(versions: [PublishedVersion], current: ObjectID?) -> [(tree: ObjectID, message: String)] {
        var kept = [(tree: ObjectID, message: String)]()
        for version in versions.sorted(by: { $0.number < $1.number }) {
            guard let from = version.publishedFrom, from != version.tree, objects.contains(from),
                  !kept.contains(where: { $0.tree == from }) else { continue }
            kept.append((from, "lvc: $LATEST as version \(version.number) was published from it\n"))
        }
        if let current, objects.contains(current), kept.last?.tree != current {
            kept.append((current, "lvc: $LATEST (earlier states let go by gc)\n"))
        }
        return kept
    }

    /// The chain as it is, split where `git gc` packed it.
    struct LatestHistory {
        /// What `refs/lvc/latest` points at.
        var head: ObjectID?
        /// The loose commits from the head down, newest first.
        var loose: [(id: ObjectID, commit: Commit)] = []
        /// The newest commit that is in a pack. lvc never removes packed objects, so `gc` keeps
        /// it (and what it reaches) in the chain rather than leave it dangling.
        var packed: ObjectID?

        /// The loose commits when they hold exactly the trees `kept`, in order, on top of the
        /// packed part (as `gc` leaves the chain); nil when they hold more, or others.
        func commits(holdingExactly kept: [(tree: ObjectID, message: String)]) -> Set<ObjectID>? {
            let chain = loose.reversed()
            guard chain.count == kept.count, zip(chain, kept).allSatisfy({ $0.commit.tree == $1.tree }) else { return nil }
            return Set(chain.map(\.id))
        }
    }

    /// Reads the chain from its head down to its packed part (or its start).
    func latestHistory() throws -> LatestHistory {
        var history = LatestHistory(head: try refs.resolve(Repository.latestRef))
        var cursor = history.head
        var seen = Set<ObjectID>()
        while let id = cursor, seen.insert(id).inserted {
            guard objects.loose.contains(id) else {
                if objects.packs.contains(id) { history.packed = id }
                break
            }
            guard let commit = try? objects.readCommit(id) else { break }
            history.loose.append((id, commit))
            cursor = commit.parents.first
        }
        return history
    }

    /// Rewrites `refs/lvc/latest` (read as `history`) to a new chain of only `kept` on top of its
    /// packed part, unless the chain is exactly that already. Returns the loose commits of the
    /// chain now in place (which `gc` must not remove).
    func rewriteLatestHistory(_ history: LatestHistory, keeping kept: [(tree: ObjectID, message: String)]) throws -> Set<ObjectID> {
        if let chain = history.commits(holdingExactly: kept) { return chain }
        let lock = try refs.lock(Repository.latestRef)
        defer { lock.release() }
        let signature = identity.signature()
        var chain = Set<ObjectID>()
        var parent = history.packed
        for state in kept {
            let id = try objects.write(Commit(tree: state.tree, parents: parent.map { [$0] } ?? [], author: signature,
                                              committer: signature, message: state.message))
            chain.insert(id)
            parent = id
        }
        let expected: Refs.Expectation = history.head.map { .value($0) } ?? .absent
        if let parent {
            try lock.update(to: parent, expecting: expected)
        } else {
            try lock.delete(expecting: expected)
        }
        return chain
    }
}
