import LVCStore

/// Who is acting and when: recorded in every version commit. The CLI fills it from the
/// environment (`LVC_AUTHOR_NAME`, `LVC_AUTHOR_EMAIL`, `LVC_DATE` for reproducible runs).
public struct Identity: Sendable {
    public var name: String
    public var email: String
    /// Fixed time in seconds since the epoch, or nil for the clock.
    public var fixedTime: Int64?
    public var offsetMinutes: Int

    public init(name: String = "lvc", email: String = "lvc@localhost", fixedTime: Int64? = nil, offsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.fixedTime = fixedTime
        self.offsetMinutes = offsetMinutes
    }

    public func now() -> Int64 {
        if let fixedTime { return fixedTime }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }

    func signature() -> Signature {
        Signature(name: name, email: email, time: now(), offsetMinutes: offsetMinutes)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
