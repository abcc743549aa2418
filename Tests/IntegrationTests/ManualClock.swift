import Foundation
import SedimentEngine

/// A daemon clock that moves only when the test moves it: the scheduler's sleeps last until
/// ``advance(to:)`` passes their deadline (or their task is cancelled), and the test can wait
/// for the scheduler to sleep.
final class ManualClock: DaemonClock, @unchecked Sendable {  // @unchecked: `condition` guards every var
    private let condition = NSCondition()
    private var current: Date
    /// Sleeps that suspended so far.
    private var sleeps = 0
    /// The sleeps in progress: their deadlines and how to end them.
    private var sleepers: [Int: (deadline: Date, wake: CheckedContinuation<Void, Error>)] = [:]

    init(_ start: Date) {
        current = start
    }

    var now: WallInstant {
        condition.lock()
        defer { condition.unlock() }
        return WallInstant(current)
    }

    var minimumResolution: Duration { .zero }

    func sleep(until deadline: WallInstant, tolerance: Duration? = nil) async throws {
        let id: Int? = {
            condition.lock()
            defer { condition.unlock() }
            guard current < deadline.date else { return nil }
            sleeps += 1
            return sleeps
        }()
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (wake: CheckedContinuation<Void, Error>) in
                condition.lock()
                if Task.isCancelled {
                    condition.unlock()
                    return wake.resume(throwing: CancellationError())
                }
                sleepers[id] = (deadline.date, wake)
                condition.broadcast()
                condition.unlock()
            }
        } onCancel: {
            condition.lock()
            let sleeper = sleepers.removeValue(forKey: id)
            condition.broadcast()
            condition.unlock()
            sleeper?.wake.resume(throwing: CancellationError())
        }
    }

    func advance(to date: Date) {
        condition.lock()
        current = max(current, date)
        let due = sleepers.filter { $0.value.deadline <= current }
        for id in due.keys { sleepers[id] = nil }
        condition.broadcast()
        condition.unlock()
        for sleeper in due.values { sleeper.wake.resume() }
    }

    /// Waits (for real, at most `timeout` seconds) until the scheduler is asleep for at least
    /// the `count`-th time; returns the deadline it sleeps until, nil on timeout.
    func waitForSleep(_ count: Int, timeout: TimeInterval = 120) -> Date? {
        condition.lock()
        defer { condition.unlock() }
        let limit = Date().addingTimeInterval(timeout)
        while !(sleeps >= count && !sleepers.isEmpty) {
            if !condition.wait(until: limit) { return nil }
        }
        return sleepers.values.map(\.deadline).min()
    }
}
