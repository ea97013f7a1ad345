import LVCKit
import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything about the terminal: where output goes, colour, progress, exit status.
enum Terminal {
    static var stdoutIsTTY: Bool { isatty(1) == 1 }
    static var stderrIsTTY: Bool { isatty(2) == 1 }

    /// The width output is fitted to, as git takes it: `COLUMNS` when it is a positive number,
    /// else the terminal's width when standard output is one, else 80.
    static var columns: Int {
        if let value = getenv("COLUMNS"), let n = Int(String(cString: value)), n > 0 { return n }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// Colour only on a terminal, never with NO_COLOR set (https://no-color.org), never for TERM=dumb.
    static var colorEnabled: Bool {
        guard stdoutIsTTY else { return false }
        if let noColor = getenv("NO_COLOR"), noColor.pointee != 0 { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return true
    }

    enum Color: String { case red = "31", green = "32", yellow = "33", bold = "1", dim = "2" }

    static func paint(_ text: String, _ color: Color) -> String {
        colorEnabled ? "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m" : text
    }

    static func out(_ text: String) {
        var line = text
        line += "\n"
        writeAll(1, Array(line.utf8))
    }

    static func err(_ text: String) {
        writeAll(2, Array((text + "\n").utf8))
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }

    static func fail(_ error: Error) -> Never {
        err("lvc: error: \(error)")
        exit((error as? CLIError)?.code ?? 1)
    }

    /// Handles leading `-C DIR` options (git's) by changing directory before parsing.
    static func applyDirectoryOptions(_ arguments: inout [String]) throws {
        while arguments.first == "-C" {
            guard arguments.count >= 2 else { throw CLIError(description: "-C needs a directory", code: 64) }
            let dir = arguments[1]
            guard chdir(dir) == 0 else {
                throw CLIError(description: "cannot change to '\(dir)': \(String(cString: strerror(errno)))", code: 128)
            }
            arguments.removeFirst(2)
        }
    }

    static var currentDirectory: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return FileSystem.string(fromCBuffer: buffer)
    }

    /// The identity recorded in version commits: LVC_AUTHOR_NAME / LVC_AUTHOR_EMAIL, else the
    /// login name; LVC_DATE (seconds since the epoch) fixes the clock for reproducible runs.
    static var identity: Identity {
        func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } }
        let user = env("LVC_AUTHOR_NAME") ?? env("USER") ?? "lvc"
        let email = env("LVC_AUTHOR_EMAIL") ?? "\(env("USER") ?? "lvc")@localhost"
        let fixed = env("LVC_DATE").flatMap { Int64($0.hasPrefix("@") ? String($0.dropFirst()) : $0) }
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return Identity(name: user, email: email, fixedTime: fixed, offsetMinutes: fixed == nil ? Int(parts.tm_gmtoff / 60) : 0)
    }

    /// A path given on the command line, made absolute against the current folder (after `-C`).
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : currentDirectory + "/" + path
    }

    static func openRepository() throws -> Repository {
        try Repository.discover(from: currentDirectory, identity: identity)
    }

    /// A progress line on stderr, only when stderr is a terminal (never in a pipe or a log).
    static func progress(_ label: String) -> ProgressHandler? {
        guard stderrIsTTY else { return nil }
        let state = ProgressState()
        return { done, total in
            guard total >= 200 else { return }
            let percent = done * 100 / max(total, 1)
            guard state.shouldDraw(percent: percent, done: done == total) else { return }
            let end = done == total ? "\n" : ""
            writeAll(2, Array("\r\(label): \(percent)% (\(done)/\(total))\(end)".utf8))
        }
    }
}

/// Redraws at most once per percent, from any thread.
final class ProgressState: @unchecked Sendable {
    private var last = -1
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func shouldDraw(percent: Int, done: Bool) -> Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if percent == last && !done { return false }
        last = percent
        return true
    }
}
