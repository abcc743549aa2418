import Foundation
import SedimentStore
import StoreTestSupport
import XCTest

/// The catalog's contract on SQLite, the embedded backend.
final class CatalogTests: XCTestCase {
    private var folders: [URL] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
        super.tearDown()
    }

    private func newCatalog() throws -> Catalog {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        folders.append(folder)
        return try Catalog(path: folder.path + "/catalog.sqlite")
    }

    func testConformance() {
        CatalogConformance(make: { try self.newCatalog() }).runAll()
    }

    func testReopeningMigratesNothingTwiceAndKeepsTheData() throws {
        let catalog = try newCatalog()
        try catalog.registerHub(name: "ours", kind: "git")
        _ = try catalog.upsertPackage(hub: "ours", id: "org/a", repositoryURL: nil, mirrorPath: nil, scope: PackageScope(subpath: ""),
                                      seenAt: Date())
        let reopened = try Catalog(path: catalog.path)
        XCTAssertEqual(try reopened.packages().map(\.id), ["org/a"])
        XCTAssertFalse(try Catalog(readOnlyPath: catalog.path).needsUpgrade())
    }
}
