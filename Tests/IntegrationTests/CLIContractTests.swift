import Foundation
import XCTest

/// What every command shows people and their shells: an EXAMPLES section in its help, and a
/// place in the completion scripts.
final class CLIContractTests: XCTestCase {
    /// The subcommands `sediment --help` lists.
    private func subcommands() throws -> [String] {
        let help = try Shell.run(Shell.sedimentBinary, ["--help"]).out
        guard let start = help.range(of: "SUBCOMMANDS:") else { return [] }
        // The list runs to the first blank line.
        let list = help[start.upperBound...].drop { $0 == "\n" }.components(separatedBy: "\n\n").first ?? ""
        return list.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let word = line.split(separator: " ").first, !word.hasPrefix("-") else { return nil }
            return String(word)
        }
    }

    func testEveryCommandHelpHasExamples() throws {
        let commands = try subcommands()
        XCTAssertTrue(commands.contains("serve") && commands.contains("diff") && commands.count >= 18, "\(commands)")
        for command in commands + ["catalog copy"] {
            let help = try Shell.run(Shell.sedimentBinary, command.split(separator: " ").map(String.init) + ["--help"])
            XCTAssertEqual(help.status, 0, command)
            XCTAssertTrue(help.out.contains("EXAMPLES:\n  sediment "), "\(command) --help has no EXAMPLES section: \(help.out)")
            // The manual page is made from these texts, and man drops what is not ASCII.
            let foreign = help.out.unicodeScalars.filter { !$0.isASCII }
            XCTAssertTrue(foreign.isEmpty, "\(command) --help has characters man drops: \(String(String.UnicodeScalarView(foreign)))")
        }
    }

    func testCompletionScriptsKnowEveryCommand() throws {
        let commands = try subcommands()
        for shell in ["bash", "zsh", "fish"] {
            let script = try Shell.run(Shell.sedimentBinary, ["--generate-completion-script", shell])
            XCTAssertEqual(script.status, 0, shell)
            for command in commands { XCTAssertTrue(script.out.contains(command), "\(shell) completion lacks \(command)") }
        }
    }
}
