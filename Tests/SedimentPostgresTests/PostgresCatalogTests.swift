import Foundation
import SedimentStore
import StoreTestSupport
import TestSupport
import XCTest
@testable import SedimentPostgres

/// The catalog's contract on PostgreSQL: the same checks as on SQLite, each on a new database.
final class PostgresCatalogTests: PostgresTestCase {
    func testConformance() {
        CatalogConformance(make: { Catalog(database: try self.open()) }).runAll()
    }

    /// A database whose locale orders text otherwise still lists packages in byte order, as
    /// SQLite does: outputs do not depend on the backend.
    func testTextIsOrderedByBytesWhateverTheDatabaseLocale() throws {
        let settings = try newDatabase("locale", options: "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
        let catalog = Catalog(database: try open(settings))
        try catalog.registerHub(name: "ours", kind: "git")
        let names = ["b", "B", "a", "_", "é", "Z"]
        _ = try catalog.upsertPackages(names.map { ListedPackage(id: $0, repositoryURL: nil, mirrorPath: nil, scope: PackageScope(subpath: "")) },
                                       hub: "ours", seenAt: Date())
        XCTAssertEqual(try catalog.packages().map(\.id), ["B", "Z", "_", "a", "b", "é"])
    }

    /// `catalog copy` from SQLite: everything arrives, and the copy answers as the original.
    func testCopyFromSQLiteKeepsEveryRow() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlite = try Catalog(path: folder.path + "/catalog.sqlite")
        try sqlite.registerHub(name: "ours", kind: "git")
        let package = try sqlite.upsertPackage(hub: "ours", id: "org/a", repositoryURL: "git://h/a.git", mirrorPath: "h/a.git",
                                               scope: PackageScope(subpath: ""), seenAt: Date(timeIntervalSince1970: 1_700_000_000))
        let crawl = try sqlite.beginCrawl(hub: "ours", at: Date(timeIntervalSince1970: 1_700_000_000))
        try sqlite.finishCrawl(crawl, at: Date(timeIntervalSince1970: 1_700_000_100), packages: 1, failed: 0, eventful: 0)
        try sqlite.storeHTTPCache(url: "https://h/a", etag: "\"x\"", lastModified: nil, body: Data([0, 255]), at: Date())
        let postgres = Catalog(database: try open())
        try sqlite.copy(to: postgres)
        XCTAssertEqual(try postgres.package(named: "ours:org/a").rowID, package.rowID)
        XCTAssertEqual(try postgres.httpCache(url: "https://h/a")?.body, Data([0, 255]))
        XCTAssertEqual(try postgres.beginCrawl(hub: "ours", at: Date()), crawl + 1, "the next crawl id follows the copied ones")
        XCTAssertThrowsError(try sqlite.copy(to: postgres)) { error in
            XCTAssertTrue("\(error)".contains("is not empty"), "\(error)")
        }
    }
}
