import XCTest
@testable import SedimentPostgres

final class PostgresSettingsTests: XCTestCase {
    func testHostPortUserAndDatabase() throws {
        let settings = try PostgresSettings(url: "postgresql://alice@db.example.org:6543/archive", environment: [:])
        XCTAssertEqual(settings.host, "db.example.org")
        XCTAssertEqual(settings.port, 6543)
        XCTAssertEqual(settings.user, "alice")
        XCTAssertEqual(settings.database, "archive")
        XCTAssertEqual(settings.sslMode, .prefer, "libpq's default")
        XCTAssertEqual(settings.poolSize, 4)
        XCTAssertEqual(settings.location, "postgresql://alice@db.example.org:6543/archive")
    }

    func testDefaults() throws {
        let settings = try PostgresSettings(url: "postgres://alice@db.example.org", environment: [:])
        XCTAssertEqual(settings.port, 5432)
        XCTAssertEqual(settings.database, "alice", "the database defaults to the user")
        let slash = try PostgresSettings(url: "postgres://alice@db.example.org:5433/", environment: [:])
        XCTAssertEqual(slash.port, 5433)
        XCTAssertEqual(slash.database, "alice")
    }

    func testUserFromPGUSERThenTheProcessUser() throws {
        let fromEnvironment = try PostgresSettings(url: "postgresql://db.example.org/archive", environment: ["PGUSER": "bob"])
        XCTAssertEqual(fromEnvironment.user, "bob")
        let fromProcess = try PostgresSettings(url: "postgresql://db.example.org/archive", environment: [:])
        XCTAssertEqual(fromProcess.user, PostgresSettings.currentUser())
        XCTAssertFalse(fromProcess.user.isEmpty)
    }

    func testPercentEscapes() throws {
        let settings = try PostgresSettings(
            url: "postgresql://us%40er@db.example.org/my%20archive?sslmode=verify-full&sslrootcert=%2Fetc%2Fsediment%2Fca.pem",
            environment: [:])
        XCTAssertEqual(settings.user, "us@er")
        XCTAssertEqual(settings.database, "my archive")
        XCTAssertEqual(settings.sslRootCert, "/etc/sediment/ca.pem")
        XCTAssertEqual(settings.sslMode, .verifyFull)
        XCTAssertEqual(settings.location, "postgresql://us%40er@db.example.org:5432/my%20archive")
    }

    func testIPv6Host() throws {
        let settings = try PostgresSettings(url: "postgresql://u@[::1]:5433/d", environment: [:])
        XCTAssertEqual(settings.host, "::1")
        XCTAssertEqual(settings.port, 5433)
        XCTAssertEqual(settings.location, "postgresql://u@[::1]:5433/d")
    }

    func testEverySSLMode() throws {
        let expected: [String: PostgresSettings.SSLMode] = [
            "disable": .disable, "prefer": .prefer, "require": .require, "verify-ca": .verifyCA, "verify-full": .verifyFull,
        ]
        for (text, mode) in expected {
            XCTAssertEqual(try PostgresSettings(url: "postgresql://u@h/d?sslmode=\(text)", environment: [:]).sslMode, mode, text)
        }
        let timeout = try PostgresSettings(url: "postgresql://u@h/d?connect_timeout=3&application_name=w1", environment: [:])
        XCTAssertEqual(timeout.connectTimeout, 3)
        XCTAssertEqual(timeout.applicationName, "w1")
    }

    func testUnknownModeAndKeyAreRefusedByName() {
        XCTAssertThrowsError(try PostgresSettings(url: "postgresql://u@h/d?sslmode=allow", environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("sslmode=allow"), "\(error)")
            XCTAssertTrue("\(error)".contains("verify-full"), "lists the known modes: \(error)")
        }
        XCTAssertThrowsError(try PostgresSettings(url: "postgresql://u@h/d?sslmode=require&target_session_attrs=any", environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("target_session_attrs"), "\(error)")
        }
    }

    func testBadPortsAndURLsAreRefused() {
        for url in ["postgresql://u@h:0/d", "postgresql://u@h:70000/d", "postgresql://u@h:abc/d"] {
            XCTAssertThrowsError(try PostgresSettings(url: url, environment: [:])) { error in
                XCTAssertTrue("\(error)".contains("port"), "\(url): \(error)")
            }
        }
        XCTAssertThrowsError(try PostgresSettings(url: "mysql://u@h/d", environment: [:]))
        XCTAssertThrowsError(try PostgresSettings(url: "postgresql://u@/d", environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("no host"), "\(error)")
        }
        XCTAssertThrowsError(try PostgresSettings(url: "postgresql://u@h/a/b", environment: [:]))
    }

    func testAPasswordInTheURLIsRefusedWithoutBeingRepeated() {
        let secret = "s3cr3t-Pw-42"
        let urls = [
            "postgresql://alice:\(secret)@db.example.org/archive",
            "postgresql://alice:se/cr@et-\(secret)@db.example.org/archive",
            "postgresql://alice@db.example.org/archive?sslmode=require&password=\(secret)",
            // Even with another problem before the password is seen.
            "postgresql://alice@db.example.org:99999/archive?password=\(secret)",
        ]
        for url in urls {
            XCTAssertThrowsError(try PostgresSettings(url: url, environment: [:])) { error in
                let text = "\(error)"
                XCTAssertFalse(text.contains(secret), "the message repeats the password: \(text)")
                XCTAssertFalse(text.contains("cr@et"), "the message repeats part of the password: \(text)")
                if !url.contains(":99999") {
                    XCTAssertTrue(text.contains("password"), "names the key: \(text)")
                    XCTAssertTrue(text.contains("PGPASSWORD"), "says where the password goes: \(text)")
                }
            }
        }
    }
}
