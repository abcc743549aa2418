import Foundation
import SedimentStore
import XCTest

/// Crash safety: `sediment sync` killed with SIGKILL at seeded random moments and restarted
/// each time ends with the same archive as an uninterrupted run, and `verify` finds nothing.
final class KillTests: XCTestCase {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    /// What must not depend on interruptions: commits, manifests, snapshots (by id), packages.
    func contents(_ store: String) throws -> [String: Set<String>] {
        let result = try Shell.run(Shell.which("python3"), ["-c", """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            q = lambda sql: sorted("|".join(map(str, r)) for r in db.execute(sql))
            print(json.dumps({
                "packages": q("SELECT hub, package_id FROM package"),
                "commits": q("SELECT id FROM git_commit"),
                "changes": q("SELECT commit_id, seq, status, old_path, new_path FROM commit_change"),
                "manifests": q("SELECT id, commit_id, subpath FROM manifest"),
                "latest": q("SELECT p.package_id, s.id FROM snapshot s JOIN package p ON p.id = s.package_id WHERE s.seq = (SELECT MAX(seq) FROM snapshot WHERE package_id = p.id)"),
                "blobs": q("SELECT git_blob, sha256, stored FROM blob"),
                "integrity": q("PRAGMA integrity_check"),
            }))
            """, store + "/catalog.sqlite"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: [String]] ?? [:]
        return object.mapValues(Set.init)
    }

    func testSyncKilledAtRandomMomentsEndsWithTheSameArchive() throws {
        let ws = try Workspace()
        var urls: [String] = []
        let daemon: GitDaemon
        for index in 0..<4 {
            let repo = try ws.newRepository("org/kill-\(index)")
            for commit in 0..<6 {
                for file in 0..<60 {
                    try ws.write("dir-\(file % 6)/file-\(file).txt", Workspace.bytes(700 + file, seed: UInt64(index * 1000 + commit * 100 + file)), in: repo)
                }
                try ws.commitAll("commit \(commit)", in: repo)
            }
            try ws.git(["tag", "v1"], in: repo)
            try ws.publish(repo, as: "org/kill-\(index)")
        }
        daemon = try GitDaemon(root: ws.served, home: ws.home)
        for index in 0..<4 { urls.append(daemon.url("org/kill-\(index).git")) }

        // Kill sync again and again while upstream moves on (a new commit before every other trial).
        try ws.configure(urls)
        var random = Generator(state: 20261126)
        var killed = 0
        for trial in 0..<20 {
            if trial % 2 == 1 {
                let repo = ws.work + "/org/kill-\(trial % 4)"
                for file in 0..<200 {
                    try ws.write("new/t\(trial)-\(file).txt", Workspace.bytes(900, seed: UInt64(50_000 + trial * 100 + file)), in: repo)
                }
                try ws.commitAll("trial \(trial)", in: repo)
                try ws.publish(repo, as: "org/kill-\(trial % 4)")
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Shell.sedimentBinary)
            process.arguments = ["sync", "--config", ws.configPath]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Early kills (in start-up and fetches) and late ones (in hashing and catalog writes).
            let window: ClosedRange<UInt32> = trial % 2 == 0 ? 10_000...120_000 : 100_000...400_000
            usleep(UInt32.random(in: window, using: &random))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            process.waitUntilExit()
        }
        print("sync was killed in \(killed) of 20 trials")
        XCTAssertGreaterThanOrEqual(killed, 5, "the trials must interrupt runs, not only follow finished ones")
        let finish = try ws.sediment(["sync"])
        XCTAssertEqual(finish.status, 0, finish.out + finish.stderr)
        let verify = try ws.sediment(["verify"])
        XCTAssertEqual(verify.status, 0, verify.out)

        // The reference: one uninterrupted run over the final upstream.
        let reference = ws.root + "/reference.toml"
        try String(contentsOfFile: ws.configPath, encoding: .utf8).replacingOccurrences(of: ws.store, with: ws.root + "/reference")
            .write(toFile: reference, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ws.sediment(["sync"], config: reference).status, 0)
        let expected = try contents(ws.root + "/reference")
        let actual = try contents(ws.store)
        XCTAssertEqual(actual["integrity"], ["ok"])
        for key in ["packages", "commits", "changes", "latest"] {
            XCTAssertEqual(actual[key], expected[key], "\(key) differ after \(killed) kills")
        }
        // Intermediate tips add manifests and blobs; none of the reference's may be missing.
        for key in ["manifests", "blobs"] {
            XCTAssertTrue(expected[key, default: []].isSubset(of: actual[key, default: []]), "\(key) missing after \(killed) kills")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: ws.store + "/blobs/tmp")
        XCTAssertEqual(leftovers, [], "no staged file survives the restart")
    }
}
