import Foundation
import SedimentGit
import XCTest

/// libgit2 must ignore every git configuration on the machine: a URL rewrite in the global
/// config (as `/etc/gitconfig` carries on some machines) must not redirect Sediment's fetches.
final class IsolationTests: XCTestCase {
    func testGlobalConfigDoesNotRewriteURLs() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("isolation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        // A real repository the rewrite would point at.
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = folder.path
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_AUTHOR_NAME"] = "A"; env["GIT_AUTHOR_EMAIL"] = "a@x"; env["GIT_COMMITTER_NAME"] = "A"; env["GIT_COMMITTER_EMAIL"] = "a@x"
        for args in [["init", "-q", "-b", "main", source.path], ["-C", source.path, "commit", "-q", "--allow-empty", "-m", "x"]] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
            p.arguments = args
            p.environment = env
            try p.run()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0)
        }
        // A global config, where both HOME and XDG_CONFIG_HOME point, rewriting an unreachable URL to it.
        let rule = "[url \"\(source.path)/\"]\n\tinsteadOf = http://127.0.0.1:9/\n"
        try rule.write(to: folder.appendingPathComponent(".gitconfig"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".config/git"), withIntermediateDirectories: true)
        try rule.write(to: folder.appendingPathComponent(".config/git/config"), atomically: true, encoding: .utf8)
        setenv("HOME", folder.path, 1)
        setenv("XDG_CONFIG_HOME", folder.appendingPathComponent(".config").path, 1)

        let mirror = try Repository.openOrCreateBare(at: folder.appendingPathComponent("mirror.git").path)
        XCTAssertThrowsError(try mirror.fetch(url: "http://127.0.0.1:9/", patterns: .default)) { error in
            let git = error as? GitError
            XCTAssertNotNil(git)
            XCTAssertTrue(git?.description.contains("127.0.0.1") == true, "\(error)")
        }
        XCTAssertTrue(try mirror.references().isEmpty)
    }
}
