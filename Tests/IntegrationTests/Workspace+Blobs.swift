import Foundation
import SedimentStore
import XCTest

/// The archive's blob store as the tests look into it: through the same ``PackStore`` and
/// catalog index `sediment` uses, and by damaging its files as a failing disk would.
extension Workspace {
    /// The archive's blob store, its index read from the catalog.
    func blobStore() throws -> PackStore {
        try PackStore(root: URL(fileURLWithPath: store + "/blobs"), index: Catalog(readOnlyPath: store + "/catalog.sqlite"))
    }

    /// The SHA-256 of what the store holds under `hex`: `hex` itself when it is intact, the
    /// hash of the damaged bytes when they are not, nil when the store holds nothing.
    func storedSHA(_ hex: String) throws -> String? {
        let id = try XCTUnwrap(ContentID(hex: hex))
        do {
            return ContentID.of(try blobStore().get(id)).hex
        } catch BlobStoreError.missing {
            return nil
        } catch BlobStoreError.corrupt(_, let actual, _) {
            return actual.hex
        } catch BlobStoreError.undecodable {
            return "undecodable"
        }
    }

    /// The stored content of `hex`, checked against it.
    func storedContent(_ hex: String) throws -> Data {
        try blobStore().get(try XCTUnwrap(ContentID(hex: hex)))
    }

    /// Whether the store holds `hex`.
    func isStored(_ hex: String) throws -> Bool {
        try blobStore().contains(try XCTUnwrap(ContentID(hex: hex)))
    }

    /// Flips one byte of the stored bytes of `hex` (inside its pack, or in its own file).
    func damageBlob(_ hex: String, at offset: Int64 = 0) throws {
        let store = try blobStore()
        let id = try XCTUnwrap(ContentID(hex: hex))
        let path: String, position: Int64
        if let location = try store.index.locate([id])[id] {
            (path, position) = (store.packPath(location.pack), location.entry.offset + min(offset, location.entry.length - 1))
        } else {
            (path, position) = (store.loose.path(of: id), offset)
        }
        chmod(path, 0o644)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(position))
        let byte = try XCTUnwrap(try handle.read(upToCount: 1))
        try handle.seek(toOffset: UInt64(position))
        try handle.write(contentsOf: Data([byte[0] ^ 0xFF]))
    }

    /// Makes the store lose `hex`: its own file deleted, or, for a packed blob, its entry
    /// dropped from the index (the pack itself, shared with other blobs, stays).
    func loseBlob(_ hex: String) throws {
        let store = try blobStore()
        let id = try XCTUnwrap(ContentID(hex: hex))
        if try store.index.locate([id])[id] != nil {
            let result = try Shell.run(Shell.which("python3"), ["-c", """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                db.execute("DELETE FROM pack_blob WHERE blob = ?", (sys.argv[2],))
                db.commit()
                """, self.store + "/catalog.sqlite", hex])
            XCTAssertEqual(result.status, 0, result.stderr)
        } else {
            try FileManager.default.removeItem(atPath: store.loose.path(of: id))
        }
    }
}

extension Workspace {
    /// Rewrites the archive's blob store in the layout of archives written before packs: every
    /// blob a file of its own (`blobs/ab/<hex>`), no pack, an empty pack index.
    func rewriteAsLooseArchive() throws {
        let store = try blobStore()
        var packed: [ContentID] = []
        try store.index.indexedBlobs { id, _ in packed.append(id) }
        for id in packed {
            let path = store.loose.path(of: id)
            try store.get(id).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o444)
        }
        for pack in store.packFiles() { try FileManager.default.removeItem(atPath: store.packPath(pack)) }
        try dropPackIndex()
    }

    /// Empties the catalog's pack index (tables `pack` and `pack_blob`), as a lost index would be.
    func dropPackIndex() throws {
        let result = try Shell.run(Shell.which("python3"), ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("DELETE FROM pack_blob")
            db.execute("DELETE FROM pack")
            db.commit()
            """, store + "/catalog.sqlite"])
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    /// The loose blob files under `blobs/ab/`.
    func looseBlobFiles() -> [String] {
        let root = store + "/blobs"
        return ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { $0.count == 2 }.flatMap { shard in
            ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + shard)) ?? []).map { shard + "/" + $0 }
        }
    }

    /// The pack files under `blobs/packs/`.
    func packFiles() throws -> [ContentID] {
        try blobStore().packFiles()
    }
}
