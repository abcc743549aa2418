import Foundation
import SedimentStore
import XCTest

final class LFSPointerTests: XCTestCase {
    let oid = String(repeating: "0123456789abcdef", count: 4)

    func parse(_ text: String) -> LFSPointer? { LFSPointer.parse(Data(text.utf8)) }

    func testValidPointer() throws {
        let pointer = try XCTUnwrap(parse("version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize 12345\n"))
        XCTAssertEqual(pointer.oid.hex, oid)
        XCTAssertEqual(pointer.size, 12345)
        XCTAssertTrue(pointer.extra.isEmpty)
    }

    func testPreReleaseVersionURLIsStillValid() {
        XCTAssertNotNil(parse("version https://hawser.github.com/spec/v1\noid sha256:\(oid)\nsize 0\n"))
    }

    func testExtensionKeysAreKeptInOrder() throws {
        let text = "version https://git-lfs.github.com/spec/v1\next-0-foo sha256:\(oid)\next-1-bar sha256:\(oid)\noid sha256:\(oid)\nsize 5\n"
        let pointer = try XCTUnwrap(parse(text))
        XCTAssertEqual(pointer.extra.map(\.key), ["ext-0-foo", "ext-1-bar"])
    }

    func testNearMissesAreNotPointers() {
        let cases: [String: String] = [
            "keys out of order": "version https://git-lfs.github.com/spec/v1\nsize 5\noid sha256:\(oid)\n",
            "bad hex": "version https://git-lfs.github.com/spec/v1\noid sha256:\(String(repeating: "g", count: 64))\nsize 5\n",
            "upper-case hex": "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid.uppercased())\nsize 5\n",
            "short oid": "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid.dropLast())\nsize 5\n",
            "other hash": "version https://git-lfs.github.com/spec/v1\noid sha1:\(oid)\nsize 5\n",
            "missing size": "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\n",
            "missing oid": "version https://git-lfs.github.com/spec/v1\nsize 5\n",
            "negative size": "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize -5\n",
            "size with sign": "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize +5\n",
            "CRLF": "version https://git-lfs.github.com/spec/v1\r\noid sha256:\(oid)\r\nsize 5\r\n",
            "no final newline": "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize 5",
            "version not first": "oid sha256:\(oid)\nversion https://git-lfs.github.com/spec/v1\nsize 5\n",
            "unknown version": "version https://example.com/spec/v9\noid sha256:\(oid)\nsize 5\n",
            "duplicate key": "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\noid sha256:\(oid)\nsize 5\n",
            "upper-case key": "version https://git-lfs.github.com/spec/v1\nOid sha256:\(oid)\nsize 5\n",
            "blank line": "version https://git-lfs.github.com/spec/v1\n\noid sha256:\(oid)\nsize 5\n",
            "empty": "",
            "over 1024 bytes": "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize 5\nzz \(String(repeating: "x", count: 1000))\n",
        ]
        for (name, text) in cases {
            XCTAssertNil(parse(text), name)
        }
    }

    func testInvalidUTF8IsNotAPointer() {
        var data = Data("version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize 5\n".utf8)
        data.insert(0xFF, at: 10)
        XCTAssertNil(LFSPointer.parse(data))
    }
}
