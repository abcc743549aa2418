import Foundation
import Synchronization

/// Where each packed blob lives: the pack store's index. The catalog keeps it (tables `pack`
/// and `pack_blob`) so a lookup is one indexed query; it can always be rebuilt from the packs'
/// trailers alone (``PackStore/readPacks(progress:)``, `sediment rebuild-index`).
///
/// Contract: ``add(_:superseding:)`` is idempotent and atomic (all of a call's packs or none);
/// a blob in two packs is found in the first indexed, unless a later one supersedes it.
public protocol PackIndex: Sendable {
    /// Where each of `ids` that is packed lives.
    func locate(_ ids: [ContentID]) throws -> [ContentID: PackLocation]
    /// Records packs made durable; with `superseding`, their blobs are then found in them even
    /// where another pack holds them too (a repair's fresh copy of damaged blobs).
    func add(_ packs: [PackRecord], superseding: Bool) throws
    /// Every indexed pack, with how many blobs the index holds for it.
    func indexedPacks() throws -> [ContentID: Int]
    /// Every indexed blob with its size, pack by pack.
    func indexedBlobs(_ body: (ContentID, Int64) throws -> Void) throws
    /// Replaces the whole index with `packs` (rebuilding it from the packs).
    func replace(with packs: [PackRecord]) throws
}

extension PackIndex {
    /// Records packs made durable.
    public func add(_ packs: [PackRecord]) throws {
        try add(packs, superseding: false)
    }
}

/// A packed blob's place: its pack and its trailer entry.
public struct PackLocation: Hashable, Sendable {
    public var pack: ContentID
    public var entry: PackEntry

    public init(pack: ContentID, entry: PackEntry) {
        self.pack = pack
        self.entry = entry
    }
}

/// An index that also finds the blobs of packs not indexed yet (read-only: writes go to the base).
public struct OverlayPackIndex: PackIndex {
    let base: any PackIndex
    let pending: MemoryPackIndex

    /// `base`, also finding the blobs of `packs`.
    public init(base: any PackIndex, pending packs: [PackRecord]) {
        self.base = base
        pending = MemoryPackIndex()
        try? pending.add(packs)
    }

    public func locate(_ ids: [ContentID]) throws -> [ContentID: PackLocation] {
        try pending.locate(ids).merging(base.locate(ids)) { _, indexed in indexed }
    }

    public func add(_ packs: [PackRecord], superseding: Bool) throws { try base.add(packs, superseding: superseding) }
    public func indexedPacks() throws -> [ContentID: Int] { try base.indexedPacks() }
    public func indexedBlobs(_ body: (ContentID, Int64) throws -> Void) throws { try base.indexedBlobs(body) }
    public func replace(with packs: [PackRecord]) throws { try base.replace(with: packs) }
}

/// A pack index in memory (for tests, and for reading packs without a catalog).
public final class MemoryPackIndex: PackIndex {
    private struct State {
        var blobs: [ContentID: PackLocation] = [:]
        var packs: [ContentID: Int] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public func locate(_ ids: [ContentID]) throws -> [ContentID: PackLocation] {
        state.withLock { state in
            var found: [ContentID: PackLocation] = [:]
            for id in ids { if let location = state.blobs[id] { found[id] = location } }
            return found
        }
    }

    public func add(_ packs: [PackRecord], superseding: Bool) throws {
        state.withLock { state in Self.add(packs, superseding: superseding, to: &state) }
    }

    private static func add(_ packs: [PackRecord], superseding: Bool, to state: inout State) {
        for pack in packs where state.packs[pack.id] == nil {
            var added = 0
            for entry in pack.entries where superseding || state.blobs[entry.id] == nil {
                if let previous = state.blobs[entry.id] { state.packs[previous.pack]? -= 1 }
                state.blobs[entry.id] = PackLocation(pack: pack.id, entry: entry)
                added += 1
            }
            state.packs[pack.id] = added
        }
    }

    public func indexedPacks() throws -> [ContentID: Int] {
        state.withLock { $0.packs }
    }

    public func indexedBlobs(_ body: (ContentID, Int64) throws -> Void) throws {
        let blobs = state.withLock { $0.blobs }
        for (id, location) in blobs { try body(id, location.entry.size) }
    }

    public func replace(with packs: [PackRecord]) throws {
        state.withLock { state in
            state = State()
            Self.add(packs, superseding: false, to: &state)
        }
    }
}
