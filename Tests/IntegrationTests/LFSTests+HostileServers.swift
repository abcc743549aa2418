import Foundation
@testable import SedimentEngine
import SedimentGit
import SedimentHTTP
import SedimentStore
import XCTest

/// LFS against servers and repositories that do not play by the rules: credentials go only
/// to the repository's own origin; a pointer's declared size is never trusted to fill the
/// disk, nor taken as proof that a stored content is the object it names.
extension LFSTests {
    /// A pointer file's text.
    func pointer(oid: String, size: Int64) -> String {
        "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize \(size)\n"
    }

    /// Runs SQL that changes the catalog (as a damaged or older archive would have it).
    func alterCatalog(_ sql: String) throws {
        let result = try Shell.run(Shell.which("python3"), ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute(sys.argv[2])
            db.commit()
            """, ws.store + "/catalog.sqlite", sql])
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    /// `[security]` letting URLs from hub data reach this machine's other loopback servers
    /// (given as `configure`'s storage text, it closes `[storage]` and opens the table).
    static let allowLoopback = "\n[security]\nallow_networks = [\"127.0.0.0/8\"]"

    func pendingRows() throws -> [String] {
        try sql("SELECT oid, attempts, reason FROM lfs_pending")
    }

    // MARK: - Credentials

    func testCredentialsGoOnlyToTheRepositorysOwnOrigin() throws {
        let http = "http://hub.example/org/model"
        let credentials = GitCredentials(username: "user", password: "hf_secret")
        func sent(_ lfs: String, repository: String = http) -> Bool {
            LFSFetcher.authorization(credentials, endpoint: LFSEndpoint(url: lfs), repositoryURL: repository) != nil
        }
        XCTAssertTrue(sent("http://hub.example/org/model.git/info/lfs"))
        XCTAssertTrue(sent("http://HUB.example:80/lfs"), "the default port and the host's case do not make another origin")
        XCTAssertTrue(sent("https://hub.example:443/lfs", repository: "https://hub.example/org/model"))
        XCTAssertFalse(sent("http://hub.example:8080/lfs"), "another port is another server")
        XCTAssertFalse(sent("http://hub.example/lfs", repository: "https://hub.example/org/model"),
                       "https to http would send the credentials in clear")
        XCTAssertFalse(sent("https://hub.example/lfs"), "http to https is another origin too")
        XCTAssertFalse(sent("http://other.example/lfs"))
        XCTAssertFalse(sent("http://hub.example@other.example/lfs"), "user information is not the host")
        XCTAssertFalse(sent("http://hub.example.other.example/lfs"))
    }

    func testAnLFSConfigURLOnAnotherPortGetsNoCredentials() throws {
        let server = try HostileServer(home: ws.home, scratch: ws.root)
        let object = Object(10, seed: 81)
        try addModel("acme/lambda", [("model.safetensors", object)],
                     extra: [(".lfsconfig", "[lfs]\n\turl = \(server.base)/lfs-batch/10/\(server.port)\n")])
        let token = "hf_secret_token_for_other_ports"
        try (token + "\n").write(toFile: ws.root + "/token", atomically: true, encoding: .utf8)
        // The other port is a loopback address: allowed here, so that the request is sent at all.
        try configure(Self.allowLoopback, hub: "token_file = \"\(ws.root)/token\"")
        let result = try sync()
        let batches = try server.requests().filter { $0.path.hasPrefix("/lfs-batch/") }
        XCTAssertEqual(batches.count, 1, "the configured LFS server is asked: \(result.stderr)")
        XCTAssertEqual(batches.first?.method, "POST")
        XCTAssertNil(batches.first?.authorization, "but without the hub's credentials: it is not the repository's origin")
        XCTAssertTrue(try server.requests().allSatisfy { $0.authorization == nil })
        XCTAssertFalse(result.out.contains(token) || result.stderr.contains(token))
    }

    /// A `.lfsconfig` (hub data) naming a server on an internal address is refused: no request
    /// reaches it, the object stays pending with the reason, and the visit is not failed.
    func testAnLFSConfigURLOnAnInternalAddressIsRefused() throws {
        let server = try HostileServer(home: ws.home, scratch: ws.root)
        let object = Object(10, seed: 83)
        try addModel("acme/nu", [("model.safetensors", object)],
                     extra: [(".lfsconfig", "[lfs]\n\turl = \(server.base)/lfs-batch/10/\(server.port)\n")])
        try configure()
        let result = try sync()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try server.requests().count, 0, "no request reached the internal address")
        let pending = try pendingRows()
        XCTAssertEqual(pending.count, 1)
        XCTAssertTrue(pending.first?.contains("127.0.0.1 is a loopback address") == true, "\(pending)")
    }

    // MARK: - Declared sizes and free space

    func testAServerSendingMoreThanThePointerSaysIsCutOffAtTheSize() throws {
        let server = try HostileServer(home: ws.home, scratch: ws.root)
        let object = Object(1_000, seed: 82)
        // The server answers 4 MB for an object the pointer says is 1000 bytes.
        try addModel("acme/mu", [("model.safetensors", object)], serve: false,
                     extra: [(".lfsconfig", "[lfs]\n\turl = \(server.base)/lfs-batch/4000000/\(server.port)\n")])
        try configure(Self.allowLoopback)
        let result = try sync()
        XCTAssertNil(try ws.storedSHA(object.oid))
        XCTAssertEqual(try partials(), [], "what was received is discarded, not kept growing")
        XCTAssertEqual(try sql("SELECT COUNT(*) FROM lfs_object"), ["0"])
        let pending = try pendingRows()
        XCTAssertEqual(pending.count, 1)
        XCTAssertTrue(pending.first?.contains("not the 1000 announced") == true, "\(pending) \(result.stderr)")
    }

    func testAnyDeclaredSizeIsAboveTheDefaultLimit() throws {
        let oid = String(repeating: "5e", count: 32)
        try addModel("acme/nu", [], extra: [("huge.bin", pointer(oid: oid, size: 1_000_000_000_000_000))])
        try Data(count: 100).write(to: URL(fileURLWithPath: hubRoot + "/lfs/" + oid))
        try configure()
        _ = try sync()
        XCTAssertEqual(try sql("SELECT COUNT(*) FROM lfs_pending"), ["0"], "a petabyte pointer is outside the default policy")
        XCTAssertEqual(try hub.lfsStats().batches, 0)
        let show = try ws.sediment(["show", "hf:acme/nu", "huge.bin"])
        XCTAssertEqual(show.status, 1)
        XCTAssertTrue(show.stderr.contains("lfs_max_bytes"), show.stderr)
    }

    func testADeclaredSizeBeyondTheFreeSpaceWaitsWithoutFailing() throws {
        let oid = String(repeating: "6f", count: 32)
        try addModel("acme/xi", [], extra: [("huge.bin", pointer(oid: oid, size: 1_000_000_000_000_000))])
        try Data(count: 100).write(to: URL(fileURLWithPath: hubRoot + "/lfs/" + oid))
        try configure("lfs_max_bytes = 0")
        let result = try sync()
        XCTAssertEqual(try hub.lfsStats().gets, [:], "nothing is downloaded: it could never fit")
        XCTAssertEqual(try partials(), [], "no partial file is even started")
        let pending = try pendingRows()
        XCTAssertEqual(pending.count, 1)
        XCTAssertTrue(pending.first?.hasPrefix("\(oid)|0|waits for free space") == true, "no attempt counted: \(pending)")
        XCTAssertTrue(result.stderr.contains("waits for free space"), result.stderr)
        XCTAssertEqual(result.jsonLines.first?["status"] as? String, "full", result.out)
    }

    func testAReserveLargerThanTheFreeSpaceKeepsObjectsPendingUntilThereIsRoom() throws {
        let a = Object(2_000, seed: 83), b = Object(3_000, seed: 84)
        try addModel("acme/omicron", [("a.safetensors", a), ("b.safetensors", b)])
        try configure("free_space_reserve = 9000000000000000000")
        let first = try sync()
        XCTAssertEqual(first.jsonLines.first?["status"] as? String, "full", "the visit is not failed: \(first.out)")
        XCTAssertEqual(first.jsonLines.first?["lfs_pending"] as? Int, 2, first.out)
        XCTAssertTrue(first.stderr.contains("2 objects wait for free space (pending, not failed)"), first.stderr)
        let pending = try pendingRows()
        XCTAssertEqual(pending.count, 2)
        for row in pending {
            XCTAssertTrue(row.contains("|0|waits for free space") && row.contains("storage.free_space_reserve keeps 9000000000000000000"), row)
        }
        XCTAssertEqual(try hub.lfsStats().batches, 0, "the server is not even asked")
        let show = try ws.sediment(["show", "hf:acme/omicron", "a.safetensors"])
        XCTAssertTrue(show.stderr.contains("pending") && show.stderr.contains("waits for free space"), show.stderr)
        let schedule = try sql("SELECT consecutive_failures FROM package_schedule")
        XCTAssertTrue(schedule.allSatisfy { $0 == "0" }, "not counted against the package: \(schedule)")

        // Room again: the next visit stores them.
        try configure("free_space_reserve = 0")
        _ = try sync()
        XCTAssertEqual(try ws.storedSHA(a.oid), a.oid)
        XCTAssertEqual(try ws.storedSHA(b.oid), b.oid)
        XCTAssertEqual(try sql("SELECT COUNT(*) FROM lfs_pending"), ["0"])
    }

    // MARK: - Sizes in deduplication and verification

    func testAPointerWithAFalseSizeIsNotTakenForAStoredContent() throws {
        // A model whose README (a plain file, stored in the blob store) has oid R...
        try addModel("acme/readme", [])
        let readme = Data("# acme/readme\n".utf8)
        let oid = ContentID.of(readme).hex
        // ...and a model whose "weights" pointer names R with a false size.
        try addModel("acme/weights", [], extra: [("model.safetensors", pointer(oid: oid, size: 999_999_999_999))])
        try configure("lfs_max_bytes = 0")
        _ = try ws.sediment(["sync", "--json", "--package", "hf:acme/readme"])
        XCTAssertEqual(try ws.storedSHA(oid), oid, "the README's content is in the blob store")
        _ = try sync()

        XCTAssertEqual(try sql("SELECT COUNT(*) FROM lfs_object"), ["0"], "the pointer is not taken as satisfied by the README")
        let pending = try pendingRows()
        XCTAssertEqual(pending.count, 1)
        XCTAssertTrue(pending.first?.contains("the pointer's size is false") == true, "\(pending)")
        let status = try ws.sediment(["status", "--json"]).jsonLines.first ?? [:]
        XCTAssertEqual(status["lfs_bytes_stored"] as? Int, 0, "no 931 GiB stored")
        XCTAssertEqual(status["lfs_objects_stored"] as? Int, 0)
        let show = try ws.sediment(["show", "hf:acme/weights", "model.safetensors"])
        XCTAssertEqual(show.status, 1)
        XCTAssertNil(show.stdout.range(of: readme), "the README is not printed as the weights")
        XCTAssertTrue(show.stderr.contains("false"), show.stderr)
        let json = try ws.sediment(["show", "hf:acme/weights", "--json"]).jsonLines
        XCTAssertEqual(json.first { $0["path"] as? String == "model.safetensors" }?["lfs_stored"] as? Bool, false)
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0, "nothing false is recorded")
    }

    func testVerifyFindsAnObjectRecordedWithAFalseSizeAndAVisitCorrectsIt() throws {
        let weights = Object(2_000, seed: 85)
        try addModel("acme/pi", [("model.safetensors", weights)])
        try configure()
        _ = try sync()
        XCTAssertEqual(try sql("SELECT size FROM lfs_object"), ["2000"])
        // What an earlier version recorded for a pointer with a false size.
        try alterCatalog("UPDATE lfs_object SET size = 999999999999")
        let verify = try ws.sediment(["verify"])
        XCTAssertEqual(verify.status, 3, verify.out)
        XCTAssertTrue(verify.out.contains(weights.oid) && verify.out.contains("has 2000 bytes, but the catalog records it as stored with 999999999999"),
                      verify.out)

        // The package's next visit checks its object again and records its true size.
        _ = try sync()
        XCTAssertEqual(try sql("SELECT size FROM lfs_object"), ["2000"])
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
        XCTAssertEqual(try hub.lfsStats().gets[weights.oid], 1, "not downloaded again")
    }
}
