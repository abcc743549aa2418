import Foundation
import SedimentStore

/// Keeps LFS downloads from filling the blob store's file system (`[storage]
/// free_space_reserve`). A pointer may declare any size, and a server may send more than it
/// promised: before a download starts, the bytes it still needs must fit above the reserve;
/// while it runs, the free space is checked again every ``checkEvery`` bytes (other downloads
/// and visits write too), and a full disk (`ENOSPC`, `EDQUOT`) reads the same way.
///
/// Running short is a local condition, not the package's fault: the object stays pending
/// with the reason, no attempt is counted against it, and the visit goes on.
struct FreeSpace {
    let store: any BlobStore
    /// Bytes to leave free.
    let reserve: Int64
    /// Bytes received between two checks during a download.
    static let checkEvery: Int64 = 8 << 20

    /// Throws ``NoRoom`` unless writing `bytes` more leaves at least the reserve free.
    func ensureRoom(for bytes: Int64) throws {
        let available: Int64
        do {
            guard let bytes = try store.availableBytes() else { return }
            available = bytes
        } catch {
            // Not knowing is not a reason to stop: the write itself reports a full disk.
            return
        }
        if available - max(0, bytes) < reserve {
            throw NoRoom(available: available, needed: max(0, bytes), reserve: reserve)
        }
    }

    /// The blob store's file system has too little free space for a download.
    struct NoRoom: Error, CustomStringConvertible {
        var available: Int64
        /// Bytes the download still needed (0 when checked during a download, or after a
        /// write failed).
        var needed: Int64
        var reserve: Int64
        /// The file system said it was full (`ENOSPC`, `EDQUOT`).
        var full = false

        /// The reason an object waits, as `lfs_pending` records it.
        var description: String { "waits for free space: " + detail }

        /// Why there is no room, in words.
        var detail: String {
            if full { return "the blob store's file system is full" }
            let what = needed > 0 ? "it needs \(needed) more bytes, and " : ""
            return "\(what)the blob store's file system has \(max(0, available)) bytes free, "
                + "of which storage.free_space_reserve keeps \(reserve)"
        }

        /// The error as running out of space, when it is a full file system.
        static func from(_ error: Error) -> NoRoom? {
            if let noRoom = error as? NoRoom { return noRoom }
            if case .io(_, _, let code)? = error as? BlobStoreError, code == ENOSPC || code == EDQUOT {
                return NoRoom(available: 0, needed: 0, reserve: 0, full: true)
            }
            return nil
        }
    }
}
