import Foundation
import XCTest

/// The fixture world of `Tests/Fixtures/world.json` (the six hub kinds of the demo), built,
/// served and advanced by `Tests/Support/world.py` under a folder of the test's workspace.
/// Its servers run detached; `deinit` stops them.
final class FixtureWorld {
    let folder: String
    let home: String
    var configPath: String { folder + "/sediment.toml" }
    var store: String { folder + "/archive" }

    /// Builds epoch 1, starts the servers and writes the configuration.
    /// `description`: another description than `Tests/Fixtures/world.json`, by its file name there.
    init(folder: String, home: String, description: String? = nil) throws {
        self.folder = folder
        self.home = home
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
        try run(["up", folder] + (description.map { ["--description", fixtures + "/" + $0] } ?? []))
    }

    deinit {
        _ = try? run(["down", folder])
    }

    /// Applies the next epoch upstream (new commits, new weights, a force-push, new counters).
    func advance() throws { try run(["advance", folder]) }

    /// The head commit `repository` (as in world.json, e.g. `hub:google-bert/bert-tiny`) had
    /// after `epoch`.
    func head(_ repository: String, epoch: Int) throws -> String {
        try run(["head", folder, repository, String(epoch)]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    private func run(_ arguments: [String]) throws -> String {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/world.py").path
        var environment = Shell.gitEnvironment(home: home)
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        let result = try Shell.run(Shell.which("python3"), [script] + arguments, env: environment)
        guard result.status == 0 else {
            throw NSError(domain: "world.py \(arguments.joined(separator: " ")) failed: \(result.stderr)", code: Int(result.status))
        }
        return result.out
    }
}

extension FixtureWorld {
    /// The content of `path` at `revision` in the bare repository `bare` (`git cat-file`).
    func gitBlob(bare: String, revision: String, path: String) throws -> Data {
        let result = try Shell.run(Shell.which("git"), ["--git-dir", bare, "cat-file", "blob", "\(revision):\(path)"])
        guard result.status == 0 else { throw NSError(domain: "git cat-file \(revision):\(path): \(result.stderr)", code: 1) }
        return result.stdout
    }

    /// The git blob id of `path` at `revision`.
    func gitBlobID(bare: String, revision: String, path: String) throws -> String {
        try Shell.run(Shell.which("git"), ["--git-dir", bare, "rev-parse", "\(revision):\(path)"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every file of `revision`, by path.
    func gitFiles(bare: String, revision: String) throws -> [String] {
        try Shell.run(Shell.which("git"), ["--git-dir", bare, "ls-tree", "-r", "--name-only", revision]).out
            .split(separator: "\n").map(String.init).sorted()
    }
}
