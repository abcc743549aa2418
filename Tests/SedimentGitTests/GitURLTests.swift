import Foundation
import SedimentGit
import XCTest

final class GitURLTests: XCTestCase {
    func testLegacyMirrorPaths() {
        XCTAssertEqual(GitURL.legacyMirrorPath(for: "https://huggingface.co/google/bert"), "huggingface.co/google/bert.git")
        XCTAssertEqual(GitURL.legacyMirrorPath(for: "git://127.0.0.1:9418/org/a.git"), "127.0.0.1_9418/org/a.git")
        XCTAssertEqual(GitURL.legacyMirrorPath(for: "/srv/git/model.git"), "local/srv/git/model.git")
        XCTAssertEqual(GitURL.legacyMirrorPath(for: "git@github.com:org/b"), "github.com/org/b.git")
        XCTAssertEqual(GitURL.legacyMirrorPath(for: "https://user:secret@host/org/../../etc/x"), "host/org/etc/x.git")
    }

    /// One mirror per exact URL: the readable part alone merged `modèle` with `modéle`, `a`
    /// with `a.git`, `http` with `https`.
    func testMirrorPathsAreOnePerURL() {
        let bert = GitURL.mirrorPath(for: "https://huggingface.co/google/bert")
        XCTAssertTrue(bert.hasPrefix("huggingface.co/google/bert-") && bert.hasSuffix(".git"), bert)
        XCTAssertEqual(bert.count, "huggingface.co/google/bert-".count + 32 + 4)
        XCTAssertEqual(bert, GitURL.mirrorPath(for: "https://huggingface.co/google/bert"), "the same URL, the same mirror")
        let urls = ["https://h/org/modèle.git", "https://h/org/modéle.git", "https://h/org/mod_le.git", "https://h/org/a", "https://h/org/a.git",
                    "http://h/org/a", "https://H/org/a", "https://h/org/a/", "/srv/git/a.git", "file:///srv/git/a.git"]
        XCTAssertEqual(Set(urls.map(GitURL.mirrorPath(for:))).count, urls.count)
        XCTAssertEqual(GitURL.mirrorPath(for: "https://user:secret@h/org/a"), GitURL.mirrorPath(for: "https://other:token2@h/org/a"),
                       "a rotated token does not choose another mirror")
        XCTAssertFalse(GitURL.mirrorPath(for: "https://host/a/../../..").contains(".."))
        XCTAssertFalse(GitURL.mirrorPath(for: "https://user:secret@host/x").contains("secret"))
    }

    func testCredentialsAreRedacted() {
        XCTAssertEqual(GitURL.redacted("https://user:hf_secret@huggingface.co/org/m"), "https://***@huggingface.co/org/m")
        XCTAssertEqual(GitURL.redacted("failed to fetch 'https://tok@host/x': 401"), "failed to fetch 'https://***@host/x': 401")
        XCTAssertEqual(GitURL.redacted("git://host/x"), "git://host/x")
        XCTAssertEqual(GitURL.redacted("https://host?a=b@c/d"), "https://host?a=b@c/d", "the authority ends at ?")
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
