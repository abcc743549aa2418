import Foundation
import SedimentStore
import XCTest

/// `sediment verify --repair` restores damaged and missing content from where it came from
/// (git blobs and manifests from the mirror, LFS objects from their LFS server), byte for
/// byte, names what it cannot restore, and exits 3 only while damage is left.
final class RepairTests: XCTestCase {
    /// The mirror folder whose name ends with `suffix`.
    func mirror(_ ws: Workspace, endingWith suffix: String) throws -> String {
        let mirrors = ws.store + "/mirrors"
        let relative = try XCTUnwrap(FileManager.default.enumerator(atPath: mirrors)?.compactMap { $0 as? String }.first { $0.hasSuffix(suffix) || ($0.hasSuffix(".git") && $0.contains(suffix.dropLast(4) + "-")) })
        return mirrors + "/" + relative
    }

    func testRepairRestoresBlobsAndManifestsFromTheMirror() throws {
        let ws = try Workspace()
        let server = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
        let repo = try ws.newRepository("org/repaired")
        let readme = "# repaired\n", notes = "some notes to lose\n"
        let weights = Workspace.bytes(3000, seed: 7)
        try ws.write("README.md", readme, in: repo)
        try ws.write("notes.txt", notes, in: repo)
        try ws.write("weights/tiny.bin", weights, in: repo)
        try ws.commitAll("initial", in: repo)
        try ws.publish(repo, as: "org/repaired")
        try ws.configure([server.url("org/repaired.git")])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)

        let readmeID = ContentID.of(Data(readme.utf8)).hex, notesID = ContentID.of(Data(notes.utf8)).hex
        let weightsID = ContentID.of(weights).hex
        let catalog = try Catalog(readOnlyPath: ws.store + "/catalog.sqlite")
        let manifest = try XCTUnwrap(try catalog.snapshots(package: try catalog.package(named: "org/repaired").rowID).last?.manifest)
        let manifestBytes = try ws.storedContent(manifest.hex)

        // Damage: a flipped byte, a deleted blob, a flipped byte deep in a binary, a deleted manifest.
        try ws.damageBlob(readmeID)
        try ws.loseBlob(notesID)
        try ws.damageBlob(weightsID, at: 2000)
        try ws.loseBlob(manifest.hex)
        let damaged = try ws.sediment(["verify", "--json"])
        XCTAssertEqual(damaged.status, 3, damaged.out + damaged.stderr)
        let problems = damaged.jsonLines.filter { $0["type"] as? String == "damage" }
        XCTAssertEqual(Set(problems.compactMap { $0["id"] as? String }), [readmeID, notesID, weightsID, manifest.hex], damaged.out)
        XCTAssertEqual(problems.first { $0["id"] as? String == notesID }?["condition"] as? String, "missing")
        XCTAssertEqual(problems.first { $0["id"] as? String == readmeID }?["condition"] as? String, "corrupt")
        XCTAssertEqual(problems.first { $0["id"] as? String == manifest.hex }?["kind"] as? String, "manifest")
        XCTAssertEqual(damaged.jsonLines.last?["type"] as? String, "summary")
        XCTAssertEqual(damaged.jsonLines.last?["damaged"] as? Int, 4)
        XCTAssertTrue(damaged.stderr.contains("sediment verify --repair restores"), "verify points at the repair: \(damaged.stderr)")

        // Repair: every problem restored, and the archive path named on stderr.
        let repair = try ws.sediment(["verify", "--repair", "--json"])
        XCTAssertEqual(repair.status, 0, repair.out + repair.stderr)
        XCTAssertTrue(repair.stderr.contains("archive: \(ws.store)"), repair.stderr)
        let repairs = repair.jsonLines.filter { $0["type"] as? String == "repair" }
        XCTAssertEqual(repairs.count, 4, repair.out)
        for record in repairs {
            XCTAssertEqual(record["repaired"] as? Bool, true, "\(record)")
            XCTAssertTrue((record["source"] as? String)?.contains("/org/repaired-") == true, "the source names the mirror: \(record)")
        }
        let summary = try XCTUnwrap(repair.jsonLines.last)
        XCTAssertEqual(summary["repaired"] as? Int, 4)
        XCTAssertEqual(summary["damaged"] as? Int, 0)

        // Byte-exact: each file hashes to its id again and holds the original content.
        for id in [readmeID, notesID, weightsID, manifest.hex] {
            XCTAssertEqual(try ws.storedSHA(id), id)
        }
        XCTAssertEqual(try ws.storedContent(readmeID), Data(readme.utf8))
        XCTAssertEqual(try ws.storedContent(weightsID), weights)
        XCTAssertEqual(try ws.storedContent(manifest.hex), manifestBytes)
        let clean = try ws.sediment(["verify"])
        XCTAssertEqual(clean.status, 0, clean.out)
        XCTAssertTrue(clean.out.contains("no damage"), clean.out)
        XCTAssertEqual(try ws.sediment(["show", "org/repaired", "notes.txt"]).out, notes)
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: ws.store + "/blobs/tmp")) ?? [], [], "no temporary file left")

        // Nothing to repair: exit 0, no repair records.
        let again = try ws.sediment(["verify", "--repair", "--json"])
        XCTAssertEqual(again.status, 0, again.out)
        XCTAssertEqual(again.jsonLines.filter { $0["type"] as? String == "repair" }.count, 0)
    }

    func testWhatCannotBeRepairedIsNamedAndExitsThree() throws {
        let ws = try Workspace()
        let server = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
        let repo = try ws.newRepository("org/orphan")
        let readme = "# orphan\n"
        try ws.write("README.md", readme, in: repo)
        try ws.commitAll("initial", in: repo)
        try ws.publish(repo, as: "org/orphan")
        try ws.configure([server.url("org/orphan.git")])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)

        // The mirror is gone, and with it the only source of the damaged blob.
        let readmeID = ContentID.of(Data(readme.utf8)).hex
        try FileManager.default.removeItem(atPath: try mirror(ws, endingWith: "orphan.git"))
        try ws.damageBlob(readmeID)
        let repair = try ws.sediment(["verify", "--repair"])
        XCTAssertEqual(repair.status, 3, repair.out + repair.stderr)
        XCTAssertTrue(repair.out.contains("not repaired: blob \(readmeID)"), repair.out)
        XCTAssertTrue(repair.out.contains("no mirror holds git blob") && repair.out.contains("missing"), repair.out)
        XCTAssertTrue(repair.out.contains("not repaired: mirror"), "the missing mirror is named too: \(repair.out)")
        XCTAssertTrue(repair.out.contains("0 repaired, 2 left"), repair.out)
        XCTAssertNotEqual(try ws.storedSHA(readmeID), readmeID, "the damaged file is left as it was, not replaced by something unchecked")

        let json = try ws.sediment(["verify", "--repair", "--json"])
        XCTAssertEqual(json.status, 3)
        let record = try XCTUnwrap(json.jsonLines.first { $0["type"] as? String == "repair" && $0["id"] as? String == readmeID })
        XCTAssertEqual(record["repaired"] as? Bool, false)
        XCTAssertTrue((record["reason"] as? String)?.contains("/org/orphan-") == true, "\(record)")
    }

    func testRepairDownloadsLFSObjectsAgainFromTheirServer() throws {
        let ws = try Workspace()
        let hubRoot = ws.root + "/hub"
        try FileManager.default.createDirectory(atPath: hubRoot + "/lfs", withIntermediateDirectories: true)
        let hub = try FixtureHub(root: hubRoot, home: ws.home, scratch: ws.root)
        let lost = Workspace.bytes(200_000, seed: 61), flipped = Workspace.bytes(90_000, seed: 62)
        let lostOID = ContentID.of(lost).hex, flippedOID = ContentID.of(flipped).hex
        let work = try ws.newRepository("hf/acme/weights")
        let readme = "# weights\n", config = "{\"model_type\": \"bert\"}\n"
        try ws.write("README.md", readme, in: work)
        try ws.write("config.json", config, in: work)
        try ws.write(".gitattributes", "*.safetensors filter=lfs diff=lfs merge=lfs -text\n", in: work)
        for (path, data, oid) in [("model.safetensors", lost, lostOID), ("extra.safetensors", flipped, flippedOID)] {
            try ws.write(path, "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize \(data.count)\n", in: work)
            try data.write(to: URL(fileURLWithPath: hubRoot + "/lfs/" + oid))
        }
        try ws.commitAll("upload", in: work)
        try ws.publish(work, toBare: hubRoot + "/acme/weights.git")
        try hub.setModels([["id": "acme/weights", "downloads": 1]])
        try """
            [storage]
            path = "\(ws.store)"
            lfs = "fetch"

            [http]
            max_attempts = 2
            backoff = "10ms"

            [[hub]]
            kind = "huggingface"
            name = "hf"
            endpoint = "\(hub.endpoint)"
            """.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        XCTAssertEqual(try ws.storedSHA(lostOID), lostOID)

        // Damage: a git blob flipped, another deleted, one LFS object deleted, another flipped.
        let readmeID = ContentID.of(Data(readme.utf8)).hex, configID = ContentID.of(Data(config.utf8)).hex
        try ws.damageBlob(readmeID)
        try ws.loseBlob(configID)
        try ws.loseBlob(lostOID)
        try ws.damageBlob(flippedOID, at: 50_000)
        let damaged = try ws.sediment(["verify"])
        XCTAssertEqual(damaged.status, 3, damaged.out)
        XCTAssertTrue(damaged.out.contains(lostOID) && damaged.out.contains(flippedOID), damaged.out)

        // The LFS server lost one object too: everything else is restored, that one is named.
        try FileManager.default.moveItem(atPath: hubRoot + "/lfs/" + flippedOID, toPath: ws.root + "/kept")
        try hub.resetStats()
        let partly = try ws.sediment(["verify", "--repair"])
        XCTAssertEqual(partly.status, 3, partly.out + partly.stderr)
        XCTAssertTrue(partly.out.contains("repaired: LFS object \(lostOID) from the LFS server of"), partly.out)
        XCTAssertTrue(partly.out.contains("repaired: blob \(readmeID) from git blob"), partly.out)
        XCTAssertTrue(partly.out.contains("repaired: blob \(configID) from git blob"), partly.out)
        XCTAssertTrue(partly.out.contains("not repaired: LFS object \(flippedOID)") && partly.out.contains("404"), partly.out)
        XCTAssertEqual(try hub.lfsStats().gets[lostOID], 1)
        XCTAssertEqual(try ws.storedSHA(lostOID), lostOID)
        XCTAssertEqual(try ws.storedContent(lostOID), lost)
        XCTAssertEqual(try ws.storedSHA(readmeID), readmeID)
        XCTAssertEqual(try ws.storedSHA(configID), configID)
        let left = try ws.sediment(["verify"])
        XCTAssertEqual(left.status, 3, left.out)
        XCTAssertTrue(left.out.contains(": 1 problem") && left.out.contains(flippedOID), left.out)

        // It is back on the server: the next repair restores it, byte for byte.
        try FileManager.default.moveItem(atPath: ws.root + "/kept", toPath: hubRoot + "/lfs/" + flippedOID)
        let repair = try ws.sediment(["verify", "--repair"])
        XCTAssertEqual(repair.status, 0, repair.out + repair.stderr)
        XCTAssertEqual(try ws.storedContent(flippedOID), flipped)
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: ws.store + "/blobs/partial")) ?? [], [])
    }
}
