/// The visits waiting for a worker, indexed so that taking the next one costs O(log n):
/// one queue per mirror (its jobs in order), one heap per host of the mirrors that are free
/// and have a job, and a heap of the hosts that have room and a free mirror. Each heap is
/// keyed by the job's position in the crawl's order, so jobs start in that order wherever
/// the limits allow, as a scan of the whole queue would start them.
///
/// Not thread-safe: ``VisitPool`` holds its lock around every call.
struct VisitQueue {
    private var jobs: [VisitJob?]
    /// Each mirror's waiting jobs (positions in `jobs`), in order, from `next` on.
    private var mirrors: [String: (positions: [Int], next: Int)] = [:]
    /// Per host, the mirrors with a waiting job and none running, by their next job's position.
    private var freeMirrors: [String: Heap<Entry>] = [:]
    /// Hosts with room and a free mirror, by the position of their first startable job.
    /// May hold stale entries (checked when taken): each change pushes a fresh one.
    private var readyHosts = Heap<Entry>()
    private var busyHosts: [String: Int] = [:]
    private let perHost: Int
    /// Jobs not yet taken.
    private(set) var waiting: Int

    private struct Entry: Comparable {
        var position: Int
        var key: String
        static func < (a: Entry, b: Entry) -> Bool { a.position < b.position }
    }

    init(_ jobs: [VisitJob], perHost: Int) {
        self.jobs = jobs
        self.perHost = max(1, perHost)
        waiting = jobs.count
        for (position, job) in jobs.enumerated() {
            mirrors[job.mirror, default: ([], 0)].positions.append(position)
        }
        for (mirror, queue) in mirrors {
            offer(mirror: mirror, position: queue.positions[0])
        }
    }

    /// The first job, in the crawl's order, whose host has room and whose mirror is free;
    /// nil when none can start now.
    mutating func take() -> VisitJob? {
        while let entry = readyHosts.popMin() {
            let host = entry.key
            guard (busyHosts[host] ?? 0) < perHost, let first = freeMirrors[host]?.min, first.position == entry.position else {
                continue  // stale: the host filled up or its first job changed since
            }
            let mirror = freeMirrors[host]!.popMin()!.key
            mirrors[mirror]!.next += 1
            let job = jobs[first.position]!
            jobs[first.position] = nil
            waiting -= 1
            busyHosts[host, default: 0] += 1
            markReady(host)
            return job
        }
        return nil
    }

    /// `job` is done: its mirror and its slot on its host are free again.
    mutating func complete(_ job: VisitJob) {
        busyHosts[job.host, default: 1] -= 1
        if let queue = mirrors[job.mirror], queue.next < queue.positions.count {
            offer(mirror: job.mirror, position: queue.positions[queue.next])
        } else {
            mirrors[job.mirror] = nil
        }
        markReady(job.host)
    }

    /// Puts a free mirror whose next job is at `position` on its host's heap.
    private mutating func offer(mirror: String, position: Int) {
        let host = jobs[position]!.host
        freeMirrors[host, default: Heap()].insert(Entry(position: position, key: mirror))
        markReady(host)
    }

    /// Adds `host` to the ready hosts when it has room and a free mirror.
    private mutating func markReady(_ host: String) {
        guard (busyHosts[host] ?? 0) < perHost, let first = freeMirrors[host]?.min else { return }
        readyHosts.insert(Entry(position: first.position, key: host))
    }
}

/// A binary min-heap.
struct Heap<Element: Comparable> {
    private var items: [Element] = []

    var min: Element? { items.first }
    var isEmpty: Bool { items.isEmpty }

    mutating func insert(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let smallest = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallestChild = parent
            if left < items.count, items[left] < items[smallestChild] { smallestChild = left }
            if right < items.count, items[right] < items[smallestChild] { smallestChild = right }
            if smallestChild == parent { break }
            items.swapAt(parent, smallestChild)
            parent = smallestChild
        }
        return smallest
    }
}
