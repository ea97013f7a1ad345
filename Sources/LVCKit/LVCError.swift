import LVCStore

/// Every failure of an lvc operation, worded for the person at the terminal. AWS's own errors
/// carry AWS's exception name and message text so that scripts and habits carry over.
public enum LVCError: Error, Sendable, Equatable {
    /// AWS `ValidationException`: a value breaks a model constraint (range, pattern, enum).
    case validation(String)
    /// AWS `InvalidParameterValueException`.
    case invalidParameter(String)
    /// AWS `ResourceNotFoundException`, e.g. "Function not found: arn:…:7".
    case notFound(String)
    /// AWS `ResourceConflictException`.
    case conflict(String)
    /// AWS `PreconditionFailedException` (RevisionId mismatch).
    case preconditionFailed(String)
    /// No `.lambda` in this folder or above it.
    case notAStore(searchedFrom: String)
    case alreadyInitialized(path: String)
    /// Another lvc holds a lock; `action` is what we were trying to do.
    case locked(action: String, lockPath: String)
    /// A path given by the user, or found in a store or archive, that lvc refuses.
    case badPath(String, reason: String)
    /// A deployment package (zip) that `import` refuses: `entry` names the entry at fault, if one is.
    case badPackage(file: String, entry: String?, reason: String)
    /// `checkout` would overwrite changes that are not staged.
    case wouldOverwrite(paths: [String])
    /// The store is damaged or unreadable.
    case store(action: String, StoreError)
    /// Anything else the user asked for that cannot be done, with the reason.
    case refused(String)
    /// `publish` created version `version` (its ref exists: the commit point), then failed to
    /// finish: moving `refs/heads/main` or recording `$LATEST`'s new RevisionId.
    indirect case publishedIncomplete(version: Int, LVCError)
}

extension LVCError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .validation(let m): return "ValidationException: \(m)"
        case .invalidParameter(let m): return "InvalidParameterValueException: \(m)"
        case .notFound(let m): return "ResourceNotFoundException: \(m)"
        case .conflict(let m): return "ResourceConflictException: \(m)"
        case .preconditionFailed(let m): return "PreconditionFailedException: \(m)"
        case .notAStore(let from):
            return "not an lvc function folder (nor is any parent of \(from)): no .lambda found; run 'lvc init' to start one"
        case .alreadyInitialized(let path):
            return "\(path) already exists: this folder is already an lvc function; nothing was changed"
        case .locked(let action, let lockPath):
            let what = lockPath.hasSuffix("/index.lock") ? "$LATEST is locked"
                : lockPath.hasSuffix("/refs/lvc/state.lock") ? "the aliases and triggers are locked" : "a file of the store is locked"
            return "could not \(action): \(what) by another lvc (\(lockPath)); if no lvc is running, remove it"
        case .badPath(let path, let reason): return "refusing '\(path)': \(reason)"
        case .badPackage(let file, let entry, let reason):
            return entry.map { "cannot import \(file): entry '\($0)' \(reason)" } ?? "cannot import \(file): \(reason)"
        case .wouldOverwrite(let paths):
            let list = paths.prefix(10).map { "\t\($0)" }.joined(separator: "\n")
            let more = paths.count > 10 ? "\n\t… and \(paths.count - 10) more" : ""
            return "your changes to these files are not staged and would be overwritten:\n\(list)\(more)\nstage them with 'lvc add', or use --force to discard them"
        case .store(let action, let error):
            return "could not \(action): \(error)"
        case .refused(let m): return m
        case .publishedIncomplete(let version, let error):
            return "version \(version) was published, but publish did not finish: \(error)\nthe version is complete; run 'lvc publish' again to finish (it makes no new version)"
        }
    }
}

extension LVCError {
    /// Runs a store operation, turning store errors into kit errors that say what we were doing.
    /// `action` is only built when there is an error: many call sites name a path or a version,
    /// and some run once per file.
    static func wrap<T>(_ action: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            if case .locked(let lockPath) = error { throw LVCError.locked(action: action(), lockPath: lockPath) }
            throw LVCError.store(action: action(), error)
        }
    }
}
