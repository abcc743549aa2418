import SedimentHTTP
import XCTest

/// Origins as libcurl reads URLs: what credentials are confined to.
final class HTTPOriginTests: XCTestCase {
    func testOriginsAreSchemeHostAndPort() throws {
        let origin = try XCTUnwrap(HTTPOrigin(url: "https://Hub.Example/api/models?limit=2"))
        XCTAssertEqual([origin.scheme, origin.host, "\(origin.port)"], ["https", "hub.example", "443"])
        XCTAssertEqual(origin.description, "https://hub.example:443")
        XCTAssertTrue(origin.contains("https://hub.example:443/api/models?cursor=abc"))
        XCTAssertTrue(origin.contains("HTTPS://HUB.EXAMPLE/other"))
        XCTAssertFalse(origin.contains("http://hub.example/api/models"), "another scheme")
        XCTAssertFalse(origin.contains("https://hub.example:8443/api/models"), "another port")
        XCTAssertFalse(origin.contains("https://evil.example/api/models"))
        XCTAssertFalse(origin.contains("https://hub.example@evil.example/"), "user information is not the host")
        XCTAssertFalse(origin.contains("https://hub.example.evil.example/"))
        XCTAssertEqual(HTTPOrigin(url: "http://127.0.0.1:8080/x")?.port, 8080)
        XCTAssertEqual(HTTPOrigin(url: "http://127.0.0.1/x")?.port, 80)
        XCTAssertEqual(HTTPOrigin(url: "http://[::1]:9000/x")?.host, "[::1]")
    }

    func testOnlyAbsoluteHTTPURLsHaveAnOrigin() {
        XCTAssertNil(HTTPOrigin(url: "/api/models"))
        XCTAssertNil(HTTPOrigin(url: "ftp://hub.example/file"))
        XCTAssertNil(HTTPOrigin(url: "file:///etc/passwd"))
        XCTAssertNil(HTTPOrigin(url: "git@hub.example:org/model.git"))
        XCTAssertNil(HTTPOrigin(url: ""))
    }

    func testLinksResolveAgainstThePage() {
        let page = "https://hub.example/api/models?limit=2"
        XCTAssertEqual(HTTPOrigin.resolve("/api/models?cursor=c2", against: page), "https://hub.example/api/models?cursor=c2")
        XCTAssertEqual(HTTPOrigin.resolve("?cursor=c3", against: page), "https://hub.example/api/models?cursor=c3")
        XCTAssertEqual(HTTPOrigin.resolve("https://other.example/p", against: page), "https://other.example/p")
    }
}
