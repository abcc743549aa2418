import XCTest
@testable import SedimentPostgres

final class PostgresPasswordTests: XCTestCase {
    var folder: String!
    let settings = PostgresSettings(host: "db.example.org", port: 5432, user: "alice", database: "archive")

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Writes `text` to a file of the folder with `mode`, and returns its path.
    func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        let path = folder + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    func testPGPASSWORDComesFirst() throws {
        let credentials = folder + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        _ = try write("credentials/catalog_password", "from-credential\n")
        let passfile = try write("pgpass", "*:*:*:*:from-passfile\n")
        let found = PostgresPassword.find(for: settings, environment: [
            "PGPASSWORD": "from-environment", "CREDENTIALS_DIRECTORY": credentials, "PGPASSFILE": passfile,
        ])
        XCTAssertEqual(found.password, "from-environment")
        XCTAssertEqual(found.source, "PGPASSWORD")
    }

    func testSystemdCredentialComesBeforeThePassfile() throws {
        let credentials = folder + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        _ = try write("credentials/catalog_password", "from credential\n")
        let passfile = try write("pgpass", "*:*:*:*:from-passfile\n")
        let found = PostgresPassword.find(for: settings, environment: [
            "PGPASSWORD": "", "CREDENTIALS_DIRECTORY": credentials, "PGPASSFILE": passfile,
        ])
        XCTAssertEqual(found.password, "from credential", "the trailing newline is removed, inner blanks kept")
        XCTAssertEqual(found.source, "credential \(credentials)/catalog_password")
        // A credentials folder without the file: the passfile answers.
        try FileManager.default.removeItem(atPath: credentials + "/catalog_password")
        let fallback = PostgresPassword.find(for: settings, environment: ["CREDENTIALS_DIRECTORY": credentials, "PGPASSFILE": passfile])
        XCTAssertEqual(fallback.password, "from-passfile")
    }

    func testPassfileMatchingWildcardsAndEscapes() throws {
        let passfile = try write("pgpass", """
            # a comment line: db.example.org:5432:archive:alice:commented
            other.example.org:5432:*:alice:other-host
            db.example.org:5432:archive:bob:for-bob
            db.example.org:5433:archive:alice:other-port
            db.example.org:*:archive:alice:first\\:match\\\\end
            *:*:*:*:fallback

            """)
        let environment = ["PGPASSFILE": passfile]
        let alice = PostgresPassword.find(for: settings, environment: environment)
        XCTAssertEqual(alice.password, "first:match\\end")
        XCTAssertEqual(alice.source, "passfile \(passfile)")
        var carol = settings
        carol.user = "carol"
        XCTAssertEqual(PostgresPassword.find(for: carol, environment: environment).password, "fallback")
        var bob = settings
        bob.user = "bob"
        XCTAssertEqual(PostgresPassword.find(for: bob, environment: environment).password, "for-bob")
    }

    func testEscapedStarIsNotAWildcard() throws {
        let passfile = try write("pgpass", "\\*:*:*:*:literal-star\n")
        XCTAssertNil(PostgresPassword.find(for: settings, environment: ["PGPASSFILE": passfile]).password)
        var star = settings
        star.host = "*"
        XCTAssertEqual(PostgresPassword.find(for: star, environment: ["PGPASSFILE": passfile]).password, "literal-star")
    }

    func testHomePgpassIsTheDefaultPassfile() throws {
        _ = try write(".pgpass", "db.example.org:5432:archive:alice:from-home\n")
        let found = PostgresPassword.find(for: settings, environment: ["HOME": folder])
        XCTAssertEqual(found.password, "from-home")
        XCTAssertEqual(found.source, "passfile \(folder!)/.pgpass")
    }

    func testPassfileOthersCanReadIsIgnoredWithAReason() throws {
        let passfile = try write("pgpass", "*:*:*:*:exposed\n", mode: 0o640)
        let found = PostgresPassword.find(for: settings, environment: ["PGPASSFILE": passfile])
        XCTAssertNil(found.password)
        XCTAssertEqual(found.warnings.count, 1)
        XCTAssertTrue(found.warnings[0].contains(passfile), found.warnings[0])
        XCTAssertTrue(found.warnings[0].contains("0600"), found.warnings[0])
        XCTAssertFalse(found.warnings[0].contains("exposed"))
        let worldReadable = try write("pgpass2", "*:*:*:*:exposed\n", mode: 0o604)
        XCTAssertNil(PostgresPassword.find(for: settings, environment: ["PGPASSFILE": worldReadable]).password)
    }

    func testNoSourceGivesNoPassword() {
        let found = PostgresPassword.find(for: settings, environment: ["HOME": folder, "PGPASSFILE": folder + "/missing"])
        XCTAssertNil(found.password)
        XCTAssertNil(found.source)
        XCTAssertTrue(found.warnings.isEmpty)
        XCTAssertTrue(PostgresPassword.searched(environment: ["PGPASSFILE": "/x/pgpass"]).contains("/x/pgpass"))
    }
}
