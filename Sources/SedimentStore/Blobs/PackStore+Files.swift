import Foundation

/// Archive files on a local disk: `<root>/<name>`, written to `tmp/`, synced, renamed into
/// place and the folder synced, as blobs are.
extension PackStore {
    func filePath(_ name: String) -> String {
        root.path + "/" + name
    }

    public func putFile(_ name: String, data: Data) throws {
        try ArchiveFileName.check(name)
        let temporary = try data.withUnsafeBytes { try loose.writeTemporary($0, name: "file-\(getpid())-\(UInt64.random(in: 0...UInt64.max))") }
        try place(temporary, as: name)
    }

    public func putFile(_ name: String, from path: String) throws {
        try ArchiveFileName.check(name)
        let temporary = root.path + "/tmp/file-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        do {
            try FileManager.default.copyItem(atPath: path, toPath: temporary)
        } catch {
            unlink(temporary)
            throw BlobStoreError.io(operation: "copy \(path) to", path: temporary, errno: (error as NSError).code == NSFileReadNoSuchFileError ? ENOENT : EIO)
        }
        try place(temporary, as: name)
    }

    /// Makes `temporary` durable and renames it to `name`, then makes the rename durable.
    private func place(_ temporary: String, as name: String) throws {
        let final = filePath(name)
        let folder = (final as NSString).deletingLastPathComponent
        do {
            try Self.sync(path: temporary, directory: false)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            guard rename(temporary, final) == 0 else { throw BlobStoreError.io(operation: "rename into", path: final, errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
        try Self.sync(path: folder, directory: true)
    }

    private static func sync(path: String, directory: Bool) throws {
        let fd = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC)
        guard fd >= 0 else { throw BlobStoreError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw BlobStoreError.io(operation: "fsync", path: path, errno: errno) }
    }

    public func file(_ name: String) throws -> Data {
        try ArchiveFileName.check(name)
        let path = filePath(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            if access(path, F_OK) != 0 { throw BlobStoreError.missingFile(name) }
            throw BlobStoreError.io(operation: "read", path: path, errno: errno)
        }
        return data
    }

    public func copyFile(_ name: String, to path: String) throws {
        try ArchiveFileName.check(name)
        let source = filePath(name)
        guard access(source, F_OK) == 0 else { throw BlobStoreError.missingFile(name) }
        do {
            try FileManager.default.copyItem(atPath: source, toPath: path)
        } catch {
            throw BlobStoreError.io(operation: "copy \(source) to", path: path, errno: EIO)
        }
    }

    public func listFiles(prefix: String, _ body: (String, Int64) throws -> Void) throws {
        // Only the folder the prefix names is walked (never the blobs' shards).
        try ArchiveFileName.checkListingPrefix(prefix)
        let folder = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
        var names: [(String, Int64)] = []
        func walk(_ relative: String) {
            let path = relative.isEmpty ? root.path : root.path + "/" + relative
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                let name = relative.isEmpty ? entry : relative + "/" + entry
                if relative.isEmpty && ArchiveFileName.isBlobLayout(firstSegment: entry) { continue }
                var info = stat()
                guard lstat(root.path + "/" + name, &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    if name.hasPrefix(prefix) || prefix.hasPrefix(name + "/") { walk(name) }
                } else if (info.st_mode & S_IFMT) == S_IFREG, name.hasPrefix(prefix) {
                    names.append((name, Int64(info.st_size)))
                }
            }
        }
        walk(folder)
        for (name, size) in ArchiveFileName.sorted(names) {
            try body(name, size)
        }
    }
}
