import Foundation

/// How a blob's bytes are kept inside a pack.
public enum BlobCompression: UInt8, Sendable {
    case none = 0
    /// One zstd frame holding the whole blob.
    case zstd = 1
}

/// One blob in a pack, as the pack's trailer and the index record it.
public struct PackEntry: Hashable, Sendable {
    /// The SHA-256 of the blob's uncompressed content.
    public var id: ContentID
    public var kind: BlobKind
    public var compression: BlobCompression
    /// Where the blob's stored bytes start in the pack file.
    public var offset: Int64
    /// How many bytes it occupies in the pack.
    public var length: Int64
    /// Its length once decompressed: the content's size.
    public var size: Int64

    public init(id: ContentID, kind: BlobKind, compression: BlobCompression, offset: Int64, length: Int64, size: Int64) {
        self.id = id
        self.kind = kind
        self.compression = compression
        self.offset = offset
        self.length = length
        self.size = size
    }
}

/// A pack as the index records it: its name (the SHA-256 of the whole file), its size and its blobs.
public struct PackRecord: Hashable, Sendable {
    public var id: ContentID
    public var bytes: Int64
    public var entries: [PackEntry]

    public init(id: ContentID, bytes: Int64, entries: [PackEntry]) {
        self.id = id
        self.bytes = bytes
        self.entries = entries
    }
}

/// The pack file format (version 1), documented in `docs/format.md`:
///
///     header   16 bytes   "SDMTPACK", u32 version (1), u32 zero
///     blobs    each blob's stored bytes (raw, or one zstd frame), back to back
///     trailer  64 bytes per blob: id (32 raw bytes), kind (u8), compression (u8), 6 zero
///              bytes, offset (u64), stored length (u64), uncompressed length (u64)
///     footer   32 bytes   trailer offset (u64), blob count (u64), "SDMTTRLR", u32 version, u32 zero
///
/// Integers are little-endian. The file is named by the SHA-256 of all its bytes.
public enum PackFormat {
    public static let version: UInt32 = 1
    public static let headerMagic = Array("SDMTPACK".utf8)
    public static let footerMagic = Array("SDMTTRLR".utf8)
    public static let headerSize = 16
    public static let entrySize = 64
    public static let footerSize = 32

    public static func header() -> [UInt8] {
        var bytes = headerMagic
        append(&bytes, UInt32(version))
        append(&bytes, UInt32(0))
        return bytes
    }

    /// The trailer and footer for `entries`, whose trailer starts at `offset`.
    public static func trailer(_ entries: [PackEntry], at offset: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.count * entrySize + footerSize)
        for entry in entries {
            bytes += entry.id.raw
            bytes.append(entry.kind.rawValue)
            bytes.append(entry.compression.rawValue)
            bytes += [UInt8](repeating: 0, count: 6)
            append(&bytes, UInt64(entry.offset))
            append(&bytes, UInt64(entry.length))
            append(&bytes, UInt64(entry.size))
        }
        append(&bytes, UInt64(offset))
        append(&bytes, UInt64(entries.count))
        bytes += footerMagic
        append(&bytes, version)
        append(&bytes, UInt32(0))
        return bytes
    }

    /// Where the trailer starts and how many entries it holds, from the last 32 bytes of a pack
    /// of `fileSize` bytes; throws when they cannot be a footer of this format.
    public static func footer(_ bytes: [UInt8], fileSize: Int64, pack: String) throws -> (offset: Int64, count: Int) {
        guard bytes.count == footerSize, fileSize >= Int64(headerSize + footerSize) else {
            throw BlobStoreError.damagedPack(pack: pack, problem: "too short to be a pack (\(fileSize) bytes)")
        }
        guard Array(bytes[16..<24]) == footerMagic else { throw BlobStoreError.damagedPack(pack: pack, problem: "no trailer marker at its end") }
        let version = UInt32(load(bytes, 24, 4))
        guard version == Self.version else { throw BlobStoreError.damagedPack(pack: pack, problem: "format version \(version), not \(Self.version)") }
        let offset = Int64(bitPattern: load(bytes, 0, 8))
        let count = load(bytes, 8, 8)
        let trailerEnd = fileSize - Int64(footerSize)
        guard offset >= Int64(headerSize), count <= UInt64(trailerEnd - offset) / UInt64(entrySize),
              offset + Int64(count) * Int64(entrySize) == trailerEnd else {
            throw BlobStoreError.damagedPack(pack: pack, problem: "its footer's trailer offset \(offset) and count \(count) do not fit its \(fileSize) bytes")
        }
        return (offset, Int(count))
    }

    /// The entries of a trailer (without its footer), checked to lie inside the blob area.
    public static func entries(_ bytes: [UInt8], blobAreaEnd: Int64, pack: String) throws -> [PackEntry] {
        guard bytes.count % entrySize == 0 else { throw BlobStoreError.damagedPack(pack: pack, problem: "a trailer of \(bytes.count) bytes") }
        var entries: [PackEntry] = []
        entries.reserveCapacity(bytes.count / entrySize)
        for start in stride(from: 0, to: bytes.count, by: entrySize) {
            let id = ContentID(raw: bytes[start..<start + 32])!
            guard let kind = BlobKind(rawValue: bytes[start + 32]) else {
                throw BlobStoreError.damagedPack(pack: pack, problem: "blob \(id.hex) has the unknown kind \(bytes[start + 32])")
            }
            guard let compression = BlobCompression(rawValue: bytes[start + 33]) else {
                throw BlobStoreError.damagedPack(pack: pack, problem: "blob \(id.hex) has the unknown compression \(bytes[start + 33])")
            }
            let offset = Int64(bitPattern: load(bytes, start + 40, 8))
            let length = Int64(bitPattern: load(bytes, start + 48, 8))
            let size = Int64(bitPattern: load(bytes, start + 56, 8))
            guard offset >= Int64(headerSize), length >= 0, size >= 0, length <= blobAreaEnd - offset,
                  compression != .none || length == size else {
                throw BlobStoreError.damagedPack(pack: pack, problem: "blob \(id.hex) is said to lie outside the pack's blobs (offset \(offset), length \(length))")
            }
            entries.append(PackEntry(id: id, kind: kind, compression: compression, offset: offset, length: length, size: size))
        }
        return entries
    }

    /// The record of pack `id` of `size` bytes from its footer and trailer alone, fetched by
    /// `read(offset, count)`: two reads (a local `pread`, a ranged GET), never the blobs.
    public static func record(of id: ContentID, size: Int64, read: (Int64, Int) throws -> [UInt8]) throws -> PackRecord {
        let footerBytes = try read(max(0, size - Int64(footerSize)), footerSize)
        let (offset, count) = try footer(footerBytes, fileSize: size, pack: id.hex)
        let trailer = try read(offset, count * entrySize)
        return PackRecord(id: id, bytes: size, entries: try entries(trailer, blobAreaEnd: offset, pack: id.hex))
    }

    /// Checks pack `id` read whole: its bytes hashed against its name, its header and trailer
    /// parsed, and every blob decompressed and hashed against its id. Returns the record and
    /// the problems found, each naming the pack and, where it is one blob, that blob; `name`
    /// (a path, a key) names where the pack lives.
    public static func check(pack id: ContentID, bytes: [UInt8], name: String) -> (record: PackRecord?, problems: [PackProblem]) {
        var problems: [PackProblem] = []
        let actual = ContentID.of(bytes)
        if actual != id {
            problems.append(PackProblem(pack: id, blob: nil, error: BlobStoreError.damagedPack(pack: id.hex, problem: "its bytes hash to \(actual.hex), not to its name")))
        }
        guard bytes.count >= headerSize + footerSize, Array(bytes[0..<8]) == headerMagic else {
            return (nil, problems + [PackProblem(pack: id, blob: nil, error: BlobStoreError.damagedPack(pack: id.hex, problem: "no pack header"))])
        }
        let record: PackRecord
        do {
            let (offset, count) = try footer(Array(bytes[(bytes.count - footerSize)...]), fileSize: Int64(bytes.count), pack: id.hex)
            let trailer = Array(bytes[Int(offset)..<Int(offset) + count * entrySize])
            record = PackRecord(id: id, bytes: Int64(bytes.count), entries: try entries(trailer, blobAreaEnd: offset, pack: id.hex))
        } catch {
            return (nil, problems + [PackProblem(pack: id, blob: nil, error: error)])
        }
        for entry in record.entries {
            do {
                _ = try decode(Array(bytes[Int(entry.offset)..<Int(entry.offset + entry.length)]), entry: entry, path: name)
            } catch {
                problems.append(PackProblem(pack: id, blob: entry.id, error: error))
            }
        }
        return (record, problems)
    }

    /// A blob's stored bytes decompressed and checked against its id; `path` names the pack
    /// in errors.
    public static func decode(_ stored: [UInt8], entry: PackEntry, path: String) throws -> [UInt8] {
        var content = stored
        if entry.compression == .zstd {
            do {
                content = try stored.withUnsafeBytes { try Zstd.decompress($0, size: Int(entry.size)) }
            } catch {
                throw BlobStoreError.undecodable(entry.id, path: path, problem: "\(error)")
            }
        }
        let actual = content.withUnsafeBytes { ContentID.of(buffer: $0) }
        guard actual == entry.id else { throw BlobStoreError.corrupt(entry.id, actual: actual, path: path) }
        return content
    }

    static func append<T: FixedWidthInteger>(_ bytes: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    static func load<C: RandomAccessCollection>(_ bytes: C, _ start: Int, _ count: Int) -> UInt64 where C.Element == UInt8, C.Index == Int {
        var value: UInt64 = 0
        for i in (0..<count).reversed() { value = value << 8 | UInt64(bytes[bytes.startIndex + start + i]) }
        return value
    }
}
