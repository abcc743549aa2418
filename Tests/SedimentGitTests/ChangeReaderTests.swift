import Foundation
import SedimentGit
import XCTest

/// The walk's diff on hostile trees: it reads only folders that changed, so the depth limit
/// must hold wherever a deep folder appears, not only in a root commit.
final class ChangeReaderTests: XCTestCase {
    var folder: URL!
    var bare: String { folder.appendingPathComponent("deep.git").path }

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("changes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Writes `stream` into a new bare repository with `git fast-import`.
    func fastImport(_ stream: String) throws {
        for arguments in [["init", "-q", "--bare", bare], ["-C", bare, "fast-import", "--quiet"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env["HOME"] = folder.path
            env["GIT_CONFIG_NOSYSTEM"] = "1"
            process.environment = env
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stream.utf8))
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "git \(arguments)")
        }
    }

    /// A first commit of ordinary folders, then one that adds a folder 600 levels deep inside
    /// one of them: the diff of the second fails on the depth, the first reads as before.
    func testAFolderTooDeepAddedInALaterCommitFailsItsDiff() throws {
        let deep = "models/" + String(repeating: "d/", count: 600) + "leaf.txt"
        try fastImport("""
            commit refs/heads/main
            committer A <a@b> 1700000000 +0000
            data 6
            first
            M 100644 inline models/config.json
            data 3
            {}

            commit refs/heads/main
            committer A <a@b> 1700000100 +0000
            data 5
            deep
            M 100644 inline \(deep)
            data 5
            deep


            """)
        let repository = try Repository.open(at: bare)
        let tip = try XCTUnwrap(repository.references(prefixes: ["refs/heads/"])["refs/heads/main"])
        let commits = try repository.commits(from: [tip], hiding: [])
        XCTAssertEqual(commits.count, 2)
        let reader = try ChangeReader(repository)
        let first = try reader.changes(of: commits[1])
        XCTAssertEqual(first.map(\.newPath), ["models/config.json"])
        XCTAssertThrowsError(try reader.changes(of: commits[0])) { error in
            XCTAssertTrue("\(error)".contains("folders nest deeper than 512 levels"), "\(error)")
        }
        // 511 levels below the root is within the limit.
        XCTAssertEqual(try repository.changes(from: commits[1].id, to: commits[0].id, subpath: "models/" + String(repeating: "d/", count: 90)).count, 1)
    }
}
