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
            found = try client.streamObject(location.key(name)) { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw BlobStoreError.io(operation: "write", path: path, errno: errno) }
                    offset += n
                }
            }
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
        guard prefix.contains("/") || prefix.count > 2 else {
            throw BlobStoreError.invalidName(prefix, problem: "a listing names a folder of archive files")
        }
        let base = location.key("")
        var names: [(String, Int64)] = []
        try client.listObjects(prefix: location.key(prefix)) { object in
            let name = String(object.key.dropFirst(base.count))
            let first = name.split(separator: "/", maxSplits: 1).first.map(String.init) ?? name
            guard name.contains("/"), first.count > 2, !ArchiveFileName.reserved.contains(first) else { return }
            names.append((name, object.size))
        }
        for (name, size) in names.sorted(by: { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }) {
            try body(name, size)
        }
    }
}
