import Foundation
import XCTest

/// Errors reach the user in words: the item, the operation and the cause, behind one prefix;
/// never Foundation's `NSCocoaErrorDomain Code=…` or NIO's `bind(descriptor:ptr:bytes:)`.
final class ErrorMessageTests: XCTestCase {
    let raw = ["NSCocoaErrorDomain", "Code=", "NSError", "bind(descriptor", "errno:"]

    func assertInWords(_ result: ProcessResult, mentions: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, 1, result.stderr, file: file, line: line)
        let errors = result.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("sediment: error: ") }
        XCTAssertEqual(errors.count, 1, "one error line, with the one prefix: \(result.stderr)", file: file, line: line)
        for word in mentions {
            XCTAssertTrue(errors.first?.contains(word) == true, "expected \"\(word)\" in: \(result.stderr)", file: file, line: line)
        }
        for text in raw {
            XCTAssertFalse(result.stderr.contains(text), "raw error text \"\(text)\" in: \(result.stderr)", file: file, line: line)
        }
    }

    func testExportIntoAFileOrUnderAFile() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/exported")
        try ws.write("a.txt", "a\n", in: repo)
        try ws.commitAll("a", in: repo)
        try ws.configure([repo])
        XCTAssertEqual(try ws.sediment(["sync"]).status, 0)
        let file = ws.root + "/existing.txt"
        try "keep me\n".write(toFile: file, atomically: true, encoding: .utf8)

        // --out onto an existing file.
        for format in ["jsonl", "ptmtorrent"] {
            let onto = try ws.sediment(["export", "--format", format, "--out", file])
            assertInWords(onto, mentions: ["cannot export into \(file)", "is a file, not a folder"])
        }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "keep me\n", "the file is left alone")
        // --out under a file: the folder cannot be made.
        let under = try ws.sediment(["export", "--format", "csv", "--out", file + "/sub/dir"])
        assertInWords(under, mentions: ["cannot create the export folder \(file)/sub/dir", "\(file) is a file, not a folder"])
        // An export file's name taken by a folder.
        let out = ws.root + "/out"
        try FileManager.default.createDirectory(atPath: out + "/packages.jsonl", withIntermediateDirectories: true)
        let blocked = try ws.sediment(["export", "--format", "jsonl", "--out", out])
        assertInWords(blocked, mentions: ["\(out)/packages.jsonl", "it is a folder"])
    }

    func testStorageUnderAFile() throws {
        let ws = try Workspace()
        let file = ws.root + "/plain.txt"
        try "x\n".write(toFile: file, atomically: true, encoding: .utf8)
        try ws.configure([ws.root + "/nothing"])
        let text = try String(contentsOfFile: ws.configPath, encoding: .utf8).replacingOccurrences(of: "path = \"\(ws.store)\"", with: "path = \"\(file)/store\"")
        try text.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let result = try ws.sediment(["sync"])
        assertInWords(result, mentions: ["storage \(file)/store", "cannot create the folder", "\(file) is a file, not a folder"])
    }

    func testDaemonListenOnAPortInUse() throws {
        let ws = try Workspace()
        // Hold a port, listening, as another program would.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        XCTAssertEqual(withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }, 0)
        XCTAssertEqual(listen(fd, 4), 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)
        try """
            [storage]
            path = "\(ws.store)"

            [daemon]
            listen = "127.0.0.1:\(port)"

            [[hub]]
            kind = "git"
            repositories = ["\(ws.root)/nothing"]
            """.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
        let result = try ws.sediment(["daemon"])
        assertInWords(result, mentions: ["daemon.listen", "cannot listen on 127.0.0.1:\(port)", "already in use"])
    }
}
