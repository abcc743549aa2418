import Foundation
import SedimentStore
import XCTest

/// An archive written by the version before packs (`Tests/Fixtures/archives/`): it opens and
/// reads as it did, its catalog is upgraded, and `migrate` packs its blobs without changing
/// what any command prints.
final class LooseArchiveTests: XCTestCase {
    static let package = "ours:tmp/sediment-loose-fixture/org/tiny-model"

    func openFixture() throws -> Workspace {
        let ws = try Workspace()
        let archive = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/archives/loose-28c939c.tar.gz").path
        try FileManager.default.createDirectory(atPath: ws.store, withIntermediateDirectories: true)
        let untar = try Shell.run(Shell.which("tar"), ["-xzf", archive, "-C", ws.store])
        XCTAssertEqual(untar.status, 0, untar.stderr)
        try ws.configure(["/tmp/sediment-loose-fixture/org/tiny-model"])
        return ws
    }

    /// What the archive answers, command by command.
    func answers(_ ws: Workspace) throws -> [String] {
        let log = try ws.sediment(["log", "--json", Self.package])
        let commits = log.jsonLines.compactMap { $0["id"] as? String ?? $0["commit"] as? String }
        XCTAssertEqual(commits.count, 2, log.out + log.stderr)
        var outputs = [log.out]
        for arguments in [["packages"], ["snapshots", Self.package], ["show", Self.package, "README.md"],
                          ["show", Self.package, "d1/f1.txt"], ["history", Self.package],
                          ["diff", Self.package, commits.last ?? "", commits.first ?? ""]] {
            let result = try ws.sediment(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.out) \(result.stderr)")
            outputs.append(result.out)
        }
        return outputs
    }

    func testAnArchiveWrittenBeforePacksReadsAsBeforeThenMigrates() throws {
        let ws = try openFixture()
        XCTAssertEqual(ws.looseBlobFiles().count, 30)
        let before = try answers(ws)
        XCTAssertTrue(before[3].contains("license: apache-2.0"), before[3])
        XCTAssertTrue(before[6].contains("d2/renamed.txt") && before[6].contains("d1/f1.txt"), before[6])
        XCTAssertEqual(try ws.catalogRows("SELECT identifier FROM grdb_migrations ORDER BY rowid DESC LIMIT 1"), [["v15: research views"]],
                       "reading upgraded the catalog")
        let verifyLoose = try ws.sediment(["verify"])
        XCTAssertEqual(verifyLoose.status, 0, verifyLoose.out + verifyLoose.stderr)

        let migrate = try ws.sediment(["migrate", "--json"])
        XCTAssertEqual(migrate.status, 0, migrate.out + migrate.stderr)
        let summary = try XCTUnwrap(migrate.jsonLines.last)
        XCTAssertEqual(summary["packed"] as? Int, 30)
        XCTAssertEqual(summary["removed"] as? Int, 30)
        XCTAssertEqual(summary["packs"] as? Int, 1)
        XCTAssertLessThan(summary["pack_bytes"] as? Int ?? .max, summary["content_bytes"] as? Int ?? 0, "compressed")
        XCTAssertEqual(ws.looseBlobFiles(), [])
        XCTAssertEqual(try ws.packFiles().count, 1)

        XCTAssertEqual(try answers(ws), before, "every command answers as before")
        let verify = try ws.sediment(["verify"])
        XCTAssertEqual(verify.status, 0, verify.out + verify.stderr)
        XCTAssertTrue(verify.out.contains("30 blobs") || verify.out.contains("28 blobs"), verify.out)
    }
}
