import Foundation

/// A flag another thread raises to stop work in progress (a fetch aborts at its next
/// progress report, leaving the mirror as it was).
public final class CancellationFlag: @unchecked Sendable {  // @unchecked: `lock` guards `raised`
    private let lock = NSLock()
    private var raised = false

    public init() {}

    public func raise() {
        lock.lock()
        raised = true
        lock.unlock()
    }

    public var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }
}
