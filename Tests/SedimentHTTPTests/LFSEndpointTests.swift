import SedimentHTTP
import XCTest

/// Where a repository's LFS server is, as git-lfs derives it, and `lfs.url` in `.lfsconfig`.
final class LFSEndpointTests: XCTestCase {
    func testDerivedFromRepositoryURLs() {
        let cases: [(String, String?)] = [
            ("https://huggingface.co/google-bert/bert-base-uncased", "https://huggingface.co/google-bert/bert-base-uncased.git/info/lfs"),
            ("https://huggingface.co/org/model.git", "https://huggingface.co/org/model.git/info/lfs"),
            ("http://127.0.0.1:8080/org/model/", "http://127.0.0.1:8080/org/model.git/info/lfs"),
            ("git://example.org/org/model.git", "https://example.org/org/model.git/info/lfs"),
            ("git@github.com:org/model.git", "https://github.com/org/model.git/info/lfs"),
            ("ssh://git@example.org:2222/org/model", "https://example.org/org/model.git/info/lfs"),
            ("/srv/git/model.git", nil),
            ("relative/model", nil),
        ]
        for (repository, expected) in cases {
            XCTAssertEqual(LFSEndpoint.derived(from: repository)?.url, expected, repository)
        }
        XCTAssertEqual(LFSEndpoint(url: "https://lfs.example.org/x/").batchURL, "https://lfs.example.org/x/objects/batch")
    }

    func testConfiguredURLFromLFSConfig() {
        XCTAssertEqual(LFSEndpoint.configuredURL(lfsconfig: "[lfs]\n\turl = https://lfs.example.org/org/model\n"), "https://lfs.example.org/org/model")
        XCTAssertEqual(LFSEndpoint.configuredURL(lfsconfig: "# comment\n[LFS]\nurl = \"https://a/x\"\nurl = https://b/y ; later wins\n"), "https://b/y")
        XCTAssertNil(LFSEndpoint.configuredURL(lfsconfig: "[lfs \"https://other/\"]\n\taccess = basic\n"))
        XCTAssertNil(LFSEndpoint.configuredURL(lfsconfig: "[core]\nurl = https://not-lfs/\n"))
        XCTAssertNil(LFSEndpoint.configuredURL(lfsconfig: "not a config at all"))
    }

    func testActionExpiry() {
        let now = Date()
        XCTAssertFalse(LFSAction(href: "https://x/").isExpired(at: now))
        XCTAssertTrue(LFSAction(href: "https://x/", expiresAt: now).isExpired(at: now))
        XCTAssertTrue(LFSAction(href: "https://x/", expiresAt: now.addingTimeInterval(3)).isExpired(at: now), "within the safety margin")
        XCTAssertFalse(LFSAction(href: "https://x/", expiresAt: now.addingTimeInterval(3600)).isExpired(at: now))
    }
}
