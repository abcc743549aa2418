import Foundation

/// The daemon's time: what time it is, and waiting on the scheduler's thread until a time
/// comes. Injected so that tests drive the schedule with a manual clock instead of sleeping.
public protocol DaemonClock: AnyObject, Sendable {
    func now() -> Date
    /// Blocks the calling thread until `deadline` has come or `stop` is raised. A ``wake()``
    /// makes it look at `stop` again, so raise `stop` first, then wake.
    func sleep(until deadline: Date, unless stop: CancellationFlag)
    /// Wakes every sleeper to look at its `stop` flag.
    func wake()
}

/// The machine's wall clock.
public final class SystemDaemonClock: DaemonClock, @unchecked Sendable {
    private let condition = NSCondition()

    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date, unless stop: CancellationFlag) {
        condition.lock()
        defer { condition.unlock() }
        while !stop.isRaised && Date() < deadline {
            // Wakes at the deadline or on wake(); a spurious wake-up just loops.
            _ = condition.wait(until: deadline)
        }
    }

    public func wake() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }
}
