import Foundation
import SedimentStore
import XCTest

/// The archive in packs, end to end through `sediment`: an archive written before packs reads
/// as before and `migrate` packs it (resumably, even killed); `rebuild-index` gives back the
/// index written; `verify` reads packs and names what a flipped byte in one damages.
final class PackTests: XCTestCase {
    /// A synced repository of `files` small text files plus one large binary, in packs of
    /// `packSize` bytes.
    func syncedArchive(files: Int, packSize: Int = 1 << 20) throws -> (ws: Workspace, repo: String) {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/packed")
        for n in 0..<files {
            try ws.write("dir-\(n % 10)/file-\(n).txt", "file \(n)\n" + String(repeating: "weights \(n % 7) ", count: 40 + n % 30), in: repo)
        }
        try ws.write("weights/big.bin", Workspace.bytes(200_000, seed: 9), in: repo)
        try ws.commitAll("initial", in: repo)
        try ws.configure([repo], blobMaxBytes: 1 << 20, storage: "pack_threshold = 100000\npack_size = \(packSize)")
        let sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 0, sync.out + sync.stderr)
        return (ws, repo)
    }

    func testALooseArchiveReadsAsBeforeAndMigratesIntoPacks() throws {
        let (ws, repo) = try syncedArchive(files: 120)
        let package = "ours:" + String(repo.dropFirst())
        let before = try ws.sediment(["show", package, "dir-3/file-13.txt"])
        XCTAssertEqual(before.status, 0, before.stderr)
        try ws.rewriteAsLooseArchive()
        XCTAssertEqual(try ws.packFiles(), [])
        let loose = ws.looseBlobFiles().count
        XCTAssertEqual(loose, 122, "120 files, the large one and the manifest, each a file of its own")

        XCTAssertEqual(try ws.sediment(["show", package, "dir-3/file-13.txt"]).out, before.out, "a loose archive reads as before")
        let verifyLoose = try ws.sediment(["verify"])
        XCTAssertEqual(verifyLoose.status, 0, verifyLoose.out)

        let migrate = try ws.sediment(["migrate", "--json"])
        XCTAssertEqual(migrate.status, 0, migrate.out + migrate.stderr)
        let summary = try XCTUnwrap(migrate.jsonLines.last)
        XCTAssertEqual(summary["packed"] as? Int, 121)
        XCTAssertEqual(summary["removed"] as? Int, 121)
        XCTAssertEqual(summary["large"] as? Int, 1)
        XCTAssertEqual(summary["packs"] as? Int, try ws.packFiles().count)
        XCTAssertEqual(ws.looseBlobFiles().count, 1, "only the large object stays a file of its own")
        XCTAssertEqual(try ws.sediment(["show", package, "dir-3/file-13.txt"]).out, before.out)
        XCTAssertEqual(try ws.sediment(["show", package, "weights/big.bin"]).stdout, Workspace.bytes(200_000, seed: 9))
        let verify = try ws.sediment(["verify"])
        XCTAssertEqual(verify.status, 0, verify.out)
        XCTAssertEqual(try ws.sediment(["migrate", "--json"]).jsonLines.last?["packed"] as? Int, 0, "nothing left to migrate")
    }

    /// `migrate` killed with SIGKILL again and again, then run to its end: every blob readable,
    /// no small loose file left, `verify` clean.
    func testMigrateKilledAtAnyMomentResumes() throws {
        let (ws, repo) = try syncedArchive(files: 1_500, packSize: 16_384)
        try ws.rewriteAsLooseArchive()
        let expected = try ws.catalogRows("SELECT DISTINCT sha256 FROM blob WHERE stored").compactMap { $0.first ?? nil }
        XCTAssertEqual(expected.count, 1_501)
        var killed = 0
        for trial in 0..<6 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Shell.sedimentBinary)
            process.arguments = ["migrate", "--config", ws.configPath]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let packsBefore = try ws.packFiles().count
            try process.run()
            // Kill once it has written a pack or two more (or at once, every third trial).
            let deadline = Date().addingTimeInterval(30)
            while trial % 3 != 2, process.isRunning, Date() < deadline, try ws.packFiles().count < packsBefore + 1 + trial % 2 {
                usleep(2_000)
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
        }
        XCTAssertGreaterThanOrEqual(killed, 3, "the trials must interrupt runs")
        let finish = try ws.sediment(["migrate", "--json"])
        XCTAssertEqual(finish.status, 0, finish.out + finish.stderr)
        XCTAssertEqual(ws.looseBlobFiles().count, 2, "only the large object and the manifest (above pack_threshold) are left loose: \(ws.looseBlobFiles()) \(finish.out)")
        let verify = try ws.sediment(["verify"])
        XCTAssertEqual(verify.status, 0, verify.out)
        XCTAssertFalse(verify.stderr.contains("not in the index"), verify.stderr)
        let store = try ws.blobStore()
        for hex in expected { XCTAssertTrue(store.contains(try XCTUnwrap(ContentID(hex: hex))), hex) }
        XCTAssertEqual(try ws.sediment(["show", "ours:" + String(repo.dropFirst()), "dir-4/file-1234.txt"]).status, 0)
    }

    func testRebuildIndexFromThePacksAloneEqualsTheIndexWritten() throws {
        let (ws, _) = try syncedArchive(files: 300, packSize: 4_096)
        let written = try ws.catalogRows("SELECT blob, pack, kind, compression, offset, length, size FROM pack_blob ORDER BY blob")
        let packs = try ws.catalogRows("SELECT id, bytes, blobs FROM pack ORDER BY id")
        XCTAssertEqual(written.count, 301)
        XCTAssertGreaterThan(packs.count, 2)
        let status = try XCTUnwrap(try ws.sediment(["status", "--json"]).jsonLines.first)
        XCTAssertEqual(status["packs"] as? Int, packs.count, "\(status)")
        XCTAssertEqual(status["packed_blobs"] as? Int, 301)
        XCTAssertTrue(try ws.sediment(["status"]).out.contains("packs \(packs.count) ("), "status shows the packs")
        try ws.dropPackIndex()
        XCTAssertEqual(try ws.sediment(["verify"]).status, 3, "with the index gone, every packed blob is missing")
        let rebuild = try ws.sediment(["rebuild-index"])
        XCTAssertEqual(rebuild.status, 0, rebuild.out + rebuild.stderr)
        XCTAssertTrue(rebuild.out.contains("indexed \(packs.count) pack\(packs.count == 1 ? "" : "s") holding 301 blobs"), rebuild.out)
        XCTAssertEqual(try ws.catalogRows("SELECT blob, pack, kind, compression, offset, length, size FROM pack_blob ORDER BY blob"), written)
        XCTAssertEqual(try ws.catalogRows("SELECT id, bytes, blobs FROM pack ORDER BY id"), packs)
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }

    /// A flipped byte inside a pack: `verify` names the blob, the path and the package; the
    /// pack's own check names the pack; `--repair` restores the blob from the mirror, after
    /// which `verify` is clean (the damaged copy is superseded).
    func testAFlippedByteInAPackIsNamedAndRepaired() throws {
        let (ws, repo) = try syncedArchive(files: 50)
        let package = String(repo.dropFirst())
        let content = "file 17\n" + String(repeating: "weights 3 ", count: 40 + 17)
        let id = ContentID.of(Data(content.utf8)).hex
        try ws.damageBlob(id, at: 3)
        let verify = try ws.sediment(["verify", "--json"])
        XCTAssertEqual(verify.status, 3, verify.out)
        let damage = verify.jsonLines.filter { $0["type"] as? String == "damage" }
        XCTAssertEqual(damage.count, 1, verify.out)
        XCTAssertEqual(damage.first?["id"] as? String, id)
        XCTAssertTrue((damage.first?["used_by"] as? [String])?.contains { $0.contains(package) && $0.contains("dir-7/file-17.txt") } == true, verify.out)
        XCTAssertTrue((damage.first?["message"] as? String)?.contains(".pack") == true, "the pack is named: \(verify.out)")
        let sampled = try ws.sediment(["verify", "--sample", "1", "--json"])
        XCTAssertEqual(sampled.jsonLines.last?["type"] as? String, "summary", sampled.out)
        let repair = try ws.sediment(["verify", "--repair"])
        XCTAssertEqual(repair.status, 0, repair.out + repair.stderr)
        XCTAssertEqual(try ws.storedContent(id), Data(content.utf8))
        let clean = try ws.sediment(["verify"])
        XCTAssertEqual(clean.status, 0, clean.out)
    }
}
