import Foundation

/// A store of packs, wherever they live (a local folder, a bucket): what checking the packs and
/// rebuilding their index need. Its extension holds that work once for every such store.
public protocol PackHolder: Sendable {
    /// The index of the packs' blobs.
    var index: any PackIndex { get }
    /// Every stored pack, by the id its name gives, in id order.
    func storedPacks() throws -> [ContentID]
    /// The trailer of pack `id`, as the index would record it (its blobs are not read): see
    /// ``PackFormat/record(of:size:read:)``.
    func readTrailer(_ id: ContentID) throws -> PackRecord
    /// Every byte of pack `id`.
    func packBytes(_ id: ContentID) throws -> [UInt8]
    /// Where pack `id` lives, as errors name it (a path, a key).
    func packName(_ id: ContentID) -> String
}

extension PackHolder {
    /// Every indexed blob, then those `others` gives (the objects of their own) that the index
    /// does not name: ``BlobStore/list(_:)`` of a store of packs.
    public func listBlobs(others: ((ContentID, Int64) throws -> Void) throws -> Void, _ body: (ContentID, Int64) throws -> Void) throws {
        var seen = Set<ContentID>()
        try index.indexedBlobs { id, size in
            seen.insert(id)
            try body(id, size)
        }
        try withoutActuallyEscaping(body) { body in
            try others { id, size in
                if !seen.contains(id) { try body(id, size) }
            }
        }
    }

    /// Stored packs the index does not know: written by a batch that crashed before it
    /// indexed them. Their blobs are invisible until ``adoptUnindexedPacks()`` (or
    /// `sediment rebuild-index`) indexes them.
    public func unindexedPacks() throws -> [ContentID] {
        let indexed = try index.indexedPacks()
        return try storedPacks().filter { indexed[$0] == nil }
    }

    /// Indexes the stored packs the index does not know (their trailers read, not their
    /// blobs); returns them.
    @discardableResult
    public func adoptUnindexedPacks() throws -> [PackRecord] {
        let records = try unindexedPacks().map { try readTrailer($0) }
        if !records.isEmpty { try index.add(records) }
        return records
    }

    public func recoverInterruptedWrites() throws -> Int {
        try adoptUnindexedPacks().count
    }

    /// Reads pack `id` whole and checks it (``PackFormat/check(pack:bytes:name:)``).
    public func checkPack(_ id: ContentID) -> (record: PackRecord?, problems: [PackProblem]) {
        let bytes: [UInt8]
        do {
            bytes = try packBytes(id)
        } catch {
            return (nil, [PackProblem(pack: id, blob: nil, error: error)])
        }
        return PackFormat.check(pack: id, bytes: bytes, name: packName(id))
    }

    /// The trailers of every stored pack (for rebuilding the index), in name order.
    public func readPacks(progress: (Int, Int) -> Void = { _, _ in }) throws -> (records: [PackRecord], unreadable: [PackProblem]) {
        let packs = try storedPacks()
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
        let packs = try storedPacks().filter { _ in share >= 100 || Double.random(in: 0..<100) < share }
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
}

/// Something wrong with a pack: the pack, the blob when it is one blob, and what.
public struct PackProblem: Error, CustomStringConvertible {
    public let pack: ContentID
    public let blob: ContentID?
    public let error: any Error

    public init(pack: ContentID, blob: ContentID?, error: any Error) {
        self.pack = pack
        self.blob = blob
        self.error = error
    }

    public var description: String {
        if let blob { return "pack \(pack.hex), blob \(blob.hex): \(error)" }
        return "\(error)"
    }
}
