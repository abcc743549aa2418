import SedimentText
import XCTest

final class TextLinesTests: XCTestCase {
    func testEveryLineEnding() {
        XCTAssertEqual(TextLines.lines(of: "a\nb\n"), ["a", "b"])
        XCTAssertEqual(TextLines.lines(of: "a\r\nb\r\n"), ["a", "b"])
        XCTAssertEqual(TextLines.lines(of: "a\r\nb\nc\rd"), ["a", "b", "c", "d"], "mixed endings, last line without newline")
        XCTAssertEqual(TextLines.lines(of: "a\n\n\r\n\nb"), ["a", "", "", "", "b"], "empty lines are kept")
        XCTAssertEqual(TextLines.lines(of: ""), [])
        XCTAssertEqual(TextLines.lines(of: "\n"), [""])
        XCTAssertEqual(TextLines.lines(of: "\u{FEFF}---\r\nx: é\r\n"), ["---", "x: é"], "a byte order mark is dropped")
        XCTAssertEqual(TextLines.lines(of: "é\u{301}\r\nz"), ["é\u{301}", "z"], "combining marks stay on their line")
    }

    func testDecodeDropsByteOrderMark() {
        XCTAssertEqual(TextLines.decode(Data([0xEF, 0xBB, 0xBF, 0x61])), "a")
        XCTAssertNil(TextLines.decode(Data([0xFF, 0xFE, 0x00])))
    }

    func testFrontMatter() throws {
        let crlf = try XCTUnwrap(FrontMatter("---\r\nlicense: mit\r\ntags: [a]\r\n---\r\n# Title\r\n"))
        XCTAssertEqual(crlf.yaml, "license: mit\ntags: [a]")
        XCTAssertEqual(crlf.body, "# Title")
        XCTAssertEqual(FrontMatter("---\nx: 1\n...\nbody")?.yaml, "x: 1")
        XCTAssertEqual(FrontMatter("\u{FEFF}---\nx: 1\n---")?.yaml, "x: 1")
        XCTAssertNil(FrontMatter("# no front matter\n---\n"))
        XCTAssertNil(FrontMatter("---\nnever closed\n"))
        XCTAssertTrue(FrontMatter.opens("---\r\nnever closed"))
        XCTAssertFalse(FrontMatter.opens("# title"))
    }
}
