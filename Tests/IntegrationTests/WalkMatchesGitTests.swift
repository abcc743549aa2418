import Foundation
import XCTest

/// The history walk records, for every commit, what `git log -M` shows against its first
/// parent: the same changes in the same order, with the same statuses, paths, blob ids and
/// modes, renames found exactly where git finds them. Compared on a whole real repository
/// and on one made to hold the cases rename detection can get wrong.
final class WalkMatchesGitTests: XCTestCase {
    /// A real model repository (Tests/Fixtures/repos/README.md): 109 commits, 7 merges,
    /// 18 renames, 6 of them inexact.
    func testEveryCommitOfARealRepositoryMatchesGitLog() throws {
        let ws = try Workspace()
        let bundle = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/repos/gen-efficientnet-pytorch.bundle").path
        let bare = ws.served + "/org/geffnet.git"
        try ws.git(["clone", "-q", "--mirror", bundle, bare])
        try ws.git(["symbolic-ref", "HEAD", "refs/heads/master"], in: bare)
        let compared = try assertWalkMatchesGit(ws, bare: bare, name: "org/geffnet.git")
        XCTAssertEqual(compared.commits, 109)
        XCTAssertEqual(compared.renames, 18)
    }

    /// Exact renames among identical files (git prefers the same file name), empty files,
    /// edits on both sides of 50% similarity, CRLF text and binary content, a file turned
    /// into a symlink, a file replaced by a folder, a mode change, and a merge whose first
    /// parent is the other side.
    func testTheCasesRenameDetectionCanGetWrongMatchGitLog() throws {
        let ws = try Workspace()
        let repo = try ws.newRepository("org/tricky")
        let lines = (0..<40).map { "line \($0) of a text that is long enough to be cut into spans\n" }
        func text(_ keep: Int, _ tag: String) -> String {
            (lines.prefix(keep) + (keep..<40).map { "\(tag) replacement \($0)\n" }).joined()
        }
        try ws.write("same/a/config.json", "{\"x\": 1}\n", in: repo)
        try ws.write("same/b/config.json", "{\"x\": 1}\n", in: repo)
        try ws.write("same/c/other.json", "{\"x\": 1}\n", in: repo)
        try ws.write("empty/one.txt", "", in: repo)
        try ws.write("empty/two.txt", "", in: repo)
        for keep in [15, 19, 20, 21, 25, 30, 39] { try ws.write("edits/keep\(keep).txt", text(40, "x"), in: repo) }
        try ws.write("crlf/windows.txt", lines.joined().replacingOccurrences(of: "\n", with: "\r\n"), in: repo)
        try ws.write("bin/weights.bin", Workspace.bytes(9000, seed: 7), in: repo)
        try ws.write("turns-link.txt", "target\n", in: repo)
        try ws.write("becomes-folder", "a file first\n", in: repo)
        try ws.write("tool.sh", "#!/bin/sh\n", in: repo)
        try ws.commitAll("initial", in: repo)

        try ws.git(["checkout", "-q", "-b", "side"], in: repo)
        try ws.write("side.txt", "side\n", in: repo)
        try ws.commitAll("side", in: repo)
        try ws.git(["checkout", "-q", "main"], in: repo)

        for path in ["same/a/config.json", "same/b/config.json", "same/c/other.json", "empty/one.txt", "empty/two.txt",
                     "crlf/windows.txt", "bin/weights.bin", "turns-link.txt", "becomes-folder"] {
            try FileManager.default.removeItem(atPath: repo + "/" + path)
        }
        try ws.write("moved/config.json", "{\"x\": 1}\n", in: repo)
        try ws.write("moved/0/other.json", "{\"x\": 1}\n", in: repo)
        try ws.write("moved/b/config.json", "{\"x\": 1}\n", in: repo)
        try ws.write("empty/three.txt", "", in: repo)
        for keep in [15, 19, 20, 21, 25, 30, 39] {
            try FileManager.default.removeItem(atPath: repo + "/edits/keep\(keep).txt")
            try ws.write("edited/renamed\(keep).txt", text(keep, "y"), in: repo)
        }
        try ws.write("crlf/unix.txt", lines.joined(), in: repo)
        var weights = Workspace.bytes(9000, seed: 7)
        weights.replaceSubrange(0..<3000, with: Workspace.bytes(3000, seed: 8))
        try ws.write("bin/weights-v2.bin", weights, in: repo)
        symlink("elsewhere", repo + "/turns-link.txt")
        try ws.write("becomes-folder/inside.txt", "a file first\n", in: repo)
        chmod(repo + "/tool.sh", 0o755)
        try ws.commitAll("move, edit and retype", in: repo)
        try ws.git(["checkout", "-q", "side"], in: repo)
        try ws.git(["merge", "-q", "--no-ff", "-m", "merge main into side", "main"], in: repo)
        try ws.git(["checkout", "-q", "main"], in: repo)
        try ws.publish(repo, as: "org/tricky")

        let compared = try assertWalkMatchesGit(ws, bare: ws.served + "/org/tricky.git", name: "org/tricky.git")
        XCTAssertEqual(compared.commits, 4)
        XCTAssertGreaterThan(compared.renames, 6)
    }

    /// Syncs the repository `bare` (served as `name`) and compares the catalog's changes of
    /// every commit reachable from its branches and tags with `git log`'s.
    @discardableResult
    func assertWalkMatchesGit(_ ws: Workspace, bare: String, name: String,
                              file: StaticString = #filePath, line: UInt = #line) throws -> (commits: Int, renames: Int) {
        let daemon = try GitDaemon(root: ws.served, home: ws.home)
        try ws.configure([daemon.url(name)])
        let sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 0, sync.out + sync.stderr, file: file, line: line)

        let expected = try GitLogChanges.parse(ws.git(["log", "--branches", "--tags", "--format=%H", "-z", "--raw", "--no-abbrev",
                                                       "-M", "--diff-merges=first-parent"], in: bare))
        var recorded: [String: [String]] = [:]
        for row in try ws.catalogRows("""
            SELECT commit_id, status, old_path, new_path, old_blob, new_blob, old_mode, new_mode
            FROM commit_change ORDER BY commit_id, seq
            """) {
            let mode = { (value: String?) in value.flatMap(Int.init).map { String($0, radix: 8) } ?? "-" }
            recorded[row[0]!, default: []].append([row[1]!, row[2] ?? "-", row[3] ?? "-", row[4] ?? "-", row[5] ?? "-",
                                                    mode(row[6]), mode(row[7])].joined(separator: " "))
        }
        let walked = Set(try ws.catalogRows("SELECT id FROM git_commit").map { $0[0]! })
        XCTAssertEqual(walked, Set(expected.keys), "the commits walked", file: file, line: line)
        for (commit, changes) in expected.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(recorded[commit] ?? [], changes, "changes of \(commit)", file: file, line: line)
        }
        return (expected.count, expected.values.joined().filter { $0.hasPrefix("renamed ") }.count)
    }
}

/// `git log --format=%H -z --raw --no-abbrev` output as commit id → its changes, each
/// written `status old_path new_path old_blob new_blob old_mode new_mode` with `-` for an
/// absent side, statuses in Sediment's words.
enum GitLogChanges {
    static func parse(_ output: String) throws -> [String: [String]] {
        let statuses: [Character: String] = ["A": "added", "D": "deleted", "M": "modified", "R": "renamed", "C": "copied", "T": "type-changed"]
        var result: [String: [String]] = [:]
        var current: String?
        var tokens = output.split(separator: "\0", omittingEmptySubsequences: false).map {
            $0.hasPrefix("\n") ? $0.dropFirst() : $0
        }[...]
        while let token = tokens.popFirst() {
            guard token.hasPrefix(":") else {
                if !token.isEmpty { current = String(token); result[String(token), default: []] = [] }
                continue
            }
            // :old_mode new_mode old_blob new_blob STATUS[score], then one path or two (R, C).
            let fields = token.dropFirst().split(separator: " ")
            guard fields.count == 5, let commit = current, let letter = fields[4].first, let status = statuses[letter] else {
                throw NSError(domain: "unexpected git log line: \(token)", code: 1)
            }
            let first = String(tokens.popFirst() ?? "")
            let second = letter == "R" || letter == "C" ? String(tokens.popFirst() ?? "") : first
            let zero = String(repeating: "0", count: 40)
            let oldSide = letter != "A", newSide = letter != "D"
            result[commit]!.append([
                status, oldSide ? first : "-", newSide ? second : "-",
                oldSide && fields[2] != zero ? String(fields[2]) : "-", newSide && fields[3] != zero ? String(fields[3]) : "-",
                oldSide ? String(fields[0]) : "-", newSide ? String(fields[1]) : "-",
            ].joined(separator: " "))
        }
        return result
    }
}
