import Foundation
import SedimentS3
import TestSupport
import XCTest

/// The store is the whole archive: after the catalog and the mirrors are lost, `rebuild`
/// makes them again from the store alone, and the archive answers as before.
final class RebuildTests: XCTestCase {
    /// A configuration like `config` whose archive is `folder`.
    private func configuration(_ world: FixtureWorld, archive folder: String) throws -> String {
        let text = try String(contentsOfFile: world.configPath, encoding: .utf8)
        XCTAssertTrue(text.contains("\"\(world.store)\""))
        let path = world.folder + "/rebuilt-\(UUID().uuidString.prefix(8)).toml"
        try text.replacingOccurrences(of: "\"\(world.store)\"", with: "\"\(folder)\"").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testAnArchiveRebuiltFromItsStoreAnswersAsBefore() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        try rebuildAnswersAsBefore(ws, world, store: world.store + "/blobs") {
            FileManager.default.enumerator(atPath: world.store + "/blobs/git")?.allObjects.count ?? 0
        }
    }

    /// The same with the store in a bucket of moto's S3 server: `rebuild --store s3://…`.
    func testAnArchiveInABucketIsRebuiltFromTheBucketAlone() throws {
        let moto = try MotoServer()
        defer { moto.stop() }
        let settings = S3Settings(location: try S3Location(bucket: "rebuild", prefix: "archive"), endpoint: moto.endpoint, region: "us-east-1",
                                  credentials: S3Credentials(accessKeyID: "AKIAREBUILD", secretAccessKey: "rebuild-secret"))
        let client = S3Client(settings: settings)
        try client.createBucket()
        for (name, value) in ["AWS_ACCESS_KEY_ID": "AKIAREBUILD", "AWS_SECRET_ACCESS_KEY": "rebuild-secret"] { setenv(name, value, 1) }
        defer { for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] { unsetenv(name) } }
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        let text = try String(contentsOfFile: world.configPath, encoding: .utf8)
        XCTAssertTrue(text.contains("[storage]\n"))
        try text.replacingOccurrences(of: "[storage]\n", with: "[storage]\nstore = \"s3://rebuild/archive\"\nendpoint = \"\(moto.endpoint)\"\n")
            .write(toFile: world.configPath, atomically: true, encoding: .utf8)
        try rebuildAnswersAsBefore(ws, world, store: "s3://rebuild/archive") {
            var packs = 0
            try? client.listObjects(prefix: "archive/git/") { _ in packs += 1 }
            return packs
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: world.store + "/blobs/records"), "records were written to the local folder")
    }

    /// Two crawls of the fixture world (a force-push, a package deleted upstream) into the store
    /// `store`; the catalog and the mirrors lost; `rebuild`; every answer as before.
    /// `gitPacks` counts the git packs in the store.
    private func rebuildAnswersAsBefore(_ ws: Workspace, _ world: FixtureWorld, store: String, gitPacks: () -> Int) throws {
        XCTAssertEqual(try ws.sediment(["sync"], config: world.configPath).status, 0)
        try world.advance()
        let second = try ws.sediment(["sync", "--json"], config: world.configPath)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(second.jsonLines.filter { $0["deleted_upstream"] as? Bool == true }.compactMap { $0["package"] as? String }, ["acme/vit-small"])
        let before = try ArchiveAnswers.answers(ws, config: world.configPath)
        let mirrorsBefore = try ArchiveAnswers.revLists(ws, mirrors: world.store + "/mirrors")
        XCTAssertGreaterThanOrEqual(mirrorsBefore.count, 10)
        // The force-pushed repository keeps its old tip as a lost ref, in the catalog and the mirror.
        XCTAssertTrue(before["refs ours:org/model-a --lost --json"]?.contains("forced") == true)
        XCTAssertTrue(before["packages --all"]?.contains("acme/vit-small (deleted)") == true)

        // The catalog and the mirrors are lost; the store remains.
        for name in ["catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm", "mirrors"] {
            try? FileManager.default.removeItem(atPath: world.store + "/" + name)
        }
        let folder = ws.root + "/rebuilt"
        let rebuild = try ws.sediment(["rebuild", "--store", store, "--into", folder], config: world.configPath)
        XCTAssertEqual(rebuild.status, 0, rebuild.stderr + rebuild.out)
        XCTAssertTrue(rebuild.out.hasPrefix("rebuilt \(folder): "), rebuild.out)
        XCTAssertTrue(rebuild.stderr.contains("replaying records"), rebuild.stderr)
        let config = try configuration(world, archive: folder)
        let after = try ArchiveAnswers.answers(ws, config: config)
        XCTAssertEqual(Set(after.keys), Set(before.keys))
        for (command, output) in before.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(after[command], output, command)
        }
        XCTAssertEqual(try ArchiveAnswers.revLists(ws, mirrors: folder + "/mirrors"), mirrorsBefore)
        let verify = try ws.sediment(["verify"], config: config)
        XCTAssertEqual(verify.status, 0, verify.out + verify.stderr)

        // A folder holding a catalog is refused.
        let again = try ws.sediment(["rebuild", "--store", store, "--into", folder], config: world.configPath)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("holds a catalog already"), again.stderr)

        // The rebuilt archive goes on: a later sync finds nothing new, fails nothing, and
        // stores no git pack (no visit brought a new object).
        let packsBefore = gitPacks()
        XCTAssertGreaterThanOrEqual(packsBefore, 10)
        let third = try ws.sediment(["sync", "--json"], config: config)
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertEqual(third.jsonLines.filter { ($0["new_commits"] as? Int ?? 0) > 0 }.count, 0, third.out)
        XCTAssertEqual(gitPacks(), packsBefore)
    }

    func testAVisitStoredButNotCatalogedIsRebuiltAndADamagedRecordIsNamed() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        XCTAssertEqual(try ws.sediment(["sync"], config: world.configPath).status, 0)
        try world.advance()
        // The process dies once the force-pushed package's record and git pack are durable in
        // the store, before its catalog transaction.
        let crashed = try ws.sediment(["sync"], config: world.configPath, environment: ["SEDIMENT_FAULT_CRASH_AFTER_STORE": "ours:org/model-a"])
        XCTAssertNotEqual(crashed.status, 0)
        XCTAssertTrue(crashed.stderr.contains("aborting"), crashed.stderr)
        let head = try world.head("git:org/model-a", epoch: 2)
        let snapshots = try ws.sediment(["snapshots", "ours:org/model-a", "--json"], config: world.configPath)
        XCTAssertEqual(snapshots.jsonLines.count, 1, snapshots.stderr)

        // rebuild replays the record the catalog never got, and the mirror gets its objects.
        let first = ws.root + "/rebuilt-after-crash"
        let rebuild = try ws.sediment(["rebuild", "--store", world.store + "/blobs", "--into", first], config: world.configPath)
        XCTAssertEqual(rebuild.status, 0, rebuild.stderr + rebuild.out)
        let config = try configuration(world, archive: first)
        let rebuilt = try ws.sediment(["snapshots", "ours:org/model-a", "--json"], config: config).jsonLines
        XCTAssertEqual(rebuilt.count, 2)
        XCTAssertEqual(rebuilt.last?["head"] as? String, head)
        XCTAssertTrue(try ws.sediment(["log", "ours:org/model-a"], config: config).out.contains("commit \(head)"))
        let lost = try ws.sediment(["refs", "ours:org/model-a", "--lost", "--json"], config: config).jsonLines
        XCTAssertEqual(lost.first?["replaced_by"] as? String, head)
        let mirrors = try ArchiveAnswers.revLists(ws, mirrors: first + "/mirrors")
        XCTAssertTrue(mirrors.contains { $0.key.contains("org/model-a") && $0.value.contains(head) }, "\(mirrors)")
        XCTAssertEqual(try ws.sediment(["verify"], config: config).status, 0)

        // The next run makes the visit again; a rebuild then keeps its snapshot once.
        let redo = try ws.sediment(["sync"], config: world.configPath)
        XCTAssertEqual(redo.status, 0, redo.stderr)
        let second = ws.root + "/rebuilt-after-redo"
        XCTAssertEqual(try ws.sediment(["rebuild", "--store", world.store + "/blobs", "--into", second], config: world.configPath).status, 0)
        let redone = try configuration(world, archive: second)
        for command in [["log", "ours:org/model-a"], ["packages", "--all"]] {
            XCTAssertEqual(try ws.sediment(command, config: redone).out, try ws.sediment(command, config: world.configPath).out, "\(command)")
        }
        // The same snapshots; the rebuilt one taken when the crashed visit first saw it.
        let kept = { (config: String) throws -> [String] in
            try ws.sediment(["snapshots", "ours:org/model-a", "--json"], config: config).jsonLines.map { "\($0["snapshot"] ?? "") \($0["head"] ?? "")" }
        }
        XCTAssertEqual(try kept(redone), try kept(world.configPath))
        XCTAssertEqual(try kept(redone).count, 2)

        // A damaged record is named and the others are replayed; a newer format is named too.
        let records = world.store + "/blobs/records/visits"
        let names = try FileManager.default.contentsOfDirectory(atPath: records).sorted()
        XCTAssertGreaterThan(names.count, 20)
        let damaged = names[names.count / 2]
        try Data("{\"format\": 1, \"kind\": \"vis".utf8).write(to: URL(fileURLWithPath: records + "/" + damaged))
        let newer = "99991231T235959.000000Z-0000000000000000.json"
        try Data("{\"format\": 2, \"kind\": \"visit\"}".utf8).write(to: URL(fileURLWithPath: records + "/" + newer))
        let third = ws.root + "/rebuilt-with-damage"
        let named = try ws.sediment(["rebuild", "--store", world.store + "/blobs", "--into", third], config: world.configPath)
        XCTAssertEqual(named.status, 1, named.stderr)
        XCTAssertTrue(named.out.contains("damaged: records/visits/\(damaged): it is not a JSON object"), named.out)
        XCTAssertTrue(named.out.contains("newer: records/visits/\(newer): record format 2 is newer"), named.out)
        XCTAssertTrue(named.out.contains("1 record damaged; 1 record of a newer format"), named.out)
        let packages = try ws.sediment(["packages", "--all", "--json"], config: try configuration(world, archive: third))
        XCTAssertEqual(packages.jsonLines.count, try ws.sediment(["packages", "--all", "--json"], config: world.configPath).jsonLines.count)
    }

    /// The rows of `sql` in the catalog at `path`, each row's values joined by "|".
    private func rows(_ path: String, _ sql: String) throws -> [String] {
        let result = try Shell.run(Shell.which("python3"), ["-c", """
            import sqlite3, sys
            db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
            for row in db.execute(sys.argv[2]): print("|".join("" if v is None else str(v) for v in row))
            """, path, sql])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.out.split(separator: "\n").map(String.init)
    }

    func testLFSObjectsFetchedAfterTheVisitsAreStoredInTheRebuiltCatalog() throws {
        let ws = try Workspace()
        let world = try FixtureWorld(folder: ws.root + "/world", home: ws.home)
        let text = try String(contentsOfFile: world.configPath, encoding: .utf8)
        XCTAssertTrue(text.contains("[storage]\n"))
        try text.replacingOccurrences(of: "[storage]\n", with: "[storage]\nlfs = \"fetch\"\n").write(toFile: world.configPath, atomically: true, encoding: .utf8)
        _ = try ws.sediment(["sync"], config: world.configPath)
        let query = "SELECT oid, size FROM lfs_object ORDER BY oid"
        let stored = try rows(world.store + "/catalog.sqlite", query)
        XCTAssertGreaterThanOrEqual(stored.count, 5, "\(stored)")
        for name in ["catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm", "mirrors"] {
            try? FileManager.default.removeItem(atPath: world.store + "/" + name)
        }
        let folder = ws.root + "/rebuilt"
        let rebuild = try ws.sediment(["rebuild", "--store", world.store + "/blobs", "--into", folder, "--json"], config: world.configPath)
        XCTAssertEqual(rebuild.status, 0, rebuild.stderr + rebuild.out)
        XCTAssertEqual(rebuild.jsonLines.last?["lfs_objects"] as? Int, stored.count)
        XCTAssertEqual(try rows(folder + "/catalog.sqlite", query), stored)
        let verify = try ws.sediment(["verify"], config: try configuration(world, archive: folder))
        XCTAssertEqual(verify.status, 0, verify.out + verify.stderr)
    }

    /// A repository's first visit stores the packs its fetch wrote, as they are; a later visit
    /// stores a pack built of what it brought.
    func testAFirstVisitStoresTheFetchedPacksAndALaterOneABuiltPack() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/packs")
        for file in 0..<30 { try ws.write("f\(file).txt", Workspace.bytes(500 + file, seed: UInt64(file)), in: repo) }
        try ws.commitAll("first", in: repo)
        try ws.configure([repo])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        let mirror = try XCTUnwrap(FileManager.default.enumerator(atPath: ws.store + "/mirrors")?.allObjects
            .compactMap { $0 as? String }.first { $0.hasSuffix(".git") })
        let fetched = try FileManager.default.contentsOfDirectory(atPath: ws.store + "/mirrors/" + mirror + "/objects/pack")
            .filter { $0.hasSuffix(".pack") }.map { String($0.dropFirst("pack-".count)) }.sorted()
        let stored = { () -> [String] in
            let root = ws.store + "/blobs/git"
            return (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".pack") }
                .map { ($0 as NSString).lastPathComponent }.sorted()
        }
        XCTAssertEqual(fetched.count, 1)
        XCTAssertEqual(stored(), fetched, "the first visit stores the fetched pack as it is")
        let bytes = { (folder: String, name: String) in FileManager.default.contents(atPath: folder + "/" + name) }
        let storedPath = try XCTUnwrap(FileManager.default.enumerator(atPath: ws.store + "/blobs/git")?.allObjects
            .compactMap { $0 as? String }.first { $0.hasSuffix(fetched[0]) })
        XCTAssertEqual(bytes(ws.store + "/blobs/git", storedPath), bytes(ws.store + "/mirrors/" + mirror + "/objects/pack", "pack-" + fetched[0]))

        try ws.write("f0.txt", "changed\n", in: repo)
        try ws.commitAll("second", in: repo)
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        XCTAssertEqual(stored().count, 2, "the second visit stores one pack of its own")
        let folder = ws.root + "/rebuilt"
        let rebuild = try ws.sediment(["rebuild", "--store", ws.store + "/blobs", "--into", folder])
        XCTAssertEqual(rebuild.status, 0, rebuild.stderr)
        let revList = { (gitDir: String) in
            try Shell.run(Shell.which("git"), ["--git-dir", gitDir, "rev-list", "--all", "--objects"], env: Shell.gitEnvironment(home: ws.home)).out
        }
        XCTAssertEqual(try revList(folder + "/mirrors/" + mirror), try revList(ws.store + "/mirrors/" + mirror))
    }
}
