import Foundation
import SedimentEngine
import XCTest

/// Configuration texts the fuzz target fuzz-configuration (Fuzz/, `make fuzz`) found to stop
/// the process, minimised; each must now be a ConfigurationError naming the line.
final class ConfigurationFuzzFindingsTests: XCTestCase {
    /// A table header whose name begins with a character no key begins with made toml++ fail
    /// an assertion and abort (found: "[" then U+0001).
    func testTableHeaderThatDoesNotBeginWithAKey() {
        let headers = ["[\u{1}", "[!", "[é]", "[ *storage]", "[[\u{1}]]", "[storage]\npath = \"x\"\n\n[[ !hub]]\n", "[\n", "[\r\n",
                       "\u{FEFF}[#", "\u{3000}[\u{A0}!]", "[storage]\u{2028}[!"]   // found: a byte order mark, then "[#"
        for text in headers {
            XCTAssertThrowsError(try Configuration.parse(text, file: "sediment.toml"), text.debugDescription) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("sediment.toml: not valid TOML at line "), message)
                XCTAssertTrue(message.contains("a table header must begin with a key"), message)
            }
        }
        XCTAssertThrowsError(try Configuration.parse("[storage]\n\n[[ !hub]]\n", file: "f")) { error in
            XCTAssertTrue("\(error)".contains("line 3"), "\(error)")
        }
    }

    /// A `}` where an array expects a value made toml++ fail another assertion and abort
    /// (found: `e=[}`).
    func testClosingBraceWhereAnArrayExpectsAValue() {
        for text in ["e=[}", "e=[1,}", "e = [ }", "e=[[}]]", "e={a=[}]}", "[storage]\nlfs_include = [\n  \"a\", # }\n}\n"] {
            XCTAssertThrowsError(try Configuration.parse(text, file: "sediment.toml"), text.debugDescription) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("sediment.toml: not valid TOML at line "), message)
                XCTAssertTrue(message.contains("a } where the array expects a value or ]"), message)
            }
        }
        XCTAssertThrowsError(try Configuration.parse("[storage]\nlfs_include = [\n  \"a\",\n}\n", file: "f")) { error in
            XCTAssertTrue("\(error)".contains("line 4"), "\(error)")
        }
    }

    /// Brackets that are not headers still reach toml++: in strings, comments, multi-line
    /// strings and arrays.
    func testBracketsThatAreNotHeaders() throws {
        let text = """
            # [! a comment
            [ "storage" ]
            path = "[!"
            lfs_include = [
              "[!x]", '[é}]', # }
            ]
            [daemon] # [!
            log_level = 'info'
            [[ hub ]]
            kind = "git"
            name = "models"
            repositories = [
                "https://example.org/a.git", # [!
            ]
            """
        let configuration = try Configuration.parse(text, file: "sediment.toml")
        XCTAssertEqual(configuration.storage.path, "[!")
        XCTAssertEqual(configuration.hubs.map(\.name), ["models"])
        XCTAssertThrowsError(try Configuration.parse("x = \"\"\"\n[!\n\"\"\"\n", file: "f")) { error in
            XCTAssertFalse("\(error)".contains("table header"), "a multi-line string is not a header: \(error)")
        }
    }
}
