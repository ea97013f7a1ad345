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
        guard Terminal.stdoutIsTTY, let command = PagedOutput.pagerCommand(), !text.isEmpty else {
            Terminal.writeAll(1, Array(text.utf8))
            return
        }
        if getenv("LESS") == nil { setenv("LESS", "FRX", 1) }
        guard let pipe = popen(command, "w") else {
            Terminal.writeAll(1, Array(text.utf8))
            return
        }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, pipe) }
        pclose(pipe)
    }

    static func pagerCommand() -> String? {
        for name in ["LVC_PAGER", "PAGER"] {
            if let value = getenv(name).map({ String(cString: $0) }) {
                return value.isEmpty || value == "cat" ? nil : value
            }
        }
        return "less -FRX"
    }
}
