import Foundation
import SedimentGit
import SedimentHubs

/// One visit waiting for a worker, with the limits it is subject to.
struct VisitJob: Sendable {
    var target: Visitor.Target
    /// The package as its hub's listing gave it (the schedule compares listings).
    var listed: PackageRef
    var host: String
    var mirror: String
}

/// Runs visit jobs on the process's ``BlockingPool``, `concurrency` at once, never more than
/// `perHost` at once against one host, and never two at once on one mirror (a libgit2
/// repository belongs to one thread at a time). The pool's threads are not Swift's cooperative
/// threads, so blocking libgit2 and file system calls do not starve async work. Taking the
/// next job costs O(log n) (``VisitQueue``), so a crawl of 100,000 packages is not slowed by
/// its own length.
final class VisitPool: @unchecked Sendable {  // @unchecked: `condition` guards `queue` and `finished`
    private let condition = NSCondition()
    private var queue: VisitQueue
    private let total: Int
    private var finished = 0
    private let concurrency: Int
    /// When raised, no further job starts; jobs already running finish.
    private let cancellation: CancellationFlag?
    private let threads: BlockingPool

    init(jobs: [VisitJob], concurrency: Int, perHost: Int, cancellation: CancellationFlag? = nil, threads: BlockingPool = .shared) {
        queue = VisitQueue(jobs, perHost: perHost)
        total = jobs.count
        self.concurrency = max(1, concurrency)
        self.cancellation = cancellation
        self.threads = threads
    }

    /// Runs `body` for every job and returns the results in completion order; blocks the
    /// calling thread, which works through jobs too. `body` gets a function that counts the
    /// job done and returns the number of jobs done so far.
    func run<T: Sendable>(_ body: @escaping @Sendable (VisitJob, () -> Int) -> T) -> [T] {
        let workers = min(concurrency, total)
        guard workers > 0 else { return [] }
        // Each visit may wait for its history walk beside it: room for both.
        threads.reserve(2 * workers)
        let results = Results<T>()
        let work: @Sendable () -> Void = { [self] in
            while let job = next() {
                results.append(body(job) { self.complete(job) })
            }
        }
        let helpers = (1..<workers).map { _ in BlockingJob(on: threads, work) }
        work()
        for helper in helpers { try? helper.wait() }
        return results.values
    }

    private func next() -> VisitJob? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if queue.waiting == 0 || cancellation?.isRaised == true { return nil }
            if let job = queue.take() { return job }
            // Wakes on a finished job, or soon enough to notice a cancellation.
            _ = condition.wait(until: Date().addingTimeInterval(0.5))
        }
    }

    private func complete(_ job: VisitJob) -> Int {
        condition.lock()
        defer { condition.unlock() }
        queue.complete(job)
        finished += 1
        condition.broadcast()
        return finished
    }
}

/// Results gathered from several threads.
private final class Results<T: Sendable>: @unchecked Sendable {  // @unchecked: `lock` guards `items`
    private let lock = NSLock()
    private var items: [T] = []

    func append(_ item: T) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    var values: [T] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
