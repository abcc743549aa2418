import Foundation
import SedimentStore
import XCTest

final class ManifestTests: XCTestCase {
    func entry(_ path: String, lfs: Bool = false) -> ManifestEntry {
        let sha = ContentID.of(Data(path.utf8))
        return ManifestEntry(path: path, mode: 0o100644, size: Int64(path.utf8.count), blob: String(repeating: "a", count: 40),
                             sha256: sha, lfsOID: lfs ? sha : nil, lfsSize: lfs ? 99 : nil)
    }

    func testEntriesAreSortedByUTF8BytesAndTheIdIsOrderIndependent() {
        let a = Manifest(entries: [entry("b.txt"), entry("a/z.txt"), entry("é.txt"), entry("a.txt")])
        let b = Manifest(entries: [entry("é.txt"), entry("a.txt"), entry("b.txt"), entry("a/z.txt")])
        XCTAssertEqual(a.entries.map(\.path), ["a.txt", "a/z.txt", "b.txt", "é.txt"])
        XCTAssertEqual(a.id, b.id)
        XCTAssertNotEqual(a.id, Manifest(entries: [entry("a.txt")]).id)
    }

    func testCanonicalFormRoundTrips() throws {
        let manifest = Manifest(entries: [entry("weights/model.safetensors", lfs: true), entry("dir with space/\"quoted\"\n.txt"), entry("README.md")])
        let data = manifest.canonicalData()
        XCTAssertTrue(String(decoding: data, as: UTF8.self).hasPrefix("sediment-manifest 1\n{\"path\":"))
        let parsed = try Manifest.parse(data)
        XCTAssertEqual(parsed, manifest)
        XCTAssertEqual(parsed.id, manifest.id)
        XCTAssertEqual(manifest.id, ContentID.of(data))
    }

    func testCanonicalFormIsStable() {
        // The serialisation is a format: changing it changes every manifest id.
        let manifest = Manifest(entries: [ManifestEntry(path: "a", mode: 0o100755, size: 1, blob: String(repeating: "0", count: 40),
                                                        sha256: ContentID(hex: String(repeating: "1", count: 64)))])
        XCTAssertEqual(String(decoding: manifest.canonicalData(), as: UTF8.self),
                       "sediment-manifest 1\n{\"path\":\"a\",\"mode\":\"100755\",\"size\":1,\"blob\":\"\(String(repeating: "0", count: 40))\",\"sha256\":\"\(String(repeating: "1", count: 64))\",\"lfs_oid\":null,\"lfs_size\":null}\n")
    }

    func testMalformedManifestIsRejected() {
        XCTAssertThrowsError(try Manifest.parse(Data("not a manifest\n".utf8)))
        XCTAssertThrowsError(try Manifest.parse(Data("sediment-manifest 1\n{\"path\":1}\n".utf8)))
    }

    func testSnapshotIdDependsOnStateOnly() {
        let a = SnapshotState(hub: "hf", package: "org/m", head: "abc", manifest: nil, metadata: nil, refs: ["refs/heads/main": "abc", "refs/tags/v1": "def"])
        var b = a
        b.refs = ["refs/tags/v1": "def", "refs/heads/main": "abc"]
        XCTAssertEqual(a.id, b.id)
        b.refs["refs/heads/dev"] = "123"
        XCTAssertNotEqual(a.id, b.id)
    }
}
