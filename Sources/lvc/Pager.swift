import LVCKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Output that goes through a pager on a terminal, like git's: `LVC_PAGER`, then `PAGER`, then
/// `less -FRX` (quit if one screen, keep colours, leave the text on screen). Never in a pipe.
///
/// Lines are collected and sent out when `send()` is called (or 64 KiB have collected, or at
/// `flush()`), so that a long `lvc log` shows its first page while the rest is being computed. The
/// pager is started with the first text sent: a command that prints nothing never starts one.
final class PagedOutput {
    private var pending = [UInt8]()
    /// What the pager has been given: printed directly if it turns out it could not be run. Kept
    /// only until more than `proofOfReading` bytes have gone into the pipe: a pipe holds far less
    /// (64 KiB on Linux), so by then the pager has been reading, and a long `log` into `less` is
    /// not held in memory.
    private var shown: [UInt8]? = []
    static let proofOfReading = 1 << 20
    private var pager: (pipe: UnsafeMutablePointer<FILE>, command: String, chosen: Bool)?
    private var started = false
    /// False for output that git never pages either (`ls`): then lines are only batched.
    private let paging: Bool

    init(paging: Bool = true) {
        self.paging = paging
    }

    /// True once the pager has quit (q in less): nobody reads any more, so the caller may stop.
    private(set) var closed = false

    func line(_ s: String) {
        pending.append(contentsOf: s.utf8)
        pending.append(0x0A)
        if pending.count >= 1 << 16 { send() }
    }

    /// A line of bytes as they are: file contents in a patch need not be UTF-8.
    func line(_ parts: [UInt8]...) {
        for part in parts { pending.append(contentsOf: part) }
        pending.append(0x0A)
        if pending.count >= 1 << 16 { send() }
    }

    /// Sends out what has been collected.
    func send() {
        guard !pending.isEmpty else { return }
        defer { pending.removeAll(keepingCapacity: true) }
        if closed { return }
        if !started { start() }
        guard let pager else {
            Terminal.writeAll(1, pending)
            return
        }
        if shown != nil {
            if shown!.count + pending.count > PagedOutput.proofOfReading { shown = nil } else { shown!.append(contentsOf: pending) }
        }
        let written = pending.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, pager.pipe) }
        if written < pending.count || fflush(pager.pipe) != 0 {
            // The pager stopped reading: it was quit (q in less), or it never ran, and then the
            // text goes on to the terminal.
            if !endPager() { closed = true }
        }
    }

    func flush() {
        send()
        endPager()
    }

    /// Waits for the pager to end. If the shell could not find or run it (exit 127 or 126), what
    /// it was given was not shown: that is printed directly, as git does when its pager cannot
    /// start, and true is returned (later text goes to the terminal). Only a pager someone chose
    /// is worth a warning (the default was looked up first).
    @discardableResult
    private func endPager() -> Bool {
        guard let pager else { return false }
        self.pager = nil
        let status = pclose(pager.pipe)
        guard status != -1, (status & 0x7f) == 0, [126, 127].contains((status >> 8) & 0xff) else { return false }
        if pager.chosen { Terminal.err("warning: the pager '\(pager.command)' could not be run; printing directly") }
        Terminal.writeAll(1, shown ?? [])
        shown = []
        return true
    }

    private func start() {
        started = true
        guard paging, Terminal.stdoutIsTTY, let (command, chosen) = PagedOutput.pager() else { return }
        if getenv("LESS") == nil { setenv("LESS", "FRX", 1) }
        // A pager that quits early (q in less) closes the pipe: that is not an error, and must
        // not kill lvc with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        guard let pipe = popen(command, "w") else { return }
        pager = (pipe, command, chosen)
    }

    /// The pager command, and whether it was chosen (LVC_PAGER or PAGER) rather than the default.
    static func pager() -> (command: String, chosen: Bool)? {
        for name in ["LVC_PAGER", "PAGER"] {
            if let value = getenv(name).map({ String(cString: $0) }) {
                return value.isEmpty || value == "cat" ? nil : (value, true)
            }
        }
        // The default only where less is installed: a slim container without it gets the text,
        // not the shell's "less: not found".
        return isInPath("less") ? ("less -FRX", false) : nil
    }

    static func isInPath(_ program: String) -> Bool {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }
}
