import Foundation
import SedimentStore
import TestSupport
import XCTest
@testable import SedimentPostgres

/// What a worker says when it cannot reach the catalog.
final class PostgresConnectingTests: PostgresTestCase {
    func testAWrongPasswordNamesTheTargetAndNotThePassword() throws {
        let settings = try newDatabase("wrongpw")
        let wrong = "wrong-Password-7731"
        let text = message { _ = try PostgreSQLDatabase(settings: settings, environment: ["PGPASSWORD": wrong]) }
        XCTAssertTrue(text.contains("127.0.0.1:\(server.port)"), text)
        XCTAssertTrue(text.contains("database \(settings.database)"), text)
        XCTAssertTrue(text.contains("user sediment"), text)
        XCTAssertTrue(text.contains("password authentication failed"), text)
        XCTAssertTrue(text.contains("SQLSTATE 28P01"), text)
        XCTAssertTrue(text.contains("the password came from PGPASSWORD"), text)
        XCTAssertFalse(text.contains(wrong), text)
        XCTAssertThrowsError(try PostgreSQLDatabase(settings: settings, environment: ["PGPASSWORD": wrong])) { error in
            XCTAssertEqual((error as? SQLDatabaseError)?.transient, false, "a refused password is no reason to try again")
        }
    }

    func testNoPasswordSaysWhereItWasLookedFor() throws {
        let settings = try newDatabase("nopw")
        let text = message {
            _ = try PostgreSQLDatabase(settings: settings, environment: ["HOME": "/nonexistent", "PGPASSFILE": "/nonexistent/pgpass"])
        }
        XCTAssertTrue(text.contains("password"), text)
        XCTAssertTrue(text.contains("PGPASSWORD") && text.contains("/nonexistent/pgpass"), text)
    }

    func testThePasswordFromAPassfileOpens() throws {
        let settings = try newDatabase("passfile")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("passfile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let passfile = folder + "/pgpass"
        try Data("127.0.0.1:\(server.port):*:sediment:\(server.password)\n".utf8).write(to: URL(fileURLWithPath: passfile))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passfile)
        let db = try PostgreSQLDatabase(settings: settings, environment: ["PGPASSFILE": passfile])
        defer { db.close() }
        XCTAssertFalse(try db.needsUpgrade())
    }

    func testRequiringTLSOfAServerWithoutItFailsClearly() throws {
        var settings = try newDatabase("tls")
        for mode in [PostgresSettings.SSLMode.require, .verifyFull] {
            settings.sslMode = mode
            let text = message { _ = try PostgreSQLDatabase(settings: settings, environment: environment) }
            XCTAssertTrue(text.contains("does not offer TLS"), text)
            XCTAssertTrue(text.contains("sslmode=\(mode.rawValue)"), text)
            XCTAssertTrue(text.contains("127.0.0.1:\(server.port)"), text)
        }
        // prefer falls back to an unencrypted connection, as libpq does.
        settings.sslMode = .prefer
        let db = try PostgreSQLDatabase(settings: settings, environment: environment)
        db.close()
    }

    func testNothingListeningSaysConnectionRefused() throws {
        let port = try MotoServer.freePort()
        let settings = PostgresSettings(host: "127.0.0.1", port: port, user: "sediment", database: "absent", sslMode: .disable)
        let text = message { _ = try PostgreSQLDatabase(settings: settings, environment: environment) }
        XCTAssertTrue(text.contains("cannot connect to 127.0.0.1:\(port) (database absent, user sediment)"), text)
        XCTAssertTrue(text.contains("refused"), text)
        XCTAssertThrowsError(try PostgreSQLDatabase(settings: settings, environment: environment)) { error in
            XCTAssertEqual((error as? SQLDatabaseError)?.transient, true, "the server may come back")
        }
    }

    func testAMissingDatabaseIsNamed() throws {
        let settings = try PostgresSettings(url: server.url(database: "no_such_database"), environment: environment)
        let text = message { _ = try PostgreSQLDatabase(settings: settings, environment: environment) }
        XCTAssertTrue(text.contains("no_such_database") && text.contains("SQLSTATE 3D000"), text)
    }
}
