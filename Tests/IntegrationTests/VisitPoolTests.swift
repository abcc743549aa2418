import Foundation
@testable import SedimentEngine
import SedimentHubs
@testable import SedimentStore
import XCTest

/// The visit pool's guarantees: never two jobs of one mirror at once, never more than
/// `perHost` jobs on one host, every job once, a mirror's jobs in their order, and the first
/// startable job taken first, as a scan of the whole queue would take it.
final class VisitPoolTests: XCTestCase {
    func job(_ index: Int, host: String, mirror: String) -> VisitJob {
        let ref = PackageRef(hub: "h", id: "p\(index)", repository: "https://\(host)/\(mirror)")
        let package = PackageRecord(rowID: Int64(index), hub: "h", id: "p\(index)", repositoryRowID: nil, repository: nil, mirrorPath: mirror,
                                    subpath: "", firstSeen: "", lastSeen: "", deleted: false)
        return VisitJob(target: Visitor.Target(ref: ref, package: package, hub: Configuration.Hub(kind: "git", name: "h"), credentials: nil, crawlID: nil),
                        listed: ref, host: host, mirror: mirror)
    }

    func testNoMirrorTwiceAndNoHostOverItsLimitAtOnce() {
        // 400 jobs: 4 hosts, 24 mirrors (so mirrors hold many jobs each), in a mixed order.
        var jobs: [VisitJob] = []
        for index in 0..<400 {
            let mirror = (index * 7) % 24
            jobs.append(job(index, host: "host\(mirror % 4)", mirror: "m\(mirror)"))
        }
        let tally = Tally()
        let pool = VisitPool(jobs: jobs, concurrency: 8, perHost: 2)
        let results = pool.run { job, done -> Int64 in
            tally.started(job)
            usleep(UInt32.random(in: 200...2_000))
            tally.ended(job)
            _ = done()
            return job.target.package.rowID
        }
        let (worstHost, worstMirror, worstTotal, order) = (tally.worstHost, tally.worstMirror, tally.worstTotal, tally.order)
        XCTAssertEqual(results.sorted(), (0..<400).map(Int64.init), "every job ran, once")
        XCTAssertEqual(worstMirror, 1, "two jobs of one mirror ran at once")
        XCTAssertLessThanOrEqual(worstHost, 2, "a host had more jobs at once than per_host_concurrency")
        XCTAssertLessThanOrEqual(worstTotal, 8)
        XCTAssertGreaterThan(worstTotal, 1, "jobs of different hosts ran side by side")
        for (mirror, ran) in order {
            XCTAssertEqual(ran, ran.sorted(), "the jobs of \(mirror) ran in their order")
        }
    }

    func testCancellationStartsNoFurtherJob() {
        let jobs = (0..<50).map { job($0, host: "h\($0 % 3)", mirror: "m\($0)") }
        let flag = CancellationFlag()
        let pool = VisitPool(jobs: jobs, concurrency: 2, perHost: 1, cancellation: flag)
        let tally = Tally()
        let results = pool.run { job, done -> Int in
            if tally.started(job) == 5 { flag.raise() }
            tally.ended(job)
            _ = done()
            return 1
        }
        XCTAssertLessThanOrEqual(results.count, 6, "at most the jobs already taken when the flag was raised finish")
        XCTAssertGreaterThanOrEqual(results.count, 5)
    }

    /// The queue against the plain scan it replaces: the same job at every step, through a
    /// long random run of takes and completions.
    func testQueueTakesWhatAScanWouldTake() {
        var seed: UInt64 = 42
        func random(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for round in 0..<20 {
            let perHost = 1 + round % 3
            let jobs = (0..<300).map { index -> VisitJob in
                let mirror = random(40)
                return job(index, host: "h\(mirror % 5)", mirror: "m\(mirror)")
            }
            var queue = VisitQueue(jobs, perHost: perHost)
            // The reference: the earliest job whose host has room and whose mirror is free.
            var pending = jobs
            var busyHosts: [String: Int] = [:], busyMirrors = Set<String>()
            var running: [VisitJob] = []
            while !pending.isEmpty || !running.isEmpty {
                if !running.isEmpty && (random(3) == 0 || pending.isEmpty) {
                    let finished = running.remove(at: random(running.count))
                    queue.complete(finished)
                    busyHosts[finished.host]! -= 1
                    busyMirrors.remove(finished.mirror)
                    continue
                }
                let expected = pending.firstIndex { (busyHosts[$0.host] ?? 0) < perHost && !busyMirrors.contains($0.mirror) }
                let taken = queue.take()
                XCTAssertEqual(taken?.target.package.rowID, expected.map { pending[$0].target.package.rowID }, "round \(round)")
                if taken?.target.package.rowID != expected.map({ pending[$0].target.package.rowID }) { return }  // reported above
                guard let expected, let taken else {
                    if running.isEmpty { return XCTFail("nothing runs and nothing can start: round \(round)") }
                    let finished = running.remove(at: random(running.count))
                    queue.complete(finished)
                    busyHosts[finished.host]! -= 1
                    busyMirrors.remove(finished.mirror)
                    continue
                }
                pending.remove(at: expected)
                busyHosts[taken.host, default: 0] += 1
                busyMirrors.insert(taken.mirror)
                running.append(taken)
            }
            XCTAssertEqual(queue.waiting, 0)
        }
    }
}

/// What ran at once, across the pool's threads.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var runningHosts: [String: Int] = [:], runningMirrors: [String: Int] = [:]
    private var running = 0, count = 0
    private(set) var worstHost = 0, worstMirror = 0, worstTotal = 0
    /// Each mirror's jobs (row ids) in the order they started.
    private(set) var order: [String: [Int]] = [:]

    /// Counts `job` running; returns how many jobs started so far.
    @discardableResult
    func started(_ job: VisitJob) -> Int {
        lock.lock()
        defer { lock.unlock() }
        runningHosts[job.host, default: 0] += 1
        runningMirrors[job.mirror, default: 0] += 1
        running += 1
        count += 1
        worstHost = max(worstHost, runningHosts[job.host]!)
        worstMirror = max(worstMirror, runningMirrors[job.mirror]!)
        worstTotal = max(worstTotal, running)
        order[job.mirror, default: []].append(Int(job.target.package.rowID))
        return count
    }

    func ended(_ job: VisitJob) {
        lock.lock()
        runningHosts[job.host]! -= 1
        runningMirrors[job.mirror]! -= 1
        running -= 1
        lock.unlock()
    }
}
