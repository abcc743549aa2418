import Crypto
import Foundation
import XCTest

/// `sediment serve` on the fixture world crawled twice, asked by the real `huggingface_hub`
/// client (from PyPI) and looked at in a real browser (headless Chromium).
final class ServeTests: XCTestCase {
    nonisolated(unsafe) static var fixture: ServeFixture?
    nonisolated(unsafe) static var setupError: String?

    override class func setUp() {
        do { fixture = try ServeFixture() } catch { setupError = "\(error)" }
    }

    override class func tearDown() {
        if let fixture {
            let status = fixture.stop()
            if status != 0 { print("sediment serve exited \(String(describing: status)) on SIGTERM: \(fixture.server.log)") }
        }
        fixture = nil
    }

    private func serve() throws -> ServeFixture {
        guard let fixture = Self.fixture else { throw XCTSkip("no fixture: \(Self.setupError ?? "?")") }
        return fixture
    }

    private func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    func testTheHuggingFaceClientDownloadsAnyArchivedRevision() throws {
        guard Self.setupError == nil else { return XCTFail("setup failed: \(Self.setupError!)") }
        let serve = try serve()
        let world = serve.world, root = world.folder
        let oldTiny = try world.head("hub:google-bert/bert-tiny", epoch: 1), newTiny = try world.head("hub:google-bert/bert-tiny", epoch: 2)
        let lost = try world.head("git:org/model-a", epoch: 1), modelA = try world.head("git:org/model-a", epoch: 2)
        XCTAssertNotEqual(oldTiny, newTiny)
        let tinyBare = root + "/hub/google-bert/bert-tiny.git", lfs = root + "/hub/lfs"
        let answers = try serve.client([
            "old": ["kind": "snapshot", "repo": "google-bert/bert-tiny", "revision": oldTiny, "bare": tinyBare, "lfs_dir": lfs],
            // The force-pushed-away commit of a git hub's package, under its `sediment.HUB/` id; its
            // weights were never archived (that server has no LFS), so they are left out.
            "lost": ["kind": "snapshot", "repo": "sediment.ours/org.model-a", "revision": lost, "bare": root + "/served/org/model-a",
                     "lfs_dir": lfs, "ignore": ["*.safetensors"]],
            "deleted": ["kind": "snapshot", "repo": "acme/vit-small", "revision": "main", "bare": root + "/hub/acme/vit-small.git", "lfs_dir": lfs],
            "config": ["kind": "download", "repo": "google-bert/bert-tiny", "filename": "config.json", "revision": oldTiny],
            "weights": ["kind": "download", "repo": "google-bert/bert-tiny", "filename": "model.safetensors", "revision": oldTiny],
            "info": ["kind": "info", "repo": "google-bert/bert-tiny", "revision": oldTiny, "blobs": true],
            "files": ["kind": "files", "repo": "google-bert/bert-tiny", "revision": oldTiny],
            "refs": ["kind": "refs", "repo": "sediment.ours/org.model-a"],
            "commits": ["kind": "commits", "repo": "google-bert/bert-tiny"],
            "acme": ["kind": "models", "author": "acme"],
            "search": ["kind": "models", "search": "bert"],
            "onnx": ["kind": "files", "repo": "sediment.onnx/validated_text_machine_comprehension_bert-squad_model_bertsquad-12_onnx_c0e54e09"],
            "missing": ["kind": "missing", "repo": "openai-community/gpt2-mini", "filename": "pytorch_model.bin"],
            "absent": ["kind": "missing", "repo": "google-bert/bert-tiny", "filename": "no-such-file.bin"],
            "norevision": ["kind": "info_error", "repo": "google-bert/bert-tiny", "revision": "no-such-branch"],
            "norepo": ["kind": "info_error", "repo": "acme/never-archived"],
        ])
        func answer(_ name: String) -> [String: Any] {
            let a = answers[name] ?? [:]
            XCTAssertNil(a["failed"], "\(name): \(a["failed"] ?? "")")
            return a
        }

        // Snapshots: exactly the files of the commit, byte for byte (blobs and LFS objects).
        for name in ["old", "lost", "deleted"] {
            let a = answer(name)
            let files = a["files"] as? [String] ?? []
            XCTAssertFalse(files.isEmpty, name)
            XCTAssertEqual(files, a["expected"] as? [String], name)
            XCTAssertEqual(a["mismatched"] as? [String], [], name)
        }
        XCTAssertTrue((answer("old")["files"] as? [String] ?? []).contains("model.safetensors"))
        XCTAssertTrue((answer("lost")["files"] as? [String] ?? []).contains("EVAL.md"))

        // One file, and the weights: what `git cat-file` and the archived LFS object hold.
        let config = try world.gitBlob(bare: tinyBare, revision: oldTiny, path: "config.json")
        XCTAssertEqual(answer("config")["sha256"] as? String, sha256(config))
        let archivedWeights = try serve.workspace.sediment(["show", "hf:google-bert/bert-tiny@\(oldTiny)", "model.safetensors"], config: world.configPath)
        XCTAssertEqual(archivedWeights.status, 0, archivedWeights.stderr)
        XCTAssertEqual(answer("weights")["sha256"] as? String, sha256(archivedWeights.stdout))
        XCTAssertEqual(answer("weights")["size"] as? Int, 4_412_304)

        // model_info at the old revision: its commit, its files, the LFS object's id.
        let info = answer("info")
        XCTAssertEqual(info["id"] as? String, "google-bert/bert-tiny")
        XCTAssertEqual(info["sha"] as? String, oldTiny)
        XCTAssertEqual(info["downloads"] as? Int, 1_990_684)
        let siblings = info["siblings"] as? [[String: Any]] ?? []
        let upstream = try world.gitFiles(bare: tinyBare, revision: oldTiny)
        XCTAssertEqual(siblings.compactMap { $0["name"] as? String }, upstream)
        XCTAssertEqual(answer("files")["files"] as? [String], upstream)
        let pointer = String(decoding: try world.gitBlob(bare: tinyBare, revision: oldTiny, path: "model.safetensors"), as: UTF8.self)
        let oid = siblings.first { $0["name"] as? String == "model.safetensors" }?["lfs"] as? String
        XCTAssertNotNil(oid)
        XCTAssertTrue(pointer.contains("oid sha256:" + (oid ?? "?")), pointer)

        // Refs as of the latest snapshot: main moved by the force-push.
        let refs = answer("refs")
        XCTAssertEqual(refs["branches"] as? [String: String], ["main": modelA])
        XCTAssertEqual((refs["tags"] as? [String: String])?.keys.sorted(), ["v1.0"])

        // History: newest first, the retraining commit then the old head.
        let commits = answer("commits")["commits"] as? [String] ?? []
        XCTAssertEqual(commits.count, 4)
        XCTAssertEqual(Array(commits.prefix(2)), [newTiny, oldTiny])

        XCTAssertEqual(answer("acme")["ids"] as? [String], ["acme/llama-gated", "acme/vit-small"])
        // Another hub's package, under an id of the `sediment.HUB/` form (this one has dots in its
        // id, so its name ends with a digest); its card one folder up is not offered.
        let onnx = "sediment.onnx/validated_text_machine_comprehension_bert-squad_model_bertsquad-12_onnx_c0e54e09"
        XCTAssertEqual(answer("search")["ids"] as? [String], ["google-bert/bert-tiny", onnx])
        XCTAssertEqual(answer("onnx")["files"] as? [String], ["bertsquad-12.onnx"])

        // What cannot be served says why, in the client's own errors.
        let missing = answer("missing")
        XCTAssertEqual(missing["error"] as? String, "RemoteEntryNotFoundError")
        XCTAssertTrue((missing["message"] as? String ?? "").contains("is not archived"), "\(missing)")
        XCTAssertEqual(answer("absent")["error"] as? String, "RemoteEntryNotFoundError")
        XCTAssertEqual(answer("norevision")["error"] as? String, "RevisionNotFoundError")
        XCTAssertEqual(answer("norepo")["error"] as? String, "RepositoryNotFoundError")
    }

    func testResolveSendsTheHubHeadersAndRanges() throws {
        guard Self.setupError == nil else { return XCTFail("setup failed: \(Self.setupError!)") }
        let serve = try serve()
        let oldTiny = try serve.world.head("hub:google-bert/bert-tiny", epoch: 1)
        let url = "\(serve.origin)/google-bert/bert-tiny/resolve/\(oldTiny)/model.safetensors"
        let head = try Shell.run(Shell.which("curl"), ["-sSI", url])
        XCTAssertTrue(head.out.contains("HTTP/1.1 200"), head.out)
        let headers = Dictionary(head.out.split(separator: "\r\n").compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }, uniquingKeysWith: { a, _ in a })
        let archived = try serve.workspace.sediment(["show", "hf:google-bert/bert-tiny@\(oldTiny)", "model.safetensors"], config: serve.world.configPath).stdout
        XCTAssertEqual(headers["x-repo-commit"], oldTiny)
        XCTAssertEqual(headers["etag"], "\"\(sha256(archived))\"")
        XCTAssertEqual(headers["x-linked-etag"], "\"\(sha256(archived))\"")
        XCTAssertEqual(headers["x-linked-size"], "4412304")
        XCTAssertEqual(headers["content-length"], "4412304")
        XCTAssertEqual(headers["accept-ranges"], "bytes")

        // A plain file's ETag is its git blob id.
        let plain = try Shell.run(Shell.which("curl"), ["-sSI", "\(serve.origin)/google-bert/bert-tiny/resolve/\(oldTiny)/config.json"])
        let blob = try serve.world.gitBlobID(bare: serve.world.folder + "/hub/google-bert/bert-tiny.git", revision: oldTiny, path: "config.json")
        XCTAssertTrue(plain.out.lowercased().contains("etag: \"\(blob)\""), plain.out)

        // One range, as a resuming client asks.
        let part = try Shell.run(Shell.which("curl"), ["-sS", "-D", "-", "-o", serve.workspace.root + "/part", "-H", "Range: bytes=1000-1999", url])
        XCTAssertTrue(part.out.contains("206"), part.out)
        XCTAssertTrue(part.out.lowercased().contains("content-range: bytes 1000-1999/4412304"), part.out)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: serve.workspace.root + "/part"))
        XCTAssertEqual(bytes, archived.subdata(in: 1000..<2000))
        let beyond = try Shell.run(Shell.which("curl"), ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Range: bytes=5000000-", url])
        XCTAssertEqual(beyond.out, "416")

        // Read-only: nothing but GET and HEAD.
        let post = try Shell.run(Shell.which("curl"), ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "\(serve.origin)/api/models"])
        XCTAssertEqual(post.out, "405")
        let (code, metrics) = try DaemonProcess.get(serve.address, "/metrics")
        XCTAssertEqual(code, 200)
        XCTAssertTrue(metrics.contains("sediment_serve_requests_total{kind=\"resolve\"}"), metrics)
        let (health, _) = try DaemonProcess.get(serve.address, "/healthz")
        XCTAssertEqual(health, 200)
    }

    func testDamagedContentIsNeverSentWhole() throws {
        guard Self.setupError == nil else { return XCTFail("setup failed: \(Self.setupError!)") }
        let serve = try serve()
        // The weights of a model no other test downloads: one byte changed in the stored object.
        let manifest = try serve.workspace.sediment(["show", "hf:acme/llama-gated", "--json"], config: serve.world.configPath).jsonLines
        guard let oid = manifest.first(where: { $0["path"] as? String == "model.safetensors" })?["lfs_oid"] as? String else {
            return XCTFail("no LFS object in \(manifest)")
        }
        let object = serve.world.store + "/blobs/\(oid.prefix(2))/\(oid)"
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: object))
        try handle.seek(toOffset: 5_000_000)
        let byte = try handle.read(upToCount: 1) ?? Data([0])
        try handle.seek(toOffset: 5_000_000)
        try handle.write(contentsOf: Data([byte[0] ^ 0xFF]))
        try handle.close()

        let url = "\(serve.origin)/acme/llama-gated/resolve/main/model.safetensors"
        let get = try Shell.run(Shell.which("curl"), ["-sS", "-o", serve.workspace.root + "/damaged", "-w", "%{size_download}", url])
        XCTAssertNotEqual(get.status, 0, "curl must see the transfer cut short")
        XCTAssertLessThan(Int(get.out) ?? Int.max, 9_437_696, get.stderr)
        let (_, metrics) = try DaemonProcess.get(serve.address, "/metrics")
        XCTAssertTrue(metrics.contains("sediment_serve_failed_transfers_total 1"), metrics)
        XCTAssertTrue(serve.server.log.contains("file transfer stopped"), serve.server.log)
        // The server goes on serving.
        let (health, _) = try DaemonProcess.get(serve.address, "/healthz")
        XCTAssertEqual(health, 200)
    }
}
