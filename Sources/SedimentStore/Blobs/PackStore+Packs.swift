import Foundation

extension PackStore: PackHolder {
    /// Every pack file in the store, by the id its name gives.
    public func packFiles() -> [ContentID] {
        var ids: [ContentID] = []
        let folder = root.path + "/packs"
        for shard in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where shard.count == 2 {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + shard)) ?? [] where name.hasSuffix(".pack") {
                if let id = ContentID(hex: String(name.dropLast(5))), id.hex.hasPrefix(shard) { ids.append(id) }
            }
        }
        return ids.sorted()
    }

    public func storedPacks() throws -> [ContentID] {
        packFiles()
    }

    public func packName(_ id: ContentID) -> String {
        packPath(id)
    }

    /// The trailer of pack `id`, read with two `pread`s (footer, then trailer).
    public func readTrailer(_ id: ContentID) throws -> PackRecord {
        let path = packPath(id)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BlobStoreError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw BlobStoreError.io(operation: "stat", path: path, errno: errno) }
        return try PackFormat.record(of: id, size: Int64(info.st_size)) { offset, count in
            try Self.pread(fd, count: count, at: offset, path: path)
        }
    }

    public func packBytes(_ id: ContentID) throws -> [UInt8] {
        let path = packPath(id)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BlobStoreError.io(operation: "read", path: path, errno: errno)
        }
        return [UInt8](data)
    }

    static func pread(_ fd: Int32, count: Int, at offset: Int64, path: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw BlobStoreError.io(operation: "read", path: path, errno: errno)
            }
            if n == 0 { throw BlobStoreError.damagedPack(pack: path, problem: "it ends before its trailer does") }
            done += n
        }
        return bytes
    }
}
