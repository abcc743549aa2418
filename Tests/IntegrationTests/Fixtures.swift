import Foundation
import XCTest

/// A workspace for one integration test: an isolated git home, a folder of served bare
/// repositories, a working clone per repository, and a Sediment configuration.
final class Workspace {
    let folder: TemporaryFolder
    var root: String { folder.path }
    var home: String { root + "/home" }
    var served: String { root + "/served" }
    var work: String { root + "/work" }
    var store: String { root + "/store" }
    var configPath: String { root + "/sediment.toml" }

    init() throws {
        folder = try TemporaryFolder()
        for dir in [home, served, work] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    }

    @discardableResult
    func git(_ arguments: [String], in dir: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try Shell.run(Shell.which("git"), arguments, cwd: dir, env: Shell.gitEnvironment(home: home))
        XCTAssertEqual(result.status, 0, "git \(arguments.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        return result.out
    }

    func write(_ path: String, _ text: String, in repo: String) throws {
        try write(path, Data(text.utf8), in: repo)
    }

    func write(_ path: String, _ data: Data, in repo: String) throws {
        let url = URL(fileURLWithPath: repo + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// Creates an empty working repository `name` under `work/`.
    func newRepository(_ name: String) throws -> String {
        let dir = work + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main", dir])
        return dir
    }

    /// Publishes (or re-publishes, forced, pruning) a working repository as `served/<name>.git`.
    func publish(_ dir: String, as name: String) throws {
        try publish(dir, toBare: served + "/" + name + ".git")
    }

    /// Publishes (or re-publishes, forced, pruning) a working repository's heads and tags into
    /// the bare repository `bare`, created when missing, whose HEAD is `main`.
    func publish(_ dir: String, toBare bare: String) throws {
        if !FileManager.default.fileExists(atPath: bare) {
            try FileManager.default.createDirectory(atPath: bare, withIntermediateDirectories: true)
            try git(["init", "-q", "--bare", bare])
        }
        try git(["push", "-q", "--force", "--prune", bare, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], in: dir)
        try git(["symbolic-ref", "HEAD", "refs/heads/main"], in: bare)
    }

    func commitAll(_ message: String, in dir: String) throws {
        try git(["add", "-A"], in: dir)
        try git(["commit", "-q", "--allow-empty", "-m", message], in: dir)
    }

    /// Writes the configuration: one git hub with `repositories`; `storage` adds lines to `[storage]`.
    func configure(_ repositories: [String], blobMaxBytes: Int = 4096, storage: String = "", extra: String = "") throws {
        let list = repositories.map { "\"\($0)\"" }.joined(separator: ", ")
        let text = """
            [storage]
            path = "\(store)"
            blob_max_bytes = \(blobMaxBytes)
            \(storage)

            [daemon]
            concurrency = 2

            [[hub]]
            kind = "git"
            name = "ours"
            repositories = [\(list)]
            \(extra)
            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    @discardableResult
    func sediment(_ arguments: [String], config: String? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
        let env = environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        return try Shell.run(Shell.sedimentBinary, arguments + ["--config", config ?? configPath], cwd: root, env: env)
    }

    /// One query's rows from the archive's catalog, read through Python's sqlite3 (another
    /// SQLite than Sediment's), each value as text; no rows while the catalog or its tables
    /// do not exist yet.
    func catalogRows(_ sql: String, file: StaticString = #filePath, line: UInt = #line) throws -> [[String?]] {
        let result = try Shell.run(Shell.which("python3"), ["-c", """
            import json, os, sqlite3, sys
            if not os.path.exists(sys.argv[1]):
                print("[]")
                sys.exit(0)
            db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
            try:
                rows = list(db.execute(sys.argv[2]))
            except sqlite3.OperationalError as error:
                print(json.dumps(str(error)), file=sys.stderr)
                rows = []
            print(json.dumps([[None if v is None else str(v) for v in row] for row in rows]))
            """, store + "/catalog.sqlite", sql])
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
        let rows = try JSONSerialization.jsonObject(with: result.stdout) as? [[Any]] ?? []
        return rows.map { $0.map { $0 as? String } }
    }

    /// Deterministic pseudo-random bytes.
    static func bytes(_ count: Int, seed: UInt64) -> Data {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        var data = Data(capacity: count)
        for _ in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            data.append(UInt8(truncatingIfNeeded: state >> 33))
        }
        return data
    }
}

/// LFS pointer texts: the valid ones and the near misses that must not count as pointers.
enum PointerFixtures {
    static let oid = String(repeating: "4d7a", count: 16)
    static let valid = "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize 12345\n"
    static let hawser = "version https://hawser.github.com/spec/v1\noid sha256:\(String(repeating: "ab", count: 32))\nsize 42\n"
    static let withExtension = "version https://git-lfs.github.com/spec/v1\next-0-foo sha256:\(String(repeating: "cd", count: 32))\noid sha256:\(String(repeating: "ef", count: 32))\nsize 7\n"
    static let wrongOrder = "version https://git-lfs.github.com/spec/v1\nsize 12345\noid sha256:\(oid)\n"
    static let badHex = "version https://git-lfs.github.com/spec/v1\noid sha256:\(String(repeating: "zz", count: 32))\nsize 12345\n"
    static let upperHex = "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid.uppercased())\nsize 12345\n"
    static let missingSize = "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\n"
    static let crlf = "version https://git-lfs.github.com/spec/v1\r\noid sha256:\(oid)\r\nsize 12345\r\n"
    static let oversized = "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize 12345\nx-padding \(String(repeating: "p", count: 1100))\n"
    static let noNewline = "version https://git-lfs.github.com/spec/v1\noid sha256:\(oid)\nsize 12345"

    /// Path → (text, expected LFS oid or nil).
    static let files: [(String, String, String?)] = [
        ("weights/model.safetensors", valid, oid),
        ("weights/legacy.bin", hawser, String(repeating: "ab", count: 32)),
        ("weights/extension.bin", withExtension, String(repeating: "ef", count: 32)),
        ("weights/wrong-order.bin", wrongOrder, nil),
        ("weights/bad-hex.bin", badHex, nil),
        ("weights/upper-hex.bin", upperHex, nil),
        ("weights/missing-size.bin", missingSize, nil),
        ("weights/crlf.bin", crlf, nil),
        ("weights/oversized.bin", oversized, nil),
        ("weights/no-newline.bin", noNewline, nil),
    ]
}
