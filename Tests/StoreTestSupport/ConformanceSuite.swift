import Foundation
import XCTest

/// What the conformance suites share: named checks run one by one, a failure naming its
/// check, and the assertions the checks use (they throw, so that a check stops at its first
/// failure).
public protocol ConformanceSuite {
    static var checks: [(name: String, run: @Sendable (Self) throws -> Void)] { get }
}

extension ConformanceSuite {
    /// Runs every check (each makes what it needs fresh); fails the test with the names of
    /// those that failed.
    public func runAll(file: StaticString = #filePath, line: UInt = #line) {
        for check in Self.checks {
            do {
                try check.run(self)
            } catch {
                XCTFail("\(check.name): \(error)", file: file, line: line)
            }
        }
    }

    func expect(_ condition: @autoclosure () throws -> Bool, _ message: String) throws {
        guard try condition() else { throw ConformanceFailure(description: message) }
    }
}

/// A check's assertion that did not hold.
struct ConformanceFailure: Error, CustomStringConvertible {
    let description: String
}
