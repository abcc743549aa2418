import Foundation
import SedimentGit
import XCTest

final class GitURLTests: XCTestCase {
    func testMirrorPaths() {
        XCTAssertEqual(GitURL.mirrorPath(for: "https://huggingface.co/google/bert"), "huggingface.co/google/bert.git")
        XCTAssertEqual(GitURL.mirrorPath(for: "git://127.0.0.1:9418/org/a.git"), "127.0.0.1_9418/org/a.git")
        XCTAssertEqual(GitURL.mirrorPath(for: "/srv/git/model.git"), "local/srv/git/model.git")
        XCTAssertEqual(GitURL.mirrorPath(for: "git@github.com:org/b"), "github.com/org/b.git")
        XCTAssertEqual(GitURL.mirrorPath(for: "https://user:secret@host/org/../../etc/x"), "host/org/etc/x.git")
        XCTAssertFalse(GitURL.mirrorPath(for: "https://host/a/../../..").contains(".."))
    }

    func testCredentialsAreRedacted() {
        XCTAssertEqual(GitURL.redacted("https://user:hf_secret@huggingface.co/org/m"), "https://***@huggingface.co/org/m")
        XCTAssertEqual(GitURL.redacted("failed to fetch 'https://tok@host/x': 401"), "failed to fetch 'https://***@host/x': 401")
        XCTAssertEqual(GitURL.redacted("git://host/x"), "git://host/x")
    }

    func testRefPatterns() {
        let patterns = RefPatterns.default
        XCTAssertTrue(patterns.matches("refs/heads/main"))
        XCTAssertTrue(patterns.matches("refs/heads/feature/x"))
        XCTAssertTrue(patterns.matches("refs/tags/v1"))
        XCTAssertFalse(patterns.matches("refs/tags/v1^{}"))
        XCTAssertFalse(patterns.matches("refs/pull/1/head"))
        let all = RefPatterns(include: ["refs/*"], exclude: ["refs/convert/*"])
        XCTAssertTrue(all.matches("refs/pr/1"))
        XCTAssertFalse(all.matches("refs/pull/12/merge"))
        XCTAssertFalse(all.matches("refs/convert/parquet"))
        XCTAssertFalse(all.matches("refs/changes/12/1234/1"))
    }

    func testGlob() {
        XCTAssertTrue(Glob.matches("refs/heads/*", "refs/heads/a/b"))
        XCTAssertTrue(Glob.matches("refs/pull/*/merge", "refs/pull/17/merge"))
        XCTAssertFalse(Glob.matches("refs/pull/*/merge", "refs/pull/17/head"))
        XCTAssertTrue(Glob.matches("*.bin", "x.bin"))
    }
}
