import Foundation

/// What ``PackStore/packLooseBlobs(progress:)`` did.
public struct LooseMigration: Sendable {
    /// Loose blobs now in packs (this run).
    public var packed = 0
    /// Packs written (this run).
    public var packs = 0
    /// Bytes of content packed, and bytes the packs hold.
    public var contentBytes: Int64 = 0
    public var packBytes: Int64 = 0
    /// Loose files removed (their blob packed and indexed, now or by an interrupted run).
    public var removed = 0
    /// Packs an interrupted run left unindexed, now indexed.
    public var adopted = 0
    /// Loose objects at or above the threshold, which stay objects of their own.
    public var large = 0
    /// Loose blobs that are damaged: left where they are, not packed.
    public var damaged: [String] = []

    public init() {}
}

extension PackStore {
    /// Packs the loose blobs below the threshold of an archive written before packs, pack by
    /// pack: each pack is made durable and indexed before the loose files it holds are removed,
    /// so the process may be killed at any point and run again (it first indexes what an
    /// interrupted run packed, then removes the loose files already packed). A loose blob
    /// that does not hash to its name is left where it is and reported.
    public func packLooseBlobs(progress: (LooseMigration, Int) -> Void = { _, _ in }) throws -> LooseMigration {
        var migration = LooseMigration()
        migration.adopted = try adoptUnindexedPacks().count
        var small: [(id: ContentID, size: Int64)] = []
        try loose.list { id, size in
            if size < options.threshold { small.append((id, size)) } else { migration.large += 1 }
        }
        small.sort { $0.id < $1.id }
        var start = 0
        while start < small.count {
            // One group: about one pack's worth of content.
            var end = start
            var bytes: Int64 = 0
            while end < small.count && (end == start || bytes + small[end].size <= options.packSize) {
                bytes += small[end].size
                end += 1
            }
            let group = small[start..<end].map(\.id)
            start = end
            let indexed = try index.locate(group)
            let batch = PackBatch(target: self, replacing: true)
            var packedNow: [ContentID] = []
            for id in group where indexed[id] == nil {
                let data: Data
                do {
                    data = try loose.get(id)
                } catch let error as BlobStoreError where error.isPermanent {
                    migration.damaged.append("\(error)")
                    continue
                }
                try data.withUnsafeBytes { try batch.put($0, id: id, kind: .content) }
                packedNow.append(id)
                migration.contentBytes += Int64(data.count)
            }
            let records = try batch.commitReturningPacks()
            migration.packs += records.count
            migration.packBytes += records.reduce(0) { $0 + $1.bytes }
            migration.packed += packedNow.count
            for id in Array(indexed.keys) + packedNow where unlink(loose.path(of: id)) == 0 {
                migration.removed += 1
            }
            progress(migration, small.count)
        }
        return migration
    }
}

extension PackStore {
    public func migrateLegacyLayout(progress: (LooseMigration, Int) -> Void) throws -> LooseMigration {
        try packLooseBlobs(progress: progress)
    }
}

extension LooseObjects {
    /// The whole content of the loose object `id`, checked against its hash.
    func get(_ id: ContentID) throws -> Data {
        var data = Data()
        try read(id, range: nil) { data.append(contentsOf: $0) }
        return data
    }
}
