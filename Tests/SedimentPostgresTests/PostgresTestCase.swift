import Foundation
import SedimentStore
import TestSupport
import XCTest
@testable import SedimentPostgres

/// A test class with one PostgreSQL server for all its tests, started in the class's setUp
/// and stopped by its pid in its tearDown; each test makes its own databases.
class PostgresTestCase: XCTestCase {
    nonisolated(unsafe) private static var shared: PostgresServer?
    nonisolated(unsafe) private static var startFailure: String?

    override class func setUp() {
        super.setUp()
        do {
            shared = try PostgresServer()
        } catch {
            startFailure = "\(error)"
        }
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
        startFailure = nil
        super.tearDown()
    }

    var server: PostgresServer!

    override func setUpWithError() throws {
        try super.setUpWithError()
        if let failure = Self.startFailure {
            XCTFail("PostgreSQL did not start: \(failure)")
            throw ServerStartFailure(description: failure)
        }
        server = Self.shared
    }

    /// The environment the catalog reads its password from (and no passfile).
    var environment: [String: String] {
        ["PGPASSWORD": server.password, "HOME": "/nonexistent", "PGPASSFILE": "/nonexistent/pgpass"]
    }

    /// A new, empty database's settings.
    func newDatabase(_ prefix: String = "t", options: String = "") throws -> PostgresSettings {
        let name = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        return try PostgresSettings(url: try server.createDatabase(name, options: options), environment: environment)
    }

    /// A new database, opened (and migrated).
    func open(_ settings: PostgresSettings? = nil) throws -> PostgreSQLDatabase {
        try PostgreSQLDatabase(settings: settings ?? newDatabase(), environment: environment)
    }

    /// The message of the error `body` throws; fails when it throws none.
    func message(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> String {
        do {
            try body()
        } catch {
            return "\(error)"
        }
        XCTFail("no error was thrown", file: file, line: line)
        return ""
    }
}

/// What threads of a test add to, under a lock.
final class Collected<Element: Hashable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Element] = []

    func add(_ item: Element) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    var all: [Element] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
