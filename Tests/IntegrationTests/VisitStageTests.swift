import Foundation
@testable import SedimentEngine
import SedimentGit
import SedimentStore
import XCTest

/// The seams of a visit: the hub-kind registry, the observe stage reading the manifest in
/// memory, the manifest stage writing only through its store, and the catalog's timestamps.
final class VisitStageTests: XCTestCase {
    func testRegistryNamesEveryConfiguredKindOnceAndEachReadsItsOwnKeys() throws {
        XCTAssertEqual(HubKinds.names, ["huggingface", "pytorch-hub", "onnx-model-zoo", "modelhub", "modelzoo", "git"])
        XCTAssertEqual(Configuration.hubKinds, HubKinds.names, "configuration validation asks the registry")
        for name in HubKinds.names {
            XCTAssertEqual(try HubKinds.named(name).name, name)
        }
        let text = """
            [[hub]]
            kind = "git"
            repositories = ["/srv/git/a.git"]
            [[hub]]
            kind = "huggingface"
            endpoint = "http://127.0.0.1:1"
            page_size = 5
            [[hub]]
            kind = "modelzoo"
            endpoint = "http://127.0.0.1:2"
            [[hub]]
            kind = "onnx-model-zoo"
            repository = "/srv/git/onnx.git"
            [[hub]]
            kind = "modelhub"
            index = "/srv/git/modelhub.git"
            [[hub]]
            kind = "pytorch-hub"
            """
        let hubs = try Configuration.parse(text, file: "test.toml").hubs
        XCTAssertEqual(hubs.map(\.kind), ["git", "huggingface", "modelzoo", "onnx-model-zoo", "modelhub", "pytorch-hub"])
        XCTAssertEqual(hubs[0].repositories, ["/srv/git/a.git"])
        XCTAssertEqual(hubs[1].endpoint, "http://127.0.0.1:1")
        XCTAssertEqual(hubs[1].pageSize, 5)
        XCTAssertEqual(hubs[2].endpoint, "http://127.0.0.1:2")
        XCTAssertEqual(hubs[3].index, "/srv/git/onnx.git")
        XCTAssertEqual(hubs[4].index, "/srv/git/modelhub.git")
        XCTAssertEqual(hubs[5].index, "https://github.com/pytorch/hub", "the kind's own default")
        // What exports say of each kind, from the kind.
        XCTAssertEqual(HubKinds.all.map(\.displayName), ["HuggingFace", "PyTorch Hub", "ONNX Model Zoo", "Modelhub", "ModelZoo", "Git"])
        XCTAssertEqual(HubKinds.all.map { $0.location(of: nil) }, ["https://huggingface.co", "https://github.com/pytorch/hub",
                                                                   "https://github.com/onnx/models", "https://github.com/modelhub-ai/modelhub",
                                                                   "https://modelzoo.co", ""], "a git hub has no address of its own")
        XCTAssertEqual(try hubs.map { try $0.kindType.location(of: $0) },
                       ["", "http://127.0.0.1:1", "http://127.0.0.1:2", "/srv/git/onnx.git", "/srv/git/modelhub.git", "https://github.com/pytorch/hub"])
        XCTAssertEqual(HubKinds.all.filter(\.idsAreOwnerAndName).map(\.name), ["huggingface", "git"])
        XCTAssertEqual(HubKinds.all.filter(\.urlsAreOperatorChosen).map(\.name), ["git"])
        // A key of one kind is refused on another.
        XCTAssertThrowsError(try Configuration.parse("[[hub]]\nkind = \"modelzoo\"\nindex = \"/srv/git/x.git\"\n", file: "test.toml")) { error in
            XCTAssertTrue("\(error)".contains("hub[0].index"), "\(error)")
        }
    }

    func testUnknownKindIsRefusedNamingTheKnownOnes() {
        XCTAssertThrowsError(try HubKinds.named("kaggle")) { error in
            XCTAssertEqual("\(error)", "hub kind kaggle cannot be crawled by this version (known kinds: huggingface, pytorch-hub, onnx-model-zoo, modelhub, modelzoo, git)")
        }
        XCTAssertThrowsError(try Configuration.parse("[[hub]]\nkind = \"kaggle\"\n", file: "test.toml")) { error in
            XCTAssertTrue("\(error)".contains("hub[0].kind"), "\(error)")
            XCTAssertTrue("\(error)".contains("\"kaggle\""), "\(error)")
        }
    }

    func testOnlyTheHuggingFaceKindDefaultsToHFToken() throws {
        let environment = ["HF_TOKEN": "hf_secret"]
        XCTAssertEqual(try Configuration.Hub(kind: "huggingface", name: "hf").credentials(environment: environment)?.password, "hf_secret")
        XCTAssertNil(try Configuration.Hub(kind: "git", name: "g").credentials(environment: environment))
        XCTAssertNil(try Configuration.Hub(kind: "huggingface", name: "hf").credentials(environment: ["HF_TOKEN": ""]))
    }

    /// A synced package with a card and a config; returns the archive (read-only) and the package.
    private func syncedPackage(_ ws: Workspace) throws -> (Archive, PackageRecord) {
        let repo = try ws.newRepository("org/observed")
        try ws.write("README.md", "---\nlicense: mit\ntags: [vision]\n---\n# Observed\nA card with a body.\n", in: repo)
        try ws.write("config.json", "{\"model_type\": \"bert\", \"architectures\": [\"BertModel\"]}\n", in: repo)
        try ws.write("weights/model.bin", Workspace.bytes(3000, seed: 7), in: repo)
        try ws.write("weights/big.bin", Workspace.bytes(6000, seed: 8), in: repo)
        try ws.write("model.safetensors", "version https://git-lfs.github.com/spec/v1\noid sha256:\(String(repeating: "ab", count: 32))\nsize 12345\n", in: repo)
        try ws.commitAll("initial", in: repo)
        try ws.publish(repo, as: "org/observed")
        try ws.configure(["\(ws.served)/org/observed.git"])
        let sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        let archive = try Archive.openForReading(try Configuration.load(path: ws.configPath))
        let package = try XCTUnwrap(try archive.catalog.packages().first)
        return (archive, package)
    }

    func testObservationFromTheManifestInMemoryIsTheOneFromTheStoredManifest() throws {
        let ws = try Workspace()
        let (archive, package) = try syncedPackage(ws)
        let snapshot = try XCTUnwrap(try archive.catalog.lastSnapshot(package: package.rowID))
        let id = try XCTUnwrap(snapshot.manifest)
        let manifest = try Manifest.parse(archive.blobs.get(id))
        let stage = ObserveStage(store: archive.manifestStore, catalog: archive.catalog, limits: VisitOptions(archive.configuration).fileLimits)

        let fromMemory = stage.observe(package, hubMetadata: nil, head: .built(manifest), newCommits: [], repository: package.repositoryRowID)
        let readBack = stage.observe(package, hubMetadata: nil, head: .archived(id), newCommits: [], repository: package.repositoryRowID)
        XCTAssertEqual(fromMemory, readBack)
        XCTAssertEqual(fromMemory.cardLicense, "mit")
        XCTAssertEqual(fromMemory.configModelType, "bert")
        XCTAssertEqual(fromMemory.files, 5)
        XCTAssertEqual(fromMemory.lfsFiles, 1)
        // What the visit recorded (it had one new commit, this call none).
        var recorded = try XCTUnwrap(try archive.catalog.lastObservation(package: package.rowID))
        XCTAssertEqual(recorded.commitsNew, 1)
        recorded.commitsNew = 0
        XCTAssertEqual(recorded, fromMemory)
    }

    func testManifestStageReachesStorageOnlyThroughItsStore() throws {
        let ws = try Workspace()
        let (archive, package) = try syncedPackage(ws)
        let snapshot = try XCTUnwrap(try archive.catalog.lastSnapshot(package: package.rowID))
        let head = try XCTUnwrap(snapshot.head.flatMap(ObjectID.init(hex:)))
        let mirror = try Repository.open(at: archive.mirrorFolder(try XCTUnwrap(package.mirrorPath)))

        let store = MemoryStore()
        let output = try ManifestStage(store: store, blobMaxBytes: 4096)
            .run(repository: mirror, refs: ["refs/heads/main": head], headRef: "refs/heads/main", scope: package.scope)
        XCTAssertEqual(output.manifestOf[head.hex], snapshot.manifest, "the same manifest as the archive's")
        XCTAssertEqual(output.records.map(\.id), [try XCTUnwrap(snapshot.manifest)])
        XCTAssertEqual(output.newBlobs.count, 5, "a store that knows no blob has every one hashed")
        XCTAssertTrue(try store.blobs.allIDs().isEmpty, "nothing is visible before commit")
        _ = try output.commit()
        XCTAssertTrue(store.contains(try XCTUnwrap(snapshot.manifest)))
        let card = try XCTUnwrap(output.built[try XCTUnwrap(snapshot.manifest)]?.entries.first { $0.path == "README.md" }?.sha256)
        XCTAssertTrue(store.contains(card))
        let weights = try XCTUnwrap(output.built[try XCTUnwrap(snapshot.manifest)]?.entries.first { $0.path == "weights/model.bin" }?.sha256)
        XCTAssertTrue(store.contains(weights), "3000 bytes are under blob_max_bytes 4096")
        let big = try XCTUnwrap(output.built[try XCTUnwrap(snapshot.manifest)]?.entries.first { $0.path == "weights/big.bin" }?.sha256)
        XCTAssertFalse(store.contains(big), "6000 bytes are over blob_max_bytes 4096: hashed, not stored")

        // A store that already has the manifest: nothing is built again.
        store.manifests[head.hex] = try XCTUnwrap(snapshot.manifest)
        let again = try ManifestStage(store: store, blobMaxBytes: 4096)
            .run(repository: mirror, refs: ["refs/heads/main": head], headRef: "refs/heads/main", scope: package.scope)
        XCTAssertEqual(again.records.count, 0)
        XCTAssertEqual(again.manifestOf[head.hex], snapshot.manifest)
    }

    func testPackageContentSaysWhereAFileComesFromOrWhyItIsNotArchived() throws {
        let ws = try Workspace()
        let (archive, package) = try syncedPackage(ws)
        let snapshot = try XCTUnwrap(try archive.catalog.lastSnapshot(package: package.rowID))
        let commit = try XCTUnwrap(snapshot.head)
        let manifest = try Manifest.parse(archive.blobs.get(try XCTUnwrap(snapshot.manifest)))
        let content = PackageContent(archive: archive, lfs: LFSPolicy(fetch: false))
        func problem(_ path: String, _ content: PackageContent) -> String {
            do {
                _ = try content.source(of: path, in: manifest, package: package, commit: commit)
                return "no error"
            } catch {
                return "\(error)"
            }
        }

        let card = try content.source(of: "README.md", in: manifest, package: package, commit: commit)
        var text = Data()
        try content.read(card) { text.append(contentsOf: $0) }
        XCTAssertEqual(String(decoding: text, as: UTF8.self), "---\nlicense: mit\ntags: [vision]\n---\n# Observed\nA card with a body.\n")
        XCTAssertTrue(problem("absent.txt", content).hasSuffix("has no file absent.txt"), problem("absent.txt", content))
        XCTAssertTrue(problem("weights/big.bin", content).contains("is not archived: it is larger than blob_max_bytes"), problem("weights/big.bin", content))
        XCTAssertTrue(problem("model.safetensors", content).contains("storage.lfs = \"pointers\" records pointers only"),
                      problem("model.safetensors", content))
        let fetching = PackageContent(archive: archive, lfs: LFSPolicy(fetch: true))
        XCTAssertTrue(problem("model.safetensors", fetching).contains("outside the storage.lfs_max_bytes / lfs_include policy"),
                      problem("model.safetensors", fetching))
    }

    func testTheCatalogWritesItsTimestampsInItsOwnForm() throws {
        let ws = try Workspace()
        _ = try syncedPackage(ws)
        let form = try NSRegularExpression(pattern: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#)
        let rows = try ws.catalogRows("""
            SELECT v.started_at, v.finished_at, s.taken_at, c.started_at, c.finished_at, p.first_seen
            FROM visit v JOIN snapshot s ON s.package_id = v.package_id JOIN crawl c ON c.id = v.crawl_id JOIN package p ON p.id = v.package_id
            """)
        XCTAssertEqual(rows.count, 1)
        for value in rows.first ?? [] {
            let text = try XCTUnwrap(value)
            XCTAssertEqual(form.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text)), 1, text)
        }
    }
}

/// A ``ManifestStore`` held in memory, its blobs in the in-memory ``BlobStore``: another
/// storage behind the same seam.
private final class MemoryStore: ManifestStore {
    var manifests: [String: ContentID] = [:]
    let blobs = MemoryBlobStore()

    func manifestID(commit: String, subpath: String) throws -> ContentID? { manifests[commit] }
    func knownBlobs(_ gitBlobs: [String]) throws -> [String: BlobInfo] { [:] }
    func stage() throws -> BlobBatch { try blobs.batch() }
    func contains(_ id: ContentID) -> Bool { blobs.contains(id) }
    func content(_ id: ContentID) throws -> Data { try blobs.get(id) }
}
