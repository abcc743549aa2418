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

/// Hostile YAML is refused before Yams builds it: an alias bomb, deep nesting, an oversized
/// document; ordinary front matter (aliases included) loads as before.
final class BoundedYAMLTests: XCTestCase {
    func testBillionLaughsIsRefusedWithoutExpanding() {
        var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        XCTAssertLessThan(yaml.utf8.count, 1024)
        XCTAssertThrowsError(try BoundedYAML.load(yaml)) { error in
            XCTAssertTrue("\(error)".contains("expands to more than 200000 nodes"), "\(error)")
        }
    }

    func testDeepNestingIsRefused() {
        let flow = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try BoundedYAML.load("x: " + flow, limits: .init(maxBytes: 1 << 20))) { error in
            XCTAssertTrue("\(error)".contains("nests deeper than 64 levels"), "\(error)")
        }
        let compact = String(repeating: "- ", count: 20_000) + "leaf\n"
        XCTAssertThrowsError(try BoundedYAML.load(compact)) { error in
            XCTAssertTrue("\(error)".contains("nests deeper"), "\(error)")
        }
    }

    func testSizeLimitAndInvalidYAML() {
        XCTAssertThrowsError(try BoundedYAML.load("x: " + String(repeating: "y", count: 100), limits: .init(maxBytes: 50))) { error in
            XCTAssertTrue("\(error)".contains("over the limit of 50"), "\(error)")
        }
        XCTAssertThrowsError(try BoundedYAML.load("license: [mit\n")) { error in
            XCTAssertTrue("\(error)".hasPrefix("the YAML is not valid YAML"), "\(error)")
        }
    }

    func testOrdinaryFrontMatterLoads() throws {
        let yaml = "base: &base {lr: 0.1, epochs: 3}\nrun1: *base\nrun2: *base\nlicense: mit\ntags: [a, b]\n"
        let loaded = try XCTUnwrap(try BoundedYAML.load(yaml) as? [String: Any])
        XCTAssertEqual(loaded["license"] as? String, "mit")
        XCTAssertEqual((loaded["run2"] as? [String: Any])?["epochs"] as? Int, 3)
        XCTAssertNil(try BoundedYAML.load(""))
        // Exactly at the node limit is fine; one over is not.
        XCTAssertNoThrow(try BoundedYAML.check("[a, b]", limits: .init(maxNodes: 3)))
        XCTAssertThrowsError(try BoundedYAML.check("[a, b, c]", limits: .init(maxNodes: 3)))
        // An alias counts its anchor's whole size: map 1, keys 2, the list 3, its copy 3.
        XCTAssertNoThrow(try BoundedYAML.check("a: &x [1, 2]\nb: *x\n", limits: .init(maxNodes: 9)))
        XCTAssertThrowsError(try BoundedYAML.check("a: &x [1, 2]\nb: *x\n", limits: .init(maxNodes: 8)))
    }
}
