import SedimentGit
import XCTest

final class GitPathTests: XCTestCase {
    func testNamesThatAreNotUTF8StayDistinctAndReversible() {
        let names: [[UInt8]] = [Array("bad".utf8) + [0xFF] + Array(".bin".utf8), Array("bad".utf8) + [0xFE] + Array(".bin".utf8),
                                Array("bad\\xff.bin".utf8), Array("a\\b".utf8), Array("modèle/config.json".utf8), [0xC3], [0xE2, 0x82],
                                Array("ok.txt".utf8), [0xC3, 0xA9, 0xFF, 0x5C]]
        let texts = names.map { GitPath.text($0) }
        XCTAssertEqual(Set(texts).count, names.count, "\(texts)")
        for (name, text) in zip(names, texts) {
            XCTAssertEqual(GitPath.bytes(text), name, text)
        }
        XCTAssertEqual(texts[0], "bad\\xff.bin")
        XCTAssertEqual(texts[2], "bad\\\\xff.bin", "a literal backslash is doubled, so it cannot read as an escape")
        XCTAssertEqual(texts[4], "modèle/config.json", "valid names are kept as they are")
        XCTAssertEqual(texts[7], "ok.txt")
    }
}
