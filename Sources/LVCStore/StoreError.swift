/// Everything that can go wrong in the store layer, with enough context for an actionable message.
public enum StoreError: Error, Equatable, Sendable {
    /// Another process holds `lockPath` (a `.lock` file created with O_EXCL).
    case locked(lockPath: String)
    /// An object that should be in the store is not.
    case missingObject(ObjectID)
    /// An object's bytes do not hash to its name, or cannot be parsed.
    case corruptObject(ObjectID, reason: String)
    /// An object had a different kind from the one expected.
    case wrongKind(ObjectID, expected: ObjectKind, actual: ObjectKind)
    /// A ref changed between reading it and updating it (compare-and-swap failed).
    case refChanged(name: String)
    /// A ref that must not exist yet does.
    case refExists(name: String)
    /// A malformed file in the store (index, packed-refs, pack, config).
    case corruptFile(path: String, reason: String)
    /// A system call failed.
    case io(path: String, operation: String, errno: Int32)
    /// The folder is not a store, or not one lvc can read.
    case notAStore(path: String, reason: String)
}

extension StoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .locked(let path):
            return "\(path) exists: another lvc is running; if none is, remove it"
        case .missingObject(let id):
            return "object \(id) is missing from the store"
        case .corruptObject(let id, let reason):
            return "object \(id) is corrupt: \(reason)"
        case .wrongKind(let id, let expected, let actual):
            return "object \(id) is a \(actual.rawValue), not a \(expected.rawValue)"
        case .refChanged(let name):
            return "\(name) was changed by another process while lvc was updating it"
        case .refExists(let name):
            return "\(name) already exists"
        case .corruptFile(let path, let reason):
            return "\(path) is corrupt: \(reason)"
        case .io(let path, let operation, let code):
            return "could not \(operation) \(path): \(String(cString: strerror(code)))"
        case .notAStore(let path, let reason):
            return "\(path) is not an lvc store: \(reason)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
