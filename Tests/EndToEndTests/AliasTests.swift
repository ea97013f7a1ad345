import Foundation
import Testing

/// The seed workflow: triggers on an alias, publish, move, weighted canary, rollbacks, promote, prune.
@Suite struct AliasTests {
    func publishedThree() throws -> Sandbox {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init", "--runtime", "nodejs20.x", "--handler", "index.handler")
        try box.lvc("add")
        try box.lvc("publish", "-d", "one")
        return box
    }

    func publishNext(_ box: Sandbox, _ content: String) throws {
        try box.write("index.js", content)
        try box.lvc("add")
        try box.lvc("publish")
    }

    /// `alias list --json` as name -> (FunctionVersion, weights, triggers).
    func aliases(_ box: Sandbox) throws -> [String: String] {
        let list = try box.json(try box.lvc("alias", "list", "--json"))
        var result = [String: String]()
        for item in try #require(list["Aliases"] as? [[String: Any]]) {
            var text = item["FunctionVersion"] as? String ?? "?"
            if let routing = item["RoutingConfig"] as? [String: Any], let weights = routing["AdditionalVersionWeights"] as? [String: Double] {
                text += " " + weights.map { "\($0.key)=\($0.value)" }.joined()
            }
            let triggers = item["Triggers"] as? [String] ?? []
            if !triggers.isEmpty { text += " [" + triggers.joined(separator: ",") + "]" }
            result[item["Name"] as! String] = text
        }
        return result
    }

    func history(_ box: Sandbox, _ name: String) throws -> [String] {
        let data = try box.lvc("alias", "history", name, "--json").stdoutBytes
        let events = try #require(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return events.map { e in
            "\(e["Action"] as? String ?? "") \(e["From"] as? String ?? "-")→\(e["To"] as? String ?? "-")" + ((e["Routing"] as? String).map { " \($0)" } ?? "")
        }
    }

    @Test func seedWorkflow() throws {
        let box = try publishedThree()
        try box.lvc("alias", "create", "PROD", "1", "-d", "production")
        let triggerID = try box.lvc("trigger", "add", "PROD", "--source", "arn:aws:s3:::uploads").stdout
        #expect(triggerID == "s3-1\n")
        #expect(try aliases(box) == ["PROD": "1 [arn:aws:s3:::uploads]"])
        try box.expectGitFsckClean()

        try publishNext(box, "v2\n")
        try publishNext(box, "v3\n")
        let moved = try box.lvc("alias", "update", "PROD", "--version", "2")
        #expect(moved.stdout.contains("PROD: 1 → 2"))
        #expect(moved.stdout.contains("trigger s3-1 (arn:aws:s3:::uploads) now reaches version 2"))
        #expect(try aliases(box) == ["PROD": "2 [arn:aws:s3:::uploads]"])
        try box.expectGitFsckClean()

        try box.lvc("alias", "update", "PROD", "--version", "3", "--weight", "2=0.1")
        #expect(try aliases(box) == ["PROD": "3 2=0.1 [arn:aws:s3:::uploads]"])
        // The weighted version is protected like the main one.
        let refused = try box.lvcFails("delete", "2")
        #expect(refused.stderr.contains("Unable to delete version because the following aliases reference it: [PROD]"))
        try box.expectGitFsckClean()

        // Rolling back walks the alias's own history, twice.
        let back1 = try box.lvc("rollback", "PROD")
        #expect(back1.stdout.contains("PROD: 3 (10% on 2) → 2"))
        #expect(try aliases(box) == ["PROD": "2 [arn:aws:s3:::uploads]"])
        try box.expectGitFsckClean()
        try box.lvc("rollback", "PROD")
        #expect(try aliases(box) == ["PROD": "1 [arn:aws:s3:::uploads]"])
        try box.expectGitFsckClean()
        let noMore = try box.lvcFails("rollback", "PROD")
        #expect(noMore.stderr.contains("no earlier position"))
        #expect(try history(box, "PROD") == ["create -→1", "update 1→2", "update 2→3 2=0.1", "rollback 3→2", "rollback 2→1"])

        // Promote STG (on 3) to PROD.
        try box.lvc("alias", "create", "STG", "3")
        let promoted = try box.lvc("promote", "STG", "PROD")
        #expect(promoted.stdout.contains("PROD: 1 → 3"))
        #expect(try aliases(box) == ["PROD": "3 [arn:aws:s3:::uploads]", "STG": "3"])
        #expect(try history(box, "STG") == ["create -→3"], "moving PROD never moves STG")
        try box.expectGitFsckClean()

        // Prune keeps what aliases use and the newest N.
        let plan = try box.lvc("prune", "--keep", "1", "--dry-run").stdout
        #expect(plan.contains("would delete 1"))
        #expect(plan.contains("would delete 2"))
        #expect(plan.contains("keep         3  (used by alias PROD, STG)"))
        #expect(try box.lvc("versions", "--json").stdout.contains("\"Version\": \"1\""), "dry run changed nothing")
        try box.lvc("prune", "--keep", "1")
        let versions = try box.json(try box.lvc("versions", "--json"))["Versions"] as! [[String: Any]]
        #expect(versions.map { $0["Version"] as! String } == ["$LATEST", "3"])
        // Numbers are never reused after deletes.
        try publishNext(box, "v4\n")
        #expect(try box.lvc("show", "4").stdout.contains("Version: 4"))
        try box.expectGitFsckClean()

        // Aliases resolve as qualifiers everywhere.
        #expect(try box.lvc("cat", "PROD:index.js").stdout == "v3\n")
        let shown = try box.json(try box.lvc("show", "PROD", "--json"))
        #expect(shown["FunctionArn"] as? String == "arn:aws:lambda:us-east-1:123456789012:function:fn:PROD")
        #expect(shown["Version"] as? String == "3")

        // git sees the aliases as tags of the version commits.
        let tags = try box.git("for-each-ref", "--format=%(refname) %(objecttype) %(*objectname)", "refs/aliases").stdout
        let v3 = try box.git("rev-parse", "refs/versions/3").stdout.trimmingCharacters(in: .newlines)
        #expect(tags == "refs/aliases/PROD tag \(v3)\nrefs/aliases/STG tag \(v3)\n")
    }

    @Test func historyTravelsWithAMirrorClone() throws {
        let box = try publishedThree()
        try publishNext(box, "v2\n")
        try box.lvc("alias", "create", "PROD", "1")
        try box.lvc("alias", "update", "PROD", "--version", "2", "--weight", "1=0.25")
        try box.lvc("trigger", "add", "PROD", "--source", "arn:aws:sqs:us-east-1:123456789012:jobs")
        let other = box.root.deletingLastPathComponent().appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        #expect(try box.run("/usr/bin/git", ["clone", "-q", "--mirror", box.path + "/.lambda", other.path + "/.lambda"]).status == 0)
        let here = try box.lvc("alias", "list", "--json").stdout
        let there = try box.run(Sandbox.binary, ["alias", "list", "--json"], in: other.path)
        #expect(there.stdout == here)
        let historyThere = try box.run(Sandbox.binary, ["alias", "history", "PROD"], in: other.path)
        #expect(historyThere.stdout == (try box.lvc("alias", "history", "PROD").stdout))
        #expect(try box.run(Sandbox.binary, ["rollback", "PROD"], in: other.path).status == 0)
    }

    @Test func aliasBadInput() throws {
        let box = try publishedThree()
        try publishNext(box, "v2\n")
        try box.lvc("alias", "create", "PROD", "1")
        let cases: [([String], String)] = [
            (["alias", "create", "2024", "1"], "Value '2024' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"),
            (["alias", "create", "bad name", "1"], "at 'name'"),
            (["alias", "create", String(repeating: "a", count: 129), "1"], "Member must have length less than or equal to 128"),
            (["alias", "create", "latest", "1"], "reserved"),
            (["alias", "create", "prod", "1"], "differ only in case"),
            (["alias", "create", "PROD", "1"], "Alias already exists: arn:aws:lambda:us-east-1:123456789012:function:fn:PROD"),
            (["alias", "create", "X", "9"], "Function not found: arn:aws:lambda:us-east-1:123456789012:function:fn:9"),
            (["alias", "create", "X", "1", "--weight", "2=1.5"], "Member must have value less than or equal to 1.0"),
            (["alias", "create", "X", "1", "--weight", "2=0.1", "--weight", "3=0.1"], "Number of items in AdditionalVersionWeights cannot be greater than 1"),
            (["alias", "create", "X", "LATEST", "--weight", "2=0.1"], "$LATEST is not supported for an alias pointing to more than 1 version"),
            (["alias", "create", "X", "1", "--weight", "1=0.1"], "Function version 1 is already included in routing configuration."),
            (["alias", "create", "X", "1", "--weight", "$LATEST=0.5"], "Member must satisfy regular expression pattern: [0-9]+"),
            (["alias", "create", "X", "1", "--weight", "7=0.5"], "Function not found: arn:aws:lambda:us-east-1:123456789012:function:fn:7"),
            (["alias", "update", "NOPE", "--version", "1"], "Alias not found: arn:aws:lambda:us-east-1:123456789012:function:fn:NOPE"),
            (["alias", "update", "PROD", "--version", "2", "--revision-id", "stale"], "PreconditionFailedException"),
            (["alias", "show", "NOPE"], "Cannot find alias arn"),
            (["rollback", "PROD"], "no earlier position"),
            (["rollback", "NOPE"], "Cannot find alias arn"),
            (["promote", "NOPE", "PROD"], "Cannot find alias arn"),
            (["delete", "$LATEST"], "$LATEST version cannot be deleted without deleting the function."),
            (["delete", "1"], "Unable to delete version because the following aliases reference it: [PROD]"),
            (["delete", "9"], "Function not found"),
            (["delete", "PROD"], "Deletion of aliases is not currently supported."),
            (["trigger", "remove", "nope"], "No trigger with id nope"),
            (["trigger", "add", "NOPE", "--source", "arn:aws:s3:::b"], "Cannot find alias arn"),
            (["trigger", "add", "PROD", "--source", "not-an-arn"], "at 'sourceArn'"),
            (["trigger", "add", "PROD", "--source", "arn:aws:s3:::b\nqualifier 1\nid x", "--id", "inj"], "at 'sourceArn'"),
            (["trigger", "add", "PROD", "--source", "arn:aws:s3:::b", "--type", "bad type"], "at 'type'"),
            (["prune", "--keep=-1"], "--keep takes a number of versions"),
        ]
        for (args, message) in cases {
            let before = try box.snapshot()
            let output = try box.run(Sandbox.binary, args)
            #expect(output.status != 0, "lvc \(args) should fail")
            #expect(output.stderr.contains(message), "lvc \(args): \(output.stderr)")
            #expect(try box.snapshot() == before, "lvc \(args) changed the disk")
        }
        // A version targeted by a trigger directly cannot be deleted; a trigger on $LATEST warns.
        try box.lvc("trigger", "add", "2", "--source", "arn:aws:sqs:us-east-1:123456789012:q", "--id", "direct")
        #expect(try box.lvcFails("delete", "2").stderr.contains("[direct]"))
        // A default id is made from the ARN's service, kept to the characters ids allow.
        #expect(try box.lvc("trigger", "add", "PROD", "--source", "arn:aws:s3.x:::b").stdout == "s3x-1\n")
        #expect(try box.lvc("alias", "list").status == 0)
        let warned = try box.lvc("trigger", "add", "--source", "arn:aws:s3:::raw")
        #expect(warned.stderr.contains("runs $LATEST"))
        try box.expectGitFsckClean()
    }

    /// A killed add or publish leaves temporary files (a pack being written can be hundreds of
    /// MB): gc removes those untouched for an hour, and nothing younger, and no folder.
    @Test func gcRemovesStaleTemporaryFiles() throws {
        let box = try publishedThree()
        let store = box.path + "/.lambda"
        let old = Date(timeIntervalSinceNow: -7200)
        for (name, stale) in [("lvc/tmp/pack-AbC123", true), ("lvc/tmp/obj-Q1w2e3", false),
                              ("lvc/.tmp-x1y2z3", true), ("lvc/package-cache/.tmp-k9k9k9", true), ("lvc/keep-me", true)] {
            try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: store + "/" + name))
            if stale { try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: store + "/" + name) }
        }
        try FileManager.default.createDirectory(atPath: store + "/lvc/tmp/a-folder", withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: store + "/lvc/tmp/a-folder")
        // A symlink a killed checkout was about to rename into the folder (the link itself is old).
        try FileManager.default.createSymbolicLink(atPath: store + "/lvc/tmp/.lvc-tmp-1-5-42", withDestinationPath: "lib/util.js")
        var times = [timespec(tv_sec: Int(old.timeIntervalSince1970), tv_nsec: 0), timespec(tv_sec: Int(old.timeIntervalSince1970), tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, store + "/lvc/tmp/.lvc-tmp-1-5-42", &times, AT_SYMLINK_NOFOLLOW) == 0)
        let dry = try box.lvc("gc", "--dry-run")
        #expect(dry.stdout.split(separator: "\n").filter { $0.contains(".lambda/") } == [
            "would remove .lambda/lvc/tmp/.lvc-tmp-1-5-42 (11 bytes)",
            "would remove .lambda/lvc/tmp/pack-AbC123 (1000 bytes)",
            "would remove .lambda/lvc/.tmp-x1y2z3 (1000 bytes)",
            "would remove .lambda/lvc/package-cache/.tmp-k9k9k9 (1000 bytes)",
        ])
        #expect(dry.stderr.contains("4 stale temporary file(s) (3011 bytes)"))
        #expect(FileManager.default.fileExists(atPath: store + "/lvc/tmp/pack-AbC123"))  // dry run: nothing removed
        try box.lvc("gc")
        for name in ["lvc/tmp/pack-AbC123", "lvc/.tmp-x1y2z3", "lvc/package-cache/.tmp-k9k9k9", "lvc/tmp/.lvc-tmp-1-5-42"] {
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: store + "/" + name)) == nil, "\(name)")
            #expect(!FileManager.default.fileExists(atPath: store + "/" + name), "\(name)")
        }
        for name in ["lvc/tmp/obj-Q1w2e3", "lvc/keep-me", "lvc/tmp/a-folder"] {
            #expect(FileManager.default.fileExists(atPath: store + "/" + name), "\(name)")
        }
        try box.lvc("fsck")
        try box.expectGitFsckClean()
    }

    @Test func gcRemovesOnlyWhatNothingReaches() throws {
        let box = try publishedThree()
        try box.write("scratch.txt", "staged, then unstaged\n")
        try box.lvc("add")
        try FileManager.default.removeItem(atPath: box.path + "/scratch.txt")
        try box.lvc("add")
        let dry = try box.lvc("gc", "--dry-run").stdout
        let blob = try box.run("/bin/sh", ["-c", "printf 'staged, then unstaged\\n' | git --git-dir=.lambda hash-object --stdin"]).stdout
            .trimmingCharacters(in: .newlines)
        #expect(blob.count == 64)
        #expect(dry.contains(blob))
        try box.lvc("gc")
        #expect(try box.lvc("gc", "--dry-run").stdout.isEmpty)
        try box.lvc("fsck")
        try box.expectGitFsckClean()
        #expect(try box.lvc("cat", "1:index.js").stdout.contains("statusCode"))
    }
}

@Suite struct AliasConcurrencyTests {
    /// Two lvc processes moving the same alias at once: each move either lands in the history or
    /// fails with the "locked" error; none is lost.
    @Test func concurrentMovesAreNeverLost() throws {
        let box = try Sandbox.twoExampleVersions()
        try box.lvc("alias", "create", "PROD", "1")
        let successes = DataBox()
        let group = DispatchGroup()
        for worker in 0..<2 {
            group.enter()
            Thread {
                var ok = 0
                for round in 0..<8 {
                    let version = (worker + round) % 2 == 0 ? "1" : "2"
                    if let out = try? box.run(Sandbox.binary, ["alias", "update", "PROD", "--version", version, "-d", "w\(worker) r\(round)"]) {
                        if out.status == 0 { ok += 1 } else {
                            #expect(out.stderr.contains("the aliases and triggers are locked by another lvc"), "\(out.stderr)")
                        }
                    }
                }
                successes.lock.locked { successes.count += ok }
                group.leave()
            }.start()
        }
        group.wait()
        let history = try box.lvc("alias", "history", "PROD", "--json").stdoutBytes
        let events = try #require(JSONSerialization.jsonObject(with: history) as? [[String: Any]])
        #expect(events.count == 1 + successes.count, "every successful move is in the history")
        #expect(successes.count > 0)
        try box.expectGitFsckClean()
    }

    @Test func aliasOnLatest() throws {
        let box = try Sandbox()
        try box.makeExampleFunction()
        try box.lvc("init")
        try box.lvc("add")
        try box.lvc("alias", "create", "DEV", "$LATEST")
        let json = try box.json(try box.lvc("alias", "show", "DEV", "--json"))
        #expect(json["FunctionVersion"] as? String == "$LATEST")
        // `get`, as in `aws lambda get-alias`, is the same command.
        #expect(try box.lvc("alias", "get", "DEV", "--json").stdout == (try box.lvc("alias", "show", "DEV", "--json").stdout))
        #expect(try box.lvc("cat", "DEV:index.js").stdout.contains("statusCode"))
        let type = try box.git("cat-file", "-p", "refs/aliases/DEV").stdout
        #expect(type.contains("type tree"))
        try box.expectGitFsckClean()
    }
}

@Suite struct AliasTagRepairTests {
    /// A move whose git tag cannot be written (a stale lock) still succeeds; fsck says so, and the
    /// next alias command repairs the tag.
    @Test func staleTagLockIsReportedAndRepaired() throws {
        let box = try Sandbox.twoExampleVersions()
        try box.lvc("alias", "create", "PROD", "1")
        _ = FileManager.default.createFile(atPath: box.path + "/.lambda/refs/aliases/PROD.lock", contents: Data())
        let moved = try box.lvc("alias", "update", "PROD", "--version", "2", "--weight", "1=0.07")
        #expect(moved.stdout.contains("PROD: 1 → 2 (7% on 1)"))
        #expect(try box.lvc("fsck").stderr.contains("refs/aliases/PROD: does not match alias PROD"))
        try FileManager.default.removeItem(atPath: box.path + "/.lambda/refs/aliases/PROD.lock")
        try box.lvc("alias", "create", "STG", "1")
        #expect(!(try box.lvc("fsck").stderr.contains("does not match")))
        let v2 = try box.git("rev-parse", "refs/versions/2").stdout
        #expect(try box.git("rev-parse", "refs/aliases/PROD^{commit}").stdout == v2)
    }
}
