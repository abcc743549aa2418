import Foundation
import SedimentGit
import XCTest

/// The libgit2 wrapper against a real repository made with the git CLI: ref updates of each
/// kind, transfer statistics, history, trees, diffs and blob reads.
final class FetchTests: XCTestCase {
    var folder: URL!
    var source: String { folder.appendingPathComponent("source").path }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fetch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder.appendingPathComponent("source").path, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main", source)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    @discardableResult
    func git(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", source] + arguments
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = folder.path
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_AUTHOR_NAME"] = "Ann"; env["GIT_AUTHOR_EMAIL"] = "ann@x"; env["GIT_COMMITTER_NAME"] = "Bob"; env["GIT_COMMITTER_EMAIL"] = "bob@x"
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "git \(arguments)")
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func commit(_ file: String, _ text: String, _ message: String) throws -> ObjectID {
        try text.write(toFile: source + "/" + file, atomically: true, encoding: .utf8)
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
        return ObjectID(hex: try git("rev-parse", "HEAD"))!
    }

    func testRefUpdatesHistoryTreesAndBlobs() throws {
        let first = try commit("a.txt", "one\n", "one")
        let second = try commit("a.txt", "two\n", "two")
        try git("branch", "side", second.hex)
        try git("tag", "-a", "v1", "-m", "v1")
        let mirror = try Repository.openOrCreateBare(at: folder.appendingPathComponent("mirror.git").path)

        let initial = try mirror.fetch(url: source, patterns: .default)
        XCTAssertEqual(Set(initial.updates.map(\.kind)), [.created])
        XCTAssertEqual(Set(initial.remoteRefs.keys), ["refs/heads/main", "refs/heads/side", "refs/tags/v1"])
        XCTAssertGreaterThan(initial.receivedObjects, 0)
        XCTAssertEqual(initial.defaultBranch, "refs/heads/main")
        XCTAssertEqual(try mirror.references(prefixes: ["refs/heads/"])["refs/heads/main"], second)

        // Fast-forward main, force side elsewhere, delete nothing yet.
        let third = try commit("b.txt", "b\n", "three")
        try git("branch", "-f", "side", third.hex)
        try git("reset", "-q", "--hard", second.hex)
        try git("branch", "-q", "-D", "side")
        try git("checkout", "-q", "-b", "side", first.hex)
        let rewritten = try commit("c.txt", "c\n", "rewritten side")
        try git("checkout", "-q", "main")
        try git("merge", "-q", "--ff-only", third.hex)
        try git("tag", "-d", "v1")

        let next = try mirror.fetch(url: source, patterns: .default)
        let kinds = Dictionary(uniqueKeysWithValues: next.updates.map { ($0.name, $0.kind) })
        XCTAssertEqual(kinds["refs/heads/main"], .fastForward)
        XCTAssertEqual(kinds["refs/heads/side"], .forced)
        XCTAssertEqual(kinds["refs/tags/v1"], .deleted)
        XCTAssertEqual(next.remoteRefs["refs/heads/side"], rewritten)

        // History: everything new since the first fetch's tips.
        let commits = try mirror.commits(from: Array(next.remoteRefs.values), hiding: [second])
        XCTAssertEqual(Set(commits.map(\.id)), [third, rewritten])
        let info = try XCTUnwrap(commits.first { $0.id == third })
        XCTAssertEqual(info.parents, [second])
        XCTAssertEqual(info.author.name, "Ann")
        XCTAssertEqual(info.committer.email, "bob@x")
        XCTAssertEqual(info.message, "three\n")

        // Tree, diff and blob.
        let files = try mirror.files(of: third)
        XCTAssertEqual(files.map(\.path), ["a.txt", "b.txt"])
        let changes = try mirror.changes(of: info)
        XCTAssertEqual(changes.map(\.status), [.added])
        XCTAssertEqual(changes.first?.newPath, "b.txt")
        let text = try mirror.withBlob(files[1].id) { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(text, "b\n")

        // A no-op fetch receives nothing.
        let idle = try mirror.fetch(url: source, patterns: .default)
        XCTAssertEqual(idle.receivedObjects, 0)
        XCTAssertTrue(idle.updates.filter { $0.kind != .deleted }.isEmpty)
    }

    func testMissingRepositoryIsATypedError() throws {
        let mirror = try Repository.openOrCreateBare(at: folder.appendingPathComponent("m.git").path)
        XCTAssertThrowsError(try mirror.fetch(url: "git://127.0.0.1:1/none.git", patterns: .default)) { error in
            guard let git = error as? GitError else { return XCTFail("\(error)") }
            XCTAssertEqual(git.operation, "connect")
            XCTAssertTrue(git.description.contains("git://127.0.0.1:1/none.git"), git.description)
        }
    }
}
