import LVCKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Output that goes through a pager on a terminal, like git's: `LVC_PAGER`, then `PAGER`, then
/// `less -FRX` (quit if one screen, keep colours, leave the text on screen). Never in a pipe.
final class PagedOutput {
    private var text = ""

    func line(_ s: String) { text += s + "\n" }

    func flush() {
        guard Terminal.stdoutIsTTY, let (command, chosen) = PagedOutput.pager(), !text.isEmpty else {
            Terminal.writeAll(1, Array(text.utf8))
            return
        }
        if getenv("LESS") == nil { setenv("LESS", "FRX", 1) }
        let bytes = Array(text.utf8)
        guard let pipe = popen(command, "w") else {
            Terminal.writeAll(1, bytes)
            return
        }
        // A pager that quits early (q in less) closes the pipe: that is not an error, and must
        // not kill lvc with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, pipe) }
        let status = pclose(pipe)
        // The shell could not find or run the pager (exit 127 or 126): the text was not shown,
        // and it is all still here, so print it directly, as git does when its pager cannot start.
        // Only a pager someone chose is worth a warning (the default was looked up first).
        if status != -1, (status & 0x7f) == 0, [126, 127].contains((status >> 8) & 0xff) {
            if chosen { Terminal.err("warning: the pager '\(command)' could not be run; printing directly") }
            Terminal.writeAll(1, bytes)
        }
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
