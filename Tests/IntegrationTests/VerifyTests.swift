import Foundation
import SedimentStore
import XCTest

/// `sediment verify` finds each kind of damage, names what it affects, and exits 3.
final class VerifyTests: XCTestCase {
    func testVerifyFindsDamage() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/verified")
        try ws.write("README.md", "# verified\n", in: repo)
        try ws.write("config.json", "{\"model_type\": \"bert\"}\n", in: repo)
        try ws.write("notes.txt", "some notes\n", in: repo)
        try ws.commitAll("initial", in: repo)
        try ws.configure([repo])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)

        let clean = try ws.sediment(["verify"])
        XCTAssertEqual(clean.status, 0, clean.out + clean.stderr)
        XCTAssertTrue(clean.out.contains("no damage"), clean.out)
        XCTAssertEqual(try ws.sediment(["verify", "--sample", "50"]).status, 0)
        XCTAssertEqual(try ws.sediment(["verify", "--sample", "0"]).status, 2)

        let sha = { (text: String) in ContentID.of(Data(text.utf8)) }
        // Flip a byte in one blob (inside its pack), lose another.
        try ws.damageBlob(sha("# verified\n").hex)
        try ws.loseBlob(sha("some notes\n").hex)
        let damaged = try ws.sediment(["verify"])
        XCTAssertEqual(damaged.status, 3, damaged.out)
        XCTAssertTrue(damaged.out.contains("damaged") && damaged.out.contains("README.md"), damaged.out)
        XCTAssertTrue(damaged.out.contains("not in the blob store") && damaged.out.contains("notes.txt"), damaged.out)
        XCTAssertTrue(damaged.out.contains(String(repo.dropFirst())), "the affected package is named: \(damaged.out)")

        // Delete the manifest itself.
        let catalog = try Catalog(readOnlyPath: ws.store + "/catalog.sqlite")
        let manifest = try XCTUnwrap(try catalog.snapshots(package: try catalog.package(named: String(repo.dropFirst())).rowID).last?.manifest)
        try ws.loseBlob(manifest.hex)
        let noManifest = try ws.sediment(["verify"])
        XCTAssertEqual(noManifest.status, 3)
        XCTAssertTrue(noManifest.out.contains("manifest \(manifest.hex)"), noManifest.out)

        // A mirror that lost its objects: the archived tip no longer resolves.
        let mirrors = ws.store + "/mirrors"
        let mirror = try XCTUnwrap(FileManager.default.enumerator(atPath: mirrors)?.compactMap { $0 as? String }.first { $0.contains("verified-") && $0.hasSuffix(".git") })
        try FileManager.default.removeItem(atPath: mirrors + "/" + mirror + "/objects")
        try FileManager.default.createDirectory(atPath: mirrors + "/" + mirror + "/objects/pack", withIntermediateDirectories: true)
        let noObjects = try ws.sediment(["verify"])
        XCTAssertEqual(noObjects.status, 3)
        XCTAssertTrue(noObjects.out.contains("refs/heads/main points at"), noObjects.out)
    }
}
