import Foundation
import XCTest

/// Repositories anyone can publish: names that are not UTF-8 and trees nested 30,000 deep
/// cost that package at most, never the archive.
final class HostileRepositoryTests: XCTestCase {
    /// `bad\xff.bin` and `bad\xfe.bin` are two files with two contents, both reachable.
    func testFileNamesThatAreNotUTF8AreKeptApart() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/bytes")
        for (byte, content) in [(UInt8(0xFF), "first\n"), (UInt8(0xFE), "second\n")] {
            // Foundation's paths are Strings; open(2) takes the raw bytes.
            let full = Data(repo.utf8) + Data("/bad".utf8) + Data([byte]) + Data(".bin".utf8) + Data([0])
            let fd = full.withUnsafeBytes { open($0.bindMemory(to: CChar.self).baseAddress!, O_CREAT | O_WRONLY | O_TRUNC, 0o644) }
            XCTAssertGreaterThanOrEqual(fd, 0)
            _ = content.withCString { write(fd, $0, strlen($0)) }
            close(fd)
        }
        try ws.commitAll("names that are not UTF-8", in: repo)
        try ws.publish(repo, as: "org/bytes")
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url("org/bytes.git")])
        let sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        let files = try ws.sediment(["show", "org/bytes", "--json"]).jsonLines.compactMap { $0["path"] as? String }
        XCTAssertEqual(Set(files), ["bad\\xff.bin", "bad\\xfe.bin"])
        XCTAssertEqual(try ws.sediment(["show", "org/bytes", "bad\\xff.bin"]).out, "first\n")
        XCTAssertEqual(try ws.sediment(["show", "org/bytes", "bad\\xfe.bin"]).out, "second\n")
        let log = try ws.sediment(["log", "org/bytes", "--json"])
        XCTAssertEqual(log.status, 0)
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }

    /// A 2 MB repository whose tree nests 30,000 folders deep crashed every sync (stack
    /// overflow); now that visit fails clearly, the next package is archived, memory stays low.
    func testDeepTreeFailsThatPackageOnly() throws {
        let ws = try Workspace()
        let bare = ws.served + "/org/deep.git"
        try ws.git(["init", "-q", "--bare", bare])
        // One file 30,000 folders down, written straight into a pack by git fast-import.
        let stream = "commit refs/heads/main\ncommitter A <a@b> 1700000000 +0000\ndata 5\ndeep\nM 100644 inline "
            + String(repeating: "d/", count: 30_000) + "leaf.txt\ndata 5\ndeep\n\n"
        let streamPath = ws.root + "/deep.fast-import"
        try stream.write(toFile: streamPath, atomically: true, encoding: .utf8)
        let make = try Shell.run("/bin/bash", ["-c", "git -C \"$0\" fast-import --quiet < \"$1\"", bare, streamPath],
                                 env: Shell.gitEnvironment(home: ws.home))
        XCTAssertEqual(make.status, 0, make.stderr)
        try ws.git(["symbolic-ref", "HEAD", "refs/heads/main"], in: bare)
        let fine = try ws.newRepository("org/fine")
        try ws.write("README.md", "fine\n", in: fine)
        try ws.commitAll("fine", in: fine)
        try ws.publish(fine, as: "org/fine")
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url("org/deep.git"), daemon.url("org/fine.git")])

        // 1 GB of address space: the deep tree's diff alone grew past that before it was bounded.
        let sync = try Shell.run("/bin/bash", ["-c", "ulimit -v 1500000; exec \"$0\" sync --config \"$1\"", Shell.sedimentBinary, ws.configPath],
                                 cwd: ws.root)
        XCTAssertEqual(sync.status, 1, "one visit failed: \(sync.stderr)")
        XCTAssertTrue(sync.out.contains("ours:org/deep: failed:") && sync.out.contains("folders nest deeper than 512 levels"), sync.out)
        XCTAssertTrue(sync.out.contains("ours:org/fine: new snapshot"), sync.out)
        XCTAssertEqual(try ws.sediment(["verify"]).status, 0)
    }
}
