import ArgumentParser
import LVCKit
import LVCStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Site: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Write a static HTML site of the function's whole history (works from file://, no network).",
        discussion: "Default folder: .lambda/site/ (inside the store, never staged). An existing folder is only replaced if an earlier 'lvc site' wrote it.")

    @Option(name: .shortAndLong, help: "The folder to write.") var output: String?
    @Flag(help: "Open the overview in a browser (xdg-open) when done.") var open = false

    func run() throws {
        let repository = try Terminal.openRepository()
        let target = output.map { $0.hasPrefix("/") ? $0 : Terminal.currentDirectory + "/" + $0 } ?? repository.gitDirectory + "/site"
        // Refuse to overwrite a folder that is not an lvc site.
        if FileSystem.isDirectory(target) {
            let names = (try? FileSystem.listDirectory(target)) ?? []
            if !names.isEmpty && !names.contains(SiteWriter.marker) {
                throw CLIError(description: "\(target) exists and is not an lvc site (no \(SiteWriter.marker) in it); choose another folder with -o")
            }
        } else if FileSystem.exists(target) {
            throw CLIError(description: "\(target) exists and is not a folder")
        }
        let pages = try SiteWriter(repository: repository, directory: target).write()
        Terminal.err("wrote \(target)/index.html (\(pages) page(s) written, the others up to date)")
        Terminal.out(target + "/index.html")
        if open { Site.openInBrowser(target + "/index.html") }
    }

    /// Starts xdg-open with the path as one argument (no shell: nothing in the path is interpreted).
    static func openInBrowser(_ path: String) {
        var pid = pid_t()
        let args = ["xdg-open", path]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        posix_spawnp(&pid, "xdg-open", nil, nil, &argv, environ)
    }
}
