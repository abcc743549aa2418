import Foundation
import SedimentStore
import XCTest

final class CatalogTests: XCTestCase {
    func testVisitRoundTripsThroughTheCatalog() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let catalog = try Catalog(path: folder.path + "/catalog.sqlite")
        try catalog.registerHub(name: "ours", kind: "git")
        let package = try catalog.upsertPackage(hub: "ours", id: "org/a", repositoryURL: "git://h/org/a.git", mirrorPath: "h/org/a.git",
                                                scope: PackageScope(subpath: ""), seenAt: Catalog.date("2026-01-01T00:00:00.000Z")!)
        let commit = String(repeating: "c", count: 40)
        let blob = BlobInfo(gitBlob: String(repeating: "b", count: 40), sha256: ContentID.of(Data("x".utf8)), size: 1, stored: true,
                            lfsOID: nil, lfsSize: nil)
        var visit = VisitRecord(packageRowID: package.rowID, repositoryRowID: package.repositoryRowID, crawlID: nil,
                                startedAt: Catalog.date("2026-01-01T00:00:00.000Z")!, finishedAt: Catalog.date("2026-01-01T00:00:01.000Z")!, status: .full, eventful: true, error: nil)
        visit.commits = [CommitRecord(id: commit, tree: String(repeating: "t", count: 40), parents: [], authorName: "A", authorEmail: "a@x",
                                      authorTime: 1, authorOffset: 60, committerName: "C", committerEmail: "c@x", committerTime: 2,
                                      committerOffset: -120, message: "m\n",
                                      changes: [ChangeRecord(status: "added", oldPath: nil, newPath: "x", oldBlob: nil, newBlob: blob.gitBlob, oldMode: nil, newMode: 0o100644)])]
        visit.blobs = [blob]
        visit.refTips = ["refs/heads/main": commit]
        let state = SnapshotState(hub: "ours", package: "org/a", head: commit, manifest: nil, metadata: nil, refs: visit.refTips!)
        visit.snapshot = SnapshotRecord(id: state.id, takenAt: visit.finishedAt, head: commit, headRef: "refs/heads/main", manifest: nil, refs: visit.refTips!)
        try catalog.record(visit)

        XCTAssertEqual(try catalog.package(named: "org/a").rowID, package.rowID)
        XCTAssertEqual(try catalog.package(named: "ours:org/a").rowID, package.rowID)
        XCTAssertThrowsError(try catalog.package(named: "nope"))
        XCTAssertEqual(try catalog.blobs([blob.gitBlob, String(repeating: "d", count: 40)]), [blob.gitBlob: blob])
        let commits = try catalog.commits(repository: package.repositoryRowID!)
        XCTAssertEqual(commits.map(\.id), [commit])
        XCTAssertEqual(commits.first?.committerOffset, -120)
        XCTAssertEqual(try catalog.changes(commit: commit).first?.newPath, "x")
        XCTAssertEqual(try catalog.refTips(repository: package.repositoryRowID!), ["refs/heads/main": commit])
        let snapshots = try catalog.snapshots(package: package.rowID)
        XCTAssertEqual(snapshots.map(\.id), [state.id])
        XCTAssertEqual(snapshots.first?.refs, ["refs/heads/main": commit])
        XCTAssertEqual(try catalog.commitIDs(repository: package.repositoryRowID!, prefix: "ccc"), [commit])
        let status = try catalog.status()
        XCTAssertEqual(status.commits, 1)
        XCTAssertEqual(status.snapshots, 1)
        XCTAssertEqual(status.storedBlobs, 1)

        // Reopening migrates nothing twice and keeps the data.
        let reopened = try Catalog(path: folder.path + "/catalog.sqlite")
        XCTAssertEqual(try reopened.packages().count, 1)
    }
}
