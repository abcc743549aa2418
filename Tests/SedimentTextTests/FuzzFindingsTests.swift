import SedimentText
import XCTest

/// Inputs the fuzz targets (Fuzz/, `make fuzz`) found to stop the process, minimised; each
/// must now be refused with a reason.
final class FuzzFindingsTests: XCTestCase {
    /// fuzz-front-matter: a mapping key that is a block sequence. Yams' loader force-unwraps
    /// every mapping key as a string, so loading it stopped the process (SIGILL).
    func testCollectionAsMappingKeyIsRefused() throws {
        let found = "---\n?\n-\n---"
        let yaml = try XCTUnwrap(FrontMatter(found)).yaml
        XCTAssertEqual(yaml, "?\n-")
        let complexKeys = [
            yaml,
            "? [a, b]\n: value\n",                      // a flow sequence as a key
            "{[a]: b}",                                  // the same, in flow style
            "? {k: v}\n: value\n",                       // a mapping as a key
            "a: &list [1, 2]\n? *list\n: value\n",       // an alias of a sequence as a key
            "set: !!set {? [a]}\n",                      // a set's members are keys too
            "outer:\n  inner:\n    ? - x\n    : y\n",    // nested
        ]
        for document in complexKeys {
            XCTAssertThrowsError(try BoundedYAML.load(document), document) { error in
                XCTAssertTrue("\(error)".contains("mapping key that is a sequence or a mapping"), "\(document): \(error)")
            }
        }
    }

    /// Scalar keys, aliases of scalars as keys, and collections as values still load.
    func testScalarKeysStillLoad() throws {
        let yaml = "name: &n license\n*n : mit\n? explicit\n: [a, {b: c}]\nlist: [{k: v}]\n1: one\n"
        let loaded = try XCTUnwrap(try BoundedYAML.load(yaml) as? [String: Any])
        XCTAssertEqual(loaded["license"] as? String, "mit")
        XCTAssertEqual(loaded["name"] as? String, "license")
        XCTAssertEqual((loaded["explicit"] as? [Any])?.count, 2)
        XCTAssertEqual(loaded["1"] as? String, "one")
    }
}
