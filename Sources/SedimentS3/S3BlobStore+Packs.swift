import Foundation
import SedimentStore

/// Checking the packs and rebuilding their index from the bucket: the shared work of
/// ``PackHolder``, with listings and ranged GETs.
extension S3BlobStore: PackHolder {
    /// Every pack in the bucket (one listing of `packs/`, page by page).
    public func storedPacks() throws -> [ContentID] {
        var ids: [ContentID] = []
        try client.listObjects(prefix: location.key("packs/")) { object in
            guard object.key.hasSuffix(".pack"), let name = object.key.split(separator: "/").last,
                  let id = ContentID(hex: String(name.dropLast(5))) else { return }
            ids.append(id)
        }
        return ids.sorted()
    }

    public func packName(_ id: ContentID) -> String {
        shown(packKey(id))
    }

    /// Two ranged GETs: the footer (the last 32 bytes, which also give the pack's size), then
    /// the trailer.
    public func readTrailer(_ id: ContentID) throws -> PackRecord {
        let key = packKey(id)
        guard let tail = try client.getTail(key, count: PackFormat.footerSize) else {
            throw BlobStoreError.damagedPack(pack: shown(key), problem: "it is not in the bucket")
        }
        return try PackFormat.record(of: id, size: tail.size) { offset, count in
            if offset == tail.size - Int64(PackFormat.footerSize) && count == tail.bytes.count { return [UInt8](tail.bytes) }
            guard let bytes = try client.getObject(key, range: offset..<offset + Int64(count)), bytes.count == count else {
                throw BlobStoreError.damagedPack(pack: shown(key), problem: "it ends before its trailer does")
            }
            return [UInt8](bytes)
        }
    }

    public func packBytes(_ id: ContentID) throws -> [UInt8] {
        let key = packKey(id)
        guard let data = try client.getObject(key) else {
            throw BlobStoreError.damagedPack(pack: shown(key), problem: "it is not in the bucket")
        }
        return [UInt8](data)
    }
}
