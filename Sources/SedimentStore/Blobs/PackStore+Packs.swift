import Crypto
import Foundation

extension PackStore {
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

    /// Packs on disk the index does not know: written by a batch that crashed before it
    /// indexed them. Their blobs are invisible until ``adoptUnindexedPacks()`` (or
    /// `sediment rebuild-index`) indexes them.
    public func unindexedPacks() throws -> [ContentID] {
        let indexed = try index.indexedPacks()
        return packFiles().filter { indexed[$0] == nil }
    }

    /// Indexes the packs on disk the index does not know (their trailers read, not their
    /// blobs); returns them.
    @discardableResult
    public func adoptUnindexedPacks() throws -> [PackRecord] {
        let records = try unindexedPacks().map { try readTrailer($0) }
        if !records.isEmpty { try index.add(records) }
        return records
    }

    /// The trailer of pack `id`, as the index would record it (the pack's blobs are not read).
    public func readTrailer(_ id: ContentID) throws -> PackRecord {
        let path = packPath(id)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BlobStoreError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw BlobStoreError.io(operation: "stat", path: path, errno: errno) }
        let size = Int64(info.st_size)
        let footer = try Self.pread(fd, count: PackFormat.footerSize, at: max(0, size - Int64(PackFormat.footerSize)), path: path)
        let (offset, count) = try PackFormat.footer(footer, fileSize: size, pack: id.hex)
        let trailer = try Self.pread(fd, count: count * PackFormat.entrySize, at: offset, path: path)
        let entries = try PackFormat.entries(trailer, blobAreaEnd: offset, pack: id.hex)
        return PackRecord(id: id, bytes: size, entries: entries)
    }

    /// Reads pack `id` whole: its bytes hashed against its name, its header and trailer
    /// parsed, and every blob decompressed and hashed against its id. Returns the record and
    /// the problems found, each naming the pack and, where it is one blob, that blob.
    public func checkPack(_ id: ContentID) -> (record: PackRecord?, problems: [PackProblem]) {
        let path = packPath(id)
        guard let data = FileManager.default.contents(atPath: path) else {
            return (nil, [PackProblem(pack: id, blob: nil, error: BlobStoreError.io(operation: "read", path: path, errno: errno))])
        }
        let bytes = [UInt8](data)
        var problems: [PackProblem] = []
        let actual = ContentID.of(bytes)
        if actual != id {
            problems.append(PackProblem(pack: id, blob: nil, error: BlobStoreError.damagedPack(pack: id.hex, problem: "its bytes hash to \(actual.hex), not to its name")))
        }
        guard bytes.count >= PackFormat.headerSize + PackFormat.footerSize, Array(bytes[0..<8]) == PackFormat.headerMagic else {
            return (nil, problems + [PackProblem(pack: id, blob: nil, error: BlobStoreError.damagedPack(pack: id.hex, problem: "no pack header"))])
        }
        let record: PackRecord
        do {
            let (offset, count) = try PackFormat.footer(Array(bytes[(bytes.count - PackFormat.footerSize)...]), fileSize: Int64(bytes.count), pack: id.hex)
            let trailer = Array(bytes[Int(offset)..<Int(offset) + count * PackFormat.entrySize])
            record = PackRecord(id: id, bytes: Int64(bytes.count), entries: try PackFormat.entries(trailer, blobAreaEnd: offset, pack: id.hex))
        } catch {
            return (nil, problems + [PackProblem(pack: id, blob: nil, error: error)])
        }
        for entry in record.entries {
            do {
                _ = try Self.decode(Array(bytes[Int(entry.offset)..<Int(entry.offset + entry.length)]), entry: entry, path: path)
            } catch {
                problems.append(PackProblem(pack: id, blob: entry.id, error: error))
            }
        }
        return (record, problems)
    }

    /// The trailers of every pack on disk (for rebuilding the index), in name order.
    public func readPacks(progress: (Int, Int) -> Void = { _, _ in }) throws -> (records: [PackRecord], unreadable: [PackProblem]) {
        let packs = packFiles()
        var records: [PackRecord] = []
        var unreadable: [PackProblem] = []
        for (n, pack) in packs.enumerated() {
            do {
                records.append(try readTrailer(pack))
            } catch {
                unreadable.append(PackProblem(pack: pack, blob: nil, error: error))
            }
            progress(n + 1, packs.count)
        }
        return (records, unreadable)
    }

    public func checkStorage(share: Double, progress: (Int, Int) -> Void) throws -> StorageCheck {
        var check = StorageCheck()
        check.unindexed = try unindexedPacks()
        let packs = packFiles().filter { _ in share >= 100 || Double.random(in: 0..<100) < share }
        for (n, pack) in packs.enumerated() {
            // A damaged blob another pack now holds intact (a repair wrote it again) is not
            // damage to the archive; the pack's own hash is then wrong because of it.
            let problems = checkPack(pack).problems
            let blobProblems = problems.filter { $0.blob != nil }
            if blobProblems.isEmpty {
                check.problems += problems
            } else {
                let current = try index.locate(blobProblems.compactMap(\.blob))
                check.problems += blobProblems.filter { current[$0.blob!].map { $0.pack == pack } ?? true }
            }
            check.checked += 1
            progress(n + 1, packs.count)
        }
        return check
    }

    public func rebuildIndex(progress: (Int, Int) -> Void) throws -> IndexRebuild {
        let (records, unreadable) = try readPacks(progress: progress)
        try index.replace(with: records)
        var rebuild = IndexRebuild()
        rebuild.packs = records.count
        rebuild.blobs = Set(records.flatMap { $0.entries.map(\.id) }).count
        rebuild.unreadable = unreadable
        return rebuild
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

/// Something wrong with a pack: the pack, the blob when it is one blob, and what.
public struct PackProblem: Error, CustomStringConvertible {
    public let pack: ContentID
    public let blob: ContentID?
    public let error: any Error

    public var description: String {
        if let blob { return "pack \(pack.hex), blob \(blob.hex): \(error)" }
        return "\(error)"
    }
}
