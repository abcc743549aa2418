import Foundation
@testable import SedimentEngine
import SedimentHubs
@testable import SedimentStore
import XCTest

/// The one pool of threads for blocking work: it runs what async code hands it off Swift's
/// cooperative threads, waiting for work never deadlocks it, and a cancelled caller stops
/// waiting for work that does not end.
final class BlockingPoolTests: XCTestCase {
    func testAsyncCallersGetTheResultFromAPoolThread() async throws {
        let pool = BlockingPool(threads: 2)
        let onPool = try await pool.run { pool.isCurrentThread }
        XCTAssertTrue(onPool, "the body ran on one of the pool's threads")
        XCTAssertFalse(pool.isCurrentThread, "the caller is not on one of them")
        do {
            _ = try await pool.run { () throws -> Int in throw CancellationError() }
            XCTFail("the body's error reaches the caller")
        } catch is CancellationError {}
    }

    /// Every thread of the pool waits for work queued behind it: the waiters run that work
    /// themselves (a visit waiting for its history walk, a crawl for its visits).
    func testWaitingForWorkNoThreadTookRunsItOnTheWaiter() {
        let pool = BlockingPool(threads: 1)
        let done = expectation(description: "the nested work ended")
        let answer = DetachedResult<Int>()
        pool.submit {
            let inner = BlockingJob(on: pool) { 20 + 22 }
            answer.set((try? inner.wait()) ?? -1)
            done.fulfill()
        }
        wait(for: [done], timeout: 60)
        XCTAssertEqual(answer.wait(), 42)
    }

    func testAVisitPoolOnAOneThreadPoolVisitsEveryJob() {
        let pool = BlockingPool(threads: 1)
        let jobs = (0..<20).map { index -> VisitJob in
            let ref = PackageRef(hub: "h", id: "p\(index)", repository: "https://h\(index % 3)/m\(index % 5)")
            let package = PackageRecord(rowID: Int64(index), hub: "h", id: "p\(index)", repositoryRowID: nil, repository: nil,
                                        mirrorPath: "m\(index % 5)", subpath: "", firstSeen: "", lastSeen: "", deleted: false)
            return VisitJob(target: Visitor.Target(ref: ref, package: package, hub: Configuration.Hub(kind: "git", name: "h"),
                                                   credentials: nil, crawlID: nil),
                            listed: ref, host: "h\(index % 3)", mirror: "m\(index % 5)")
        }
        let finished = expectation(description: "the crawl's visits ended")
        let results = DetachedResult<[Int64]>()
        // The crawl itself holds the pool's only thread, as the daemon's scheduler step does.
        pool.submit {
            let visits = VisitPool(jobs: jobs, concurrency: 4, perHost: 2, threads: pool)
            results.set(visits.run { job, done in
                let walk = BlockingJob(on: pool) { job.target.package.rowID }
                _ = done()
                return (try? walk.wait()) ?? -1
            })
            finished.fulfill()
        }
        wait(for: [finished], timeout: 120)
        XCTAssertEqual(results.wait().sorted(), (0..<20).map(Int64.init))
    }

    /// A cancelled caller of `runUnlessCancelled` gets `CancellationError` at once, while the
    /// work it gave up on is still running (a daemon past its stop timeout).
    func testACancelledCallerStopsWaitingForWorkThatDoesNotEnd() async throws {
        let pool = BlockingPool(threads: 1)
        let release = DispatchSemaphore(value: 0)
        let (started, starting) = AsyncStream.makeStream(of: Void.self)
        let caller = Task {
            try await pool.runUnlessCancelled { () -> Int in
                starting.yield()
                release.wait()
                return 1
            }
        }
        for await _ in started { break }
        caller.cancel()
        do {
            _ = try await caller.value
            XCTFail("the cancelled caller still waited for the work")
        } catch is CancellationError {}
        release.signal()
        // The work ended on its thread, and the pool runs the next.
        let next = try await pool.run { 2 }
        XCTAssertEqual(next, 2)
    }

    /// A caller cancelled before it asks starts no work (a daemon's scheduler stopped between
    /// two steps does not begin another).
    func testACallerCancelledBeforeItAsksStartsNoWork() async throws {
        let pool = BlockingPool(threads: 1)
        let ran = CancellationFlag()
        let caller = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await pool.runUnlessCancelled { ran.raise() }
        }
        do {
            try await caller.value
            XCTFail("the cancelled caller got an answer from the work")
        } catch is CancellationError {}
        // The pool's queue is first in, first out: work submitted before this would have run.
        try await pool.run {}
        XCTAssertFalse(ran.isRaised, "the work ran although its caller was cancelled")
    }
}
