import Foundation
import Testing

/// `lvc site`, opened in a real browser (headless Chromium): the DOM must show the versions, the
/// aliases and the diff lines, and file names must be escaped.
@Suite struct SiteTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func dom(_ box: Sandbox, _ page: String) throws -> String {
        let browser = try #require(SiteTests.chromium, "Chromium is needed (.ci/run installs Debian's chromium)")
        let out = try box.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + page])
        #expect(out.status == 0, "\(out.stderr)")
        return out.stdout
    }

    func history() throws -> Sandbox {
        let box = try Sandbox()
        try box.write("index.js", "line 1\nline 2\nline 3\n")
        try box.write("<script>.js", "<script>alert(1)</script>\n")
        try box.lvc("init", "--runtime", "nodejs20.x", "--handler", "index.handler")
        try box.lvc("add")
        try box.lvc("publish", "-d", "first")
        try box.lvc("alias", "create", "PROD", "1")
        try box.lvc("trigger", "add", "PROD", "--source", "arn:aws:s3:::uploads")
        try box.write("index.js", "line 1\nline two\nline 3\n")
        try box.lvc("add")
        try box.lvc("publish", "-d", "second")
        try box.lvc("alias", "update", "PROD", "--version", "2", "--weight", "1=0.1")
        try box.lvc("alias", "create", "STG", "2")
        return box
    }

    @Test func siteOpensInABrowser() throws {
        let box = try history()
        let site = box.root.deletingLastPathComponent().appendingPathComponent("site").path
        let out = try box.lvc("site", "-o", site)
        #expect(out.stdout == site + "/index.html\n")

        let overview = try dom(box, site + "/index.html")
        #expect(overview.contains("version 1") && overview.contains("version 2"))
        #expect(overview.contains(">PROD<") && overview.contains(">STG<"))
        #expect(overview.contains("2 (10% on 1)"))
        #expect(overview.contains("arn:aws:s3:::uploads"))
        #expect(overview.contains("<svg"), "the timeline picture")

        let version = try dom(box, site + "/v/2.html")
        #expect(version.contains("Changes since"))
        #expect(version.contains("-line 2"))
        #expect(version.contains("+line two"))
        #expect(version.contains(">PROD<"), "aliases that have pointed at it")

        let alias = try dom(box, site + "/a/PROD.html")
        #expect(alias.contains("create") && alias.contains("update"))

        // Names and contents are text, never markup.
        let tree = try String(contentsOfFile: site + "/v/1.html", encoding: .utf8)
        let treeLink = try #require(tree.range(of: "t/[0-9a-f]{64}\\.html", options: .regularExpression).map { String(tree[$0]) })
        let files = try dom(box, site + "/" + treeLink.replacingOccurrences(of: "../", with: ""))
        #expect(files.contains("&lt;script&gt;.js"))
        let blobLink = try #require(files.range(of: "b/[0-9a-f]{64}\\.html\">&lt;script", options: .regularExpression)
            .map { String(files[$0].prefix(71)) })
        let blob = try dom(box, site + "/" + blobLink)
        #expect(blob.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!blob.contains("<script>"), "no script element made it into the page")

        // A screenshot of the overview (the README shows one made the same way).
        let shot = FileManager.default.temporaryDirectory.appendingPathComponent("lvc-site-\(UUID().uuidString).png").path
        let browser = try #require(SiteTests.chromium)
        _ = try box.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--screenshot=\(shot)", "--window-size=1200,900",
                                  "file://" + site + "/index.html"])
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        try? FileManager.default.removeItem(atPath: shot)

        // Regenerating reuses the folder and writes only pages whose text changed; a folder that
        // is not an lvc site is refused.
        let overviewTime = try FileManager.default.attributesOfItem(atPath: site + "/index.html")[.modificationDate] as? Date
        #expect(try box.lvc("site", "-o", site).stderr.contains("(0 page(s) written, the others up to date)"))
        #expect(try FileManager.default.attributesOfItem(atPath: site + "/index.html")[.modificationDate] as? Date == overviewTime)
        let prodPage = try String(contentsOfFile: site + "/a/PROD.html", encoding: .utf8)
        try box.lvc("alias", "update", "PROD", "--no-weight")
        let moved = try box.lvc("site", "-o", site).stderr
        #expect(moved.contains("page(s) written") && !moved.contains("(0 page(s)"), "\(moved)")
        #expect(try String(contentsOfFile: site + "/a/PROD.html", encoding: .utf8) != prodPage)
        let other = box.root.deletingLastPathComponent().appendingPathComponent("mine").path
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: other + "/notes.txt"))
        let refused = try box.lvcFails("site", "-o", other)
        #expect(refused.stderr.contains("is not an lvc site"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: other) == ["notes.txt"])
    }

    @Test func defaultFolderIsInsideTheStore() throws {
        let box = try history()
        let out = try box.lvc("site")
        #expect(out.stdout == box.path + "/.lambda/site/index.html\n")
        try box.lvc("add")
        #expect(!(try box.lvc("ls", "LATEST").stdout.contains("site")))
        try box.expectGitFsckClean()
    }
}
