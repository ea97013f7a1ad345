import ArgumentParser
import LVCKit
import LVCStore

struct Ls: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the files of $LATEST or of a version: mode, size, path.")

    @Argument(help: "$LATEST (also LATEST), a version number or an alias.") var qualifier: String
    @Argument(help: "Only this file or folder (relative to where lvc runs, as for add and diff).") var path: String?
    @Flag(help: "Machine-readable output.") var json = false

    func run() throws {
        let repository = try Terminal.openRepository()
        let parsed = try repository.qualifier(qualifier)
        let scope = try path.map { try repository.relativePaths([$0], cwd: Terminal.currentDirectory)[0] }
        let files = try repository.listFiles(parsed, under: scope.map { String(decoding: $0, as: UTF8.self) })
        if json {
            Terminal.out(JSON.array(files.map { f in
                .object(["Path": .string(String(decoding: f.path, as: UTF8.self)), "Mode": .string(String(f.mode.rawValue, radix: 8)),
                         "Size": .int(f.size), "ObjectId": .string(f.id.hex)])
            }).encoded())
            return
        }
        // Names quoted as `git ls-tree` quotes them (core.quotePath), so that one line is one file
        // whatever its name holds; --json gives them as they are. Lines are written in batches
        // (20,000 files), and never through a pager, as `git ls-tree` does.
        let out = PagedOutput(paging: false)
        for file in files {
            let size = String(file.size)
            out.line(String(file.mode.rawValue, radix: 8) + " " + String(repeating: " ", count: max(0, 10 - size.count)) + size + "  "
                     + DiffRenderer.quoted("", file.path))
        }
        out.flush()
    }
}
