import Foundation

/// The daemon's clock: a `Clock` whose instants are wall-clock dates (the schedule and the
/// catalog speak in dates) and whose sleeps end early, throwing, when their task is
/// cancelled. Injected so that tests drive the schedule with a manual clock instead of
/// sleeping.
public protocol DaemonClock: Clock where Instant == WallInstant {}

extension DaemonClock {
    /// What time it is.
    public var date: Date { now.date }
}

/// A point in wall-clock time.
public struct WallInstant: InstantProtocol {
    public var date: Date

    public init(_ date: Date) {
        self.date = date
    }

    public func advanced(by duration: Duration) -> WallInstant {
        WallInstant(date.addingTimeInterval(duration.seconds))
    }

    public func duration(to other: WallInstant) -> Duration {
        .seconds(other.date.timeIntervalSince(date))
    }

    public static func < (a: WallInstant, b: WallInstant) -> Bool { a.date < b.date }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}

/// The machine's wall clock.
public struct WallClock: DaemonClock {
    public init() {}

    public var now: WallInstant { WallInstant(Date()) }

    public var minimumResolution: Duration { .milliseconds(1) }

    /// Sleeps until the wall clock reads `deadline`, a day at most at a time (a far deadline,
    /// `Date.distantFuture`, does not overflow the system's sleep, and a clock set forward is
    /// noticed).
    public func sleep(until deadline: WallInstant, tolerance: Duration? = nil) async throws {
        while true {
            let left = deadline.date.timeIntervalSinceNow
            guard left > 0 else { return }
            try await Task.sleep(for: .seconds(min(left, 86_400)), tolerance: tolerance)
        }
    }
}
