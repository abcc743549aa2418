import Foundation
import SedimentEngine

/// A daemon clock that moves only when the test moves it: the scheduler's sleeps block until
/// ``advance(to:)`` passes their deadline, and the test can wait for the scheduler to sleep.
final class ManualClock: DaemonClock, @unchecked Sendable {
    private let condition = NSCondition()
    private var current: Date
    /// Sleeps that blocked so far.
    private var sleeps = 0
    /// The deadline of the sleep in progress.
    private var deadline: Date?

    init(_ start: Date) {
        current = start
    }

    func now() -> Date {
        condition.lock()
        defer { condition.unlock() }
        return current
    }

    func sleep(until deadline: Date, unless stop: CancellationFlag) {
        condition.lock()
        defer { condition.unlock() }
        guard !stop.isRaised && current < deadline else { return }
        sleeps += 1
        self.deadline = deadline
        condition.broadcast()
        while !stop.isRaised && current < deadline { condition.wait() }
        self.deadline = nil
    }

    func wake() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    func advance(to date: Date) {
        condition.lock()
        current = max(current, date)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits (for real, at most `timeout` seconds) until the scheduler is asleep for at least
    /// the `count`-th time; returns the deadline it sleeps until, nil on timeout.
    func waitForSleep(_ count: Int, timeout: TimeInterval = 120) -> Date? {
        condition.lock()
        defer { condition.unlock() }
        let limit = Date().addingTimeInterval(timeout)
        while !(sleeps >= count && deadline != nil) {
            if !condition.wait(until: limit) { return nil }
        }
        return deadline
    }

    /// Blocking sleeps so far.
    var sleepCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return sleeps
    }
}
