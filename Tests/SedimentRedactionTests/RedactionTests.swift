import SedimentRedaction
import XCTest

final class RedactionTests: XCTestCase {
    func testUserinfoIsRemoved() {
        XCTAssertEqual(Redaction.url("https://user:hf_secret@huggingface.co/org/m"), "https://***@huggingface.co/org/m")
        XCTAssertEqual(Redaction.url("https://tok@host"), "https://***@host")
        XCTAssertEqual(Redaction.url("https://user:pass@host:8443/a?b=c#d"), "https://***@host:8443/a?b=c#d")
        // A password holding an @ (unencoded): everything up to the last @ of the authority goes.
        XCTAssertEqual(Redaction.url("https://user:p@ss@host/x"), "https://***@host/x")
    }

    func testAtSignsOutsideTheAuthorityStay() {
        XCTAssertEqual(Redaction.url("https://host/org/model@v2"), "https://host/org/model@v2")
        XCTAssertEqual(Redaction.url("https://host/x?email=a@b.c"), "https://host/x?email=a@b.c")
        XCTAssertEqual(Redaction.url("https://host/x#me@there"), "https://host/x#me@there")
    }

    func testQueryOrFragmentBeforeAnAtEndsTheAuthority() {
        // The host is "host": what follows "?" or "#" is query and fragment, not userinfo.
        XCTAssertEqual(Redaction.url("https://host?next=a@b/c"), "https://host?next=a@b/c")
        XCTAssertEqual(Redaction.url("https://host#a@b"), "https://host#a@b")
        XCTAssertEqual(Redaction.url("https://u:secret@host?next=a@b"), "https://***@host?next=a@b")
    }

    func testTextWithoutASchemeIsUnchanged() {
        XCTAssertEqual(Redaction.url("git@github.com:org/model.git"), "git@github.com:org/model.git")
        XCTAssertEqual(Redaction.url("/srv/git/a@b.git"), "/srv/git/a@b.git")
        XCTAssertEqual(Redaction.url("user@host"), "user@host")
        XCTAssertEqual(Redaction.url("git://host/x"), "git://host/x")
    }

    func testEveryURLInASentence() {
        XCTAssertEqual(Redaction.url("failed to fetch 'https://tok@host/x': 401"), "failed to fetch 'https://***@host/x': 401")
        XCTAssertEqual(Redaction.url("from http://a:b@one to \"https://c:d@two\"\nand ssh://git:e@three"),
                       "from http://***@one to \"https://***@two\"\nand ssh://***@three")
        XCTAssertEqual(Redaction.url("redirect to <https://k@host>"), "redirect to <https://***@host>")
        XCTAssertEqual(Redaction.url("at https://h\r\nuser@x"), "at https://h\r\nuser@x", "a line break ends the URL, even CRLF")
    }

    func testKnownSecretsAreMasked() {
        let text = "GET https://u:pw@host/x?X-Amz-Signature=abcdef failed: Bearer hf_token_123"
        XCTAssertEqual(Redaction.redact(text, secrets: ["hf_token_123", "X-Amz-Signature=abcdef", "ab"]),
                       "GET https://***@host/x?*** failed: Bearer ***")
    }
}
