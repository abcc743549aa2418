import Foundation
import SedimentStore
import XCTest

/// End-to-end runs of the `sediment` binary against repositories served by `git daemon`
/// and by `git http-backend`, compared with what the `git` CLI says about the source.
final class SyncTests: XCTestCase {
    /// Builds the rich fixture: branches, tags (light and annotated), a merge, renames,
    /// deletions, binary files, LFS pointers good and bad, a file above the cap, non-ASCII
    /// and space-containing paths, an executable, a symlink and an empty commit.
    func makeRichRepository(_ ws: Workspace) throws -> String {
        let repo = try ws.newRepository("org/model-a")
        try ws.write("README.md", "---\nlicense: mit\n---\n# Model A\n", in: repo)
        try ws.write("config.json", "{\"model_type\": \"bert\"}\n", in: repo)
        try ws.write("dir with space/données é.txt", "non-ASCII path\n", in: repo)
        try ws.write("binary/small.bin", Workspace.bytes(1500, seed: 1), in: repo)
        try ws.write("binary/large.bin", Workspace.bytes(6000, seed: 2), in: repo)
        try ws.write(".gitattributes", "*.safetensors filter=lfs diff=lfs merge=lfs -text\n", in: repo)
        for (path, text, _) in PointerFixtures.files { try ws.write(path, text, in: repo) }
        try ws.write("run.sh", "#!/bin/sh\necho run\n", in: repo)
        chmod(repo + "/run.sh", 0o755)
        symlink("README.md", repo + "/link-to-readme")
        try ws.commitAll("initial model", in: repo)
        try ws.git(["tag", "v1.0"], in: repo)

        try FileManager.default.createDirectory(atPath: repo + "/configs", withIntermediateDirectories: true)
        try ws.git(["mv", "config.json", "configs/config.json"], in: repo)
        try ws.write("README.md", "---\nlicense: apache-2.0\n---\n# Model A\nNow with a card body.\n", in: repo)
        try ws.git(["rm", "-q", "binary/small.bin"], in: repo)
        try ws.commitAll("rename config, drop small.bin", in: repo)

        try ws.git(["checkout", "-q", "-b", "dev"], in: repo)
        try ws.write("dev-notes.txt", "work in progress\n", in: repo)
        try ws.commitAll("dev notes", in: repo)
        try ws.git(["checkout", "-q", "main"], in: repo)
        try ws.write("CHANGELOG", "1.1\n", in: repo)
        try ws.commitAll("changelog", in: repo)
        try ws.git(["merge", "-q", "--no-ff", "-m", "merge dev", "dev"], in: repo)
        try ws.git(["commit", "-q", "--allow-empty", "-m", "an empty commit"], in: repo)
        try ws.git(["tag", "-a", "v1.1", "-m", "release 1.1"], in: repo)
        try ws.git(["checkout", "-q", "-b", "experiment", "v1.0"], in: repo)
        try ws.write("experiment.txt", "try\n", in: repo)
        try ws.commitAll("experiment", in: repo)
        try ws.git(["checkout", "-q", "main"], in: repo)
        try ws.publish(repo, as: "org/model-a")
        return repo
    }

    func testFirstSyncMatchesTheSourceRepository() throws {
        let ws = try Workspace()
        let repo = try makeRichRepository(ws)
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url("org/model-a.git")])

        let sync = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        let visit = try XCTUnwrap(sync.jsonLines.first)
        XCTAssertEqual(visit["status"] as? String, "full")
        XCTAssertEqual(visit["eventful"] as? Bool, true)

        // Commit ids equal `git rev-list --all` on the source.
        let log = try ws.sediment(["log", "org/model-a", "--json"])
        XCTAssertEqual(log.status, 0, log.stderr)
        let archived = Set(log.jsonLines.compactMap { $0["commit"] as? String })
        let expected = Set(try ws.git(["rev-list", "--all"], in: repo).split(separator: "\n").map(String.init))
        XCTAssertEqual(archived, expected)
        XCTAssertEqual(archived.count, 7)
        let merge = try XCTUnwrap(log.jsonLines.first { ($0["message"] as? String) == "merge dev\n" })
        XCTAssertEqual((merge["parents"] as? [String])?.count, 2)
        XCTAssertEqual(merge["author_email"] as? String, "ann@example.org")
        XCTAssertEqual(merge["committer_name"] as? String, "Bob Example")

        // The head manifest equals `git ls-tree -r -l`, and every sha256 equals sha256sum's.
        let show = try ws.sediment(["show", "ours:org/model-a", "--json"])
        XCTAssertEqual(show.status, 0, show.stderr)
        let entries = show.jsonLines
        let tree = try ws.git(["ls-tree", "-r", "-l", "-z", "main"], in: repo)
        var expectedEntries: [String: (mode: String, blob: String, size: Int)] = [:]
        for record in tree.split(separator: "\0") {
            let parts = record.split(separator: "\t", maxSplits: 1)
            let fields = parts[0].split(separator: " ", omittingEmptySubsequences: true)
            expectedEntries[String(parts[1])] = (String(fields[0]), String(fields[2]), Int(fields[3]) ?? -1)
        }
        XCTAssertEqual(Set(entries.compactMap { $0["path"] as? String }), Set(expectedEntries.keys))
        for entry in entries {
            let path = try XCTUnwrap(entry["path"] as? String)
            let want = try XCTUnwrap(expectedEntries[path])
            XCTAssertEqual(entry["mode"] as? String, want.mode, path)
            XCTAssertEqual(entry["blob"] as? String, want.blob, path)
            XCTAssertEqual(entry["size"] as? Int, want.size, path)
            let content = try Shell.run(Shell.which("git"), ["cat-file", "blob", want.blob], cwd: repo, env: Shell.gitEnvironment(home: ws.home))
            let sum = try Shell.run(Shell.which("sha256sum"), [], input: content.stdout)
            XCTAssertEqual(entry["sha256"] as? String, String(sum.out.prefix(64)), path)
            XCTAssertEqual(entry["stored"] as? Bool, want.size <= 4096, path)
        }
        XCTAssertTrue(entries.contains { $0["path"] as? String == "dir with space/données é.txt" })
        XCTAssertEqual(entries.first { $0["path"] as? String == "run.sh" }?["mode"] as? String, "100755")
        XCTAssertEqual(entries.first { $0["path"] as? String == "link-to-readme" }?["mode"] as? String, "120000")

        // LFS pointers: the valid ones are recognised, the near misses are not.
        for (path, text, oid) in PointerFixtures.files {
            let entry = try XCTUnwrap(entries.first { $0["path"] as? String == path }, path)
            if let oid {
                XCTAssertEqual(entry["lfs_oid"] as? String, oid, path)
                XCTAssertNotNil(entry["lfs_size"] as? Int, path)
            } else {
                XCTAssertTrue(entry["lfs_oid"] is NSNull, "\(path) must not be taken as a pointer")
                XCTAssertTrue(entry["lfs_size"] is NSNull, path)
            }
            XCTAssertEqual(entry["size"] as? Int, text.utf8.count, path)
        }
        XCTAssertEqual(entries.first { $0["path"] as? String == "weights/model.safetensors" }?["lfs_size"] as? Int, 12345)

        // File content comes back byte for byte; a file above the cap is refused clearly.
        let readme = try ws.sediment(["show", "org/model-a", "README.md"])
        XCTAssertEqual(readme.status, 0, readme.stderr)
        XCTAssertEqual(readme.out, "---\nlicense: apache-2.0\n---\n# Model A\nNow with a card body.\n")
        let large = try ws.sediment(["show", "org/model-a", "binary/large.bin"])
        XCTAssertEqual(large.status, 1)
        XCTAssertTrue(large.stderr.contains("not archived") && large.stderr.contains("blob_max_bytes"), large.stderr)
        let unicode = try ws.sediment(["show", "org/model-a", "dir with space/données é.txt"])
        XCTAssertEqual(unicode.out, "non-ASCII path\n")

        // Revisions: a tag, a branch, a commit prefix.
        let atTag = try ws.sediment(["show", "org/model-a@v1.0", "config.json"])
        XCTAssertEqual(atTag.out, "{\"model_type\": \"bert\"}\n", atTag.stderr)
        let atBranch = try ws.sediment(["show", "org/model-a@experiment", "experiment.txt"])
        XCTAssertEqual(atBranch.out, "try\n", atBranch.stderr)
        let first = try ws.git(["rev-list", "--max-parents=0", "main"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
        let atCommit = try ws.sediment(["show", "org/model-a@\(first.prefix(10))", "--json"])
        XCTAssertEqual(atCommit.status, 0, atCommit.stderr)
        XCTAssertTrue(atCommit.jsonLines.contains { $0["path"] as? String == "binary/small.bin" })

        // log --ref follows one branch; dates pick the latest snapshot at or before them.
        let devLog = try ws.sediment(["log", "org/model-a", "--ref", "dev", "--json"])
        XCTAssertEqual(Set(devLog.jsonLines.compactMap { $0["commit"] as? String }),
                       Set(try ws.git(["rev-list", "dev"], in: repo).split(separator: "\n").map(String.init)))
        let future = try ws.sediment(["show", "org/model-a@2999-01-01", "README.md"])
        XCTAssertEqual(future.status, 0, future.stderr)
        XCTAssertTrue(future.out.hasPrefix("---\nlicense: apache-2.0"))
        let past = try ws.sediment(["show", "org/model-a@@2000-01-01T00:00:00Z"])
        XCTAssertEqual(past.status, 1)
        XCTAssertTrue(past.stderr.contains("no snapshot was taken at or before 2000-01-01"), past.stderr)
        let unknown = try ws.sediment(["show", "org/model-a@no-such-branch"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("not a snapshot, commit or ref"), unknown.stderr)

        // The catalog records each commit's changes, renames included.
        let catalog = try Catalog(readOnlyPath: ws.store + "/catalog.sqlite")
        let renamer = try XCTUnwrap(log.jsonLines.first { ($0["message"] as? String)?.hasPrefix("rename config") == true }?["commit"] as? String)
        let changes = try catalog.changes(commit: renamer)
        XCTAssertTrue(changes.contains { $0.status == "renamed" && $0.oldPath == "config.json" && $0.newPath == "configs/config.json" }, "\(changes)")
        XCTAssertTrue(changes.contains { $0.status == "deleted" && $0.oldPath == "binary/small.bin" })
        XCTAssertTrue(changes.contains { $0.status == "modified" && $0.newPath == "README.md" })

        // Snapshots, packages and status answer from the catalog.
        let snapshots = try ws.sediment(["snapshots", "org/model-a", "--json"])
        XCTAssertEqual(snapshots.jsonLines.count, 1)
        let refs = try XCTUnwrap(snapshots.jsonLines.first?["refs"] as? [String: String])
        XCTAssertEqual(Set(refs.keys), ["refs/heads/main", "refs/heads/dev", "refs/heads/experiment", "refs/tags/v1.0", "refs/tags/v1.1"])
        XCTAssertEqual(snapshots.jsonLines.first?["head"] as? String,
                       try ws.git(["rev-parse", "main"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines))
        let packages = try ws.sediment(["packages", "--json"])
        XCTAssertEqual(packages.jsonLines.first?["id"] as? String, "org/model-a")
        XCTAssertEqual(packages.jsonLines.first?["hub"] as? String, "ours")
        let status = try ws.sediment(["status"])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.out.contains("ours"), status.out)

        // A second sync changes nothing and receives nothing.
        let again = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.jsonLines.first?["eventful"] as? Bool, false)
        XCTAssertEqual(again.jsonLines.first?["objects_received"] as? Int, 0)
        XCTAssertEqual(again.jsonLines.first?["new_commits"] as? Int, 0)
        XCTAssertEqual(try ws.sediment(["snapshots", "org/model-a", "--json"]).jsonLines.count, 1)
    }

    /// After two new commits upstream, a sync over git:// and over smart HTTP receives
    /// only the new objects.
    func testIncrementalSyncReceivesOnlyNewObjects() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/inc")
        for i in 0..<30 {
            try ws.write("data/file-\(i).txt", "content \(i)\n" + String(repeating: "x", count: 2000 + i), in: repo)
        }
        try ws.commitAll("base", in: repo)
        for i in 0..<5 {
            try ws.write("data/file-\(i).txt", "revision \(i)\n", in: repo)
            try ws.commitAll("revision \(i)", in: repo)
        }
        try ws.publish(repo, as: "org/inc")
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        let http = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
        // Two hubs' worth of URLs: the same repository over both transports, in two archives.
        let configs = [("git", daemon.url("org/inc.git")), ("http", http.url("org/inc.git"))].map { name, url in
            (name, url, ws.root + "/\(name).toml")
        }
        for (name, url, path) in configs {
            try """
                [storage]
                path = "\(ws.root)/store-\(name)"
                [[hub]]
                kind = "git"
                name = "ours"
                repositories = ["\(url)"]
                """.write(toFile: path, atomically: true, encoding: .utf8)
            let first = try ws.sediment(["sync", "--json"], config: path)
            XCTAssertEqual(first.status, 0, first.stderr)
            XCTAssertGreaterThan(first.jsonLines.first?["objects_received"] as? Int ?? 0, 30)
        }

        let before = try ws.git(["rev-parse", "main"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
        try ws.write("data/file-10.txt", "new content A\n", in: repo)
        try ws.commitAll("new A", in: repo)
        try ws.write("data/file-11.txt", "new content B\n", in: repo)
        try ws.commitAll("new B", in: repo)
        try ws.publish(repo, as: "org/inc")
        let newObjects = try ws.git(["rev-list", "--objects", "main", "^\(before)"], in: repo).split(separator: "\n").count
        XCTAssertEqual(newObjects, 8) // 2 commits, 2 root trees, 2 data trees, 2 blobs

        for (name, _, path) in configs {
            let second = try ws.sediment(["sync", "--json"], config: path)
            XCTAssertEqual(second.status, 0, second.stderr)
            let visit = try XCTUnwrap(second.jsonLines.first)
            let received = visit["objects_received"] as? Int ?? -1
            XCTAssertGreaterThan(received, 0, name)
            XCTAssertLessThanOrEqual(received, newObjects, "\(name): received \(received) objects for \(newObjects) new ones")
            XCTAssertEqual(visit["new_commits"] as? Int, 2, name)
            XCTAssertEqual(visit["eventful"] as? Bool, true, name)
            let log = try ws.sediment(["log", "org/inc", "--json"], config: path)
            XCTAssertEqual(log.jsonLines.count, 8, name)
        }
    }

    /// A force-push backwards and a branch deletion upstream lose nothing: the old commits
    /// stay listed, the old snapshot still shows, and the lost refs are listed.
    func testForcePushAndDeletionKeepLostRefs() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/rewritten")
        try ws.write("a.txt", "one\n", in: repo)
        try ws.commitAll("one", in: repo)
        try ws.write("a.txt", "two\n", in: repo)
        try ws.commitAll("two", in: repo)
        try ws.write("secret-plan.txt", "three\n", in: repo)
        try ws.commitAll("three", in: repo)
        try ws.git(["checkout", "-q", "-b", "feature"], in: repo)
        try ws.write("feature.txt", "feature\n", in: repo)
        try ws.commitAll("feature", in: repo)
        try ws.git(["checkout", "-q", "main"], in: repo)
        try ws.publish(repo, as: "org/rewritten")
        let http = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
        try ws.configure([http.url("org/rewritten.git")])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        let oldLog = Set(try ws.sediment(["log", "org/rewritten", "--json"]).jsonLines.compactMap { $0["commit"] as? String })
        let oldSnapshot = try XCTUnwrap(try ws.sediment(["snapshots", "org/rewritten", "--json"]).jsonLines.last?["snapshot"] as? String)
        let oldMain = try ws.git(["rev-parse", "main"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
        let oldFeature = try ws.git(["rev-parse", "feature"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)

        // Upstream rewrites main backwards and deletes the feature branch.
        try ws.git(["reset", "-q", "--hard", "HEAD~2"], in: repo)
        try ws.write("a.txt", "rewritten\n", in: repo)
        try ws.commitAll("rewritten history", in: repo)
        try ws.git(["branch", "-q", "-D", "feature"], in: repo)
        try ws.publish(repo, as: "org/rewritten")

        let sync = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertEqual(sync.jsonLines.first?["lost_refs"] as? Int, 2)
        let newLog = Set(try ws.sediment(["log", "org/rewritten", "--json"]).jsonLines.compactMap { $0["commit"] as? String })
        XCTAssertTrue(newLog.isSuperset(of: oldLog), "old commits must stay listed")
        XCTAssertEqual(newLog.count, oldLog.count + 1)

        let lost = try ws.sediment(["refs", "org/rewritten", "--lost", "--json"]).jsonLines
        XCTAssertEqual(lost.count, 2)
        let lostMain = try XCTUnwrap(lost.first { $0["name"] as? String == "refs/heads/main" })
        XCTAssertEqual(lostMain["reason"] as? String, "forced")
        XCTAssertEqual(lostMain["target"] as? String, oldMain)
        let lostFeature = try XCTUnwrap(lost.first { $0["name"] as? String == "refs/heads/feature" })
        XCTAssertEqual(lostFeature["reason"] as? String, "deleted")
        XCTAssertEqual(lostFeature["target"] as? String, oldFeature)

        // The mirror keeps the old tips reachable.
        let mirrors = ws.store + "/mirrors"
        let mirror = try XCTUnwrap(FileManager.default.enumerator(atPath: mirrors)?.compactMap { $0 as? String }.first { $0.contains("rewritten-") && $0.hasSuffix(".git") })
        let mirrorRefs = try ws.git(["for-each-ref", "--format=%(refname) %(objectname)"], in: mirrors + "/" + mirror)
        XCTAssertTrue(mirrorRefs.contains("refs/sediment/lost/\(oldMain)/heads/main \(oldMain)"), mirrorRefs)
        XCTAssertTrue(mirrorRefs.contains("refs/sediment/lost/\(oldFeature)/heads/feature \(oldFeature)"), mirrorRefs)
        XCTAssertFalse(mirrorRefs.contains("refs/heads/feature "), mirrorRefs)

        // The old snapshot still shows, with the file the rewrite dropped.
        let old = try ws.sediment(["show", "org/rewritten@\(oldSnapshot.prefix(12))", "secret-plan.txt"])
        XCTAssertEqual(old.status, 0, old.stderr)
        XCTAssertEqual(old.out, "three\n")
        let current = try ws.sediment(["show", "org/rewritten", "--json"])
        XCTAssertFalse(current.jsonLines.contains { $0["path"] as? String == "secret-plan.txt" })
        XCTAssertEqual(try ws.sediment(["snapshots", "org/rewritten", "--json"]).jsonLines.count, 2)
    }

    /// An unreachable URL and a repository that does not exist fail clearly; the others sync.
    func testBadRepositoriesDoNotStopTheOthers() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/good")
        try ws.write("ok.txt", "fine\n", in: repo)
        try ws.commitAll("fine", in: repo)
        try ws.publish(repo, as: "org/good")
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        let closedPort = freePort()
        try ws.configure([
            "http://127.0.0.1:\(closedPort)/org/unreachable.git",
            daemon.url("org/missing.git"),
            ws.root + "/no/such/folder",
            daemon.url("org/good.git"),
        ])
        let sync = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(sync.status, 1, "a failed visit makes sync exit 1")
        let byID = Dictionary(uniqueKeysWithValues: sync.jsonLines.map { ($0["package"] as? String ?? "", $0) })
        XCTAssertEqual(byID.count, 4)
        XCTAssertEqual(byID["org/good"]?["status"] as? String, "full")
        XCTAssertEqual(byID["org/unreachable"]?["status"] as? String, "failed")
        let unreachableError = byID["org/unreachable"]?["error"] as? String ?? ""
        XCTAssertTrue(unreachableError.contains("127.0.0.1:\(closedPort)"), unreachableError)
        XCTAssertEqual(byID["org/missing"]?["status"] as? String, "not-found", "\(byID["org/missing"] ?? [:])")
        XCTAssertEqual(byID[String((ws.root + "/no/such/folder").dropFirst())]?["status"] as? String, "not-found")
        XCTAssertTrue(sync.stderr.contains("org/missing"), sync.stderr)

        let show = try ws.sediment(["show", "org/good", "ok.txt"])
        XCTAssertEqual(show.out, "fine\n")
        let status = try ws.sediment(["status", "--json"])
        let failing = (status.jsonLines.first?["failing"] as? [[String: Any]]) ?? []
        XCTAssertEqual(Set(failing.compactMap { $0["package"] as? String }).count, 3)
    }
}
