import Foundation

/// The LFS objects being downloaded in this process right now, so that two visits that want
/// the same object (two packages sharing weights) download it once: the second waits for the
/// first, then finds it in the blob store.
final class InFlightObjects: @unchecked Sendable {  // @unchecked: `condition` guards `active`
    private let condition = NSCondition()
    private var active = Set<String>()

    /// Takes `oid` for the calling visit; false when another visit has it.
    func claim(_ oid: String) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return active.insert(oid).inserted
    }

    /// Gives `oid` back (no-op when not held).
    func release(_ oid: String) {
        condition.lock()
        active.remove(oid)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until no visit holds `oid`.
    func wait(_ oid: String) {
        condition.lock()
        while active.contains(oid) { condition.wait() }
        condition.unlock()
    }
}
