import Foundation
import SedimentGit
import XCTest

/// The git packs that keep a mirror's objects in the store: each holds what is new since the
/// tips hidden, annotated tags included, and indexing them in order makes the mirror again.
final class GitPackTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gitpack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    @discardableResult
    private func git(_ arguments: [String], input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = folder.path
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_COMMITTER_NAME"] = "A"
        env["GIT_COMMITTER_EMAIL"] = "a@b"
        process.environment = env
        let output = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "git \(arguments)")
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func commit(_ bare: String, _ file: String, _ content: String, time: Int, parent: ObjectID? = nil) throws -> ObjectID {
        let from = parent.map { "from \($0.hex)\n" } ?? ""
        try git(["-C", bare, "fast-import", "--quiet"],
                input: "commit refs/heads/main\ncommitter A <a@b> \(time) +0000\ndata 3\nnew\n\(from)"
                    + "M 100644 inline \(file)\ndata \(content.utf8.count)\n\(content)\n\n")
        return ObjectID(hex: try git(["-C", bare, "rev-parse", "refs/heads/main"]))!
    }

    func testPacksHoldWhatIsNewAndRebuildTheRepositoryWithItsTags() throws {
        let source = folder.appendingPathComponent("source.git").path
        try git(["init", "-q", "--bare", source])
        let first = try commit(source, "a.txt", "one", time: 1_700_000_000)
        try git(["-C", source, "tag", "-a", "-m", "release one", "v1", first.hex])
        let tag = ObjectID(hex: try git(["-C", source, "rev-parse", "refs/tags/v1"]))!
        XCTAssertNotEqual(tag, first)
        let repository = try Repository.open(at: source)
        let packs = folder.appendingPathComponent("packs").path

        let one = try XCTUnwrap(try repository.writePack(tips: [first, tag], hiding: [], into: packs + "/1"))
        // The commit, its tree, its blob and the tag object.
        XCTAssertEqual(one.objects, 4)
        XCTAssertNil(try repository.writePack(tips: [first, tag], hiding: [first, tag], into: packs + "/none"), "nothing new, no pack")

        let second = try commit(source, "b.txt", "two", time: 1_700_000_100, parent: first)
        let two = try XCTUnwrap(try repository.writePack(tips: [second, tag], hiding: [first, tag], into: packs + "/2"))
        // The new commit, its tree and the new blob; nothing the first pack holds.
        XCTAssertEqual(two.objects, 3)

        let rebuilt = try Repository.openOrCreateBare(at: folder.appendingPathComponent("rebuilt.git").path)
        XCTAssertEqual(try rebuilt.indexPack(one.path).objects, 4)
        XCTAssertEqual(try rebuilt.indexPack(two.path).objects, 3)
        try rebuilt.setReference("refs/heads/main", to: second, message: "test")
        try rebuilt.setReference("refs/tags/v1", to: tag, message: "test")
        let path = folder.appendingPathComponent("rebuilt.git").path
        XCTAssertEqual(try git(["-C", path, "rev-list", "--all", "--objects"]), try git(["-C", source, "rev-list", "--all", "--objects"]))
        XCTAssertEqual(try git(["-C", path, "cat-file", "-t", "v1"]), "tag")
        try git(["-C", path, "fsck", "--strict", "--no-dangling"])
    }
}
