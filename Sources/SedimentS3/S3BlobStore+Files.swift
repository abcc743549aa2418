import Foundation
import SedimentStore

/// Archive files in the bucket: `PREFIX/<name>`, each stored by one PUT (multipart above the
/// part size), durable when S3 answers.
extension S3BlobStore {
    public func putFile(_ name: String, data: Data) throws {
        try ArchiveFileName.check(name)
        try client.putObject(location.key(name), data: data)
    }

    public func putFile(_ name: String, from path: String) throws {
        try ArchiveFileName.check(name)
        try upload(file: path, size: fileSize(path), to: location.key(name), sha256: nil)
    }

    public func file(_ name: String) throws -> Data {
        try ArchiveFileName.check(name)
        guard let data = try client.getObject(location.key(name)) else { throw BlobStoreError.missingFile(name) }
        return data
    }

    /// Streams the file into a new local file (removed again if the copy fails).
    public func copyFile(_ name: String, to path: String) throws {
        try ArchiveFileName.check(name)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BlobStoreError.io(operation: "create", path: path, errno: errno) }
        var found = false
        do {
            defer { close(fd) }
            found = try client.streamObject(location.key(name)) { try FileWriting.write(fd, $0, path: path) }
        } catch {
            unlink(path)
            throw error
        }
        guard found else {
            unlink(path)
            throw BlobStoreError.missingFile(name)
        }
    }

    /// One listing of the prefix (page by page); the blob layout's keys are left out.
    public func listFiles(prefix: String, _ body: (String, Int64) throws -> Void) throws {
        try ArchiveFileName.checkListingPrefix(prefix)
        let base = location.key("")
        var names: [(String, Int64)] = []
        try client.listObjects(prefix: location.key(prefix)) { object in
            let name = String(object.key.dropFirst(base.count))
            guard let slash = name.firstIndex(of: "/"), !ArchiveFileName.isBlobLayout(firstSegment: name[..<slash]) else { return }
            names.append((name, object.size))
        }
        for (name, size) in ArchiveFileName.sorted(names) {
            try body(name, size)
        }
    }
}
