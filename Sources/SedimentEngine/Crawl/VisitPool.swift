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

/// A bounded pool of dedicated threads that runs visit jobs, never more than `perHost` at
/// once against one host, and never two at once on one mirror (a libgit2 repository belongs
/// to one thread at a time). The threads are not Swift's cooperative threads, so blocking
/// libgit2 and file system calls do not starve async work. Taking the next job costs
/// O(log n) (``VisitQueue``), so a crawl of 100,000 packages is not slowed by its own length.
final class VisitPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: VisitQueue
    private let total: Int
    private var finished = 0
    private let concurrency: Int
    /// When raised, no further job starts; jobs already running finish.
    private let cancellation: CancellationFlag?

    init(jobs: [VisitJob], concurrency: Int, perHost: Int, cancellation: CancellationFlag? = nil) {
        queue = VisitQueue(jobs, perHost: perHost)
        total = jobs.count
        self.concurrency = max(1, concurrency)
        self.cancellation = cancellation
    }

    /// Runs `body` for every job and returns the results in completion order. `body` gets a
    /// function that counts the job done and returns the number of jobs done so far.
    func run<T: Sendable>(_ body: @escaping @Sendable (VisitJob, () -> Int) -> T) -> [T] {
        let results = ResultBox<T>()
        let threads = min(concurrency, total)
        let group = DispatchGroup()
        for index in 0..<threads {
            group.enter()
            let thread = Thread { [self] in
                while let job = self.next() {
                    let result = body(job) { self.complete(job) }
                    results.append(result)
                }
                group.leave()
            }
            thread.name = "sediment-visit-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
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

private final class ResultBox<T>: @unchecked Sendable {
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
