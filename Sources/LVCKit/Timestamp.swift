#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// AWS's `LastModified` format, `2020-04-10T19:06:32.000+0000`, from whole seconds (UTC).
enum Timestamp {
    static func aws(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).000+0000"
    }
}

extension Repository {
    /// AWS's `LastModified` text for a time in seconds.
    public static func awsTimestamp(_ seconds: Int64) -> String { Timestamp.aws(seconds) }
}
