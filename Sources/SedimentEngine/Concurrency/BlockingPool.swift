import Foundation

/// The threads that run Sediment's blocking work: libgit2, libcurl easy calls, SQLite and
/// file I/O. Swift's cooperative pool has only as many threads as cores and must never block,
/// so async code hands blocking work to this pool and awaits it (``run(_:)``), as with
/// swift-nio's `NIOThreadPool`. Visits (``VisitPool``) and a visit's history walk
/// (``BlockingJob``) run here too: there is one pool for the whole process.
///
/// The threads take closures from one first-in first-out queue. Their number grows to what
/// callers reserve (``reserve(_:)``) and never shrinks. Each has an 8 MiB stack: hostile trees
/// and documents are deep, and a visit must fail on them, not overflow.
///
/// Blocking code that waits for other blocking work never deadlocks the pool, however busy
/// it is: a ``BlockingJob`` that no thread has taken yet is run by whoever waits for it.
public final class BlockingPool: @unchecked Sendable {  // @unchecked: `condition` guards every var
    /// The process's pool.
    public static let shared = BlockingPool(threads: 4)

    /// Stack size of each thread.
    static let stackSize = 8 << 20

    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    /// Index of the queue's first item still waiting (items before it were taken).
    private var head = 0
    private var threads = 0
    /// The pool's threads that have started.
    private var members: [pthread_t] = []

    /// A pool with `threads` threads to begin with.
    public init(threads: Int) {
        reserve(threads)
    }

    /// Makes sure the pool has at least `count` threads.
    public func reserve(_ count: Int) {
        condition.lock()
        let first = threads
        threads = max(threads, count)
        let last = threads
        condition.unlock()
        for index in first..<last {
            // Named from inside (Foundation leaves a Linux thread the name of its creator);
            // Linux keeps 15 characters of a name.
            let name = "sediment-io-\(index)"
            let thread = Thread { [self] in
                Thread.current.name = name
                condition.lock()
                members.append(pthread_self())
                condition.unlock()
                work()
            }
            thread.stackSize = Self.stackSize
            thread.start()
        }
    }

    /// Whether the calling thread is one of the pool's (as NIO's `inEventLoop`).
    public var isCurrentThread: Bool {
        let me = pthread_self()
        condition.lock()
        defer { condition.unlock() }
        return members.contains { pthread_equal($0, me) != 0 }
    }

    /// Runs `body` on one of the pool's threads, later; returns at once.
    public func submit(_ body: @escaping @Sendable () -> Void) {
        condition.lock()
        queue.append(body)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on one of the pool's threads and returns its result, without blocking the
    /// calling task's thread.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs `body` on one of the pool's threads and returns its result; when the calling task
    /// is cancelled first, throws `CancellationError` at once and leaves `body` to finish on
    /// its thread, unawaited. For a caller that must not wait any longer (a daemon past its
    /// stop timeout); `body` should stop soon by other means (a ``CancellationFlag``).
    public func runUnlessCancelled<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let answer = Answer<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // Cancelled already: the work is not started.
                if answer.wait(continuation) {
                    submit { answer.give(Result { try body() }) }
                }
            }
        } onCancel: {
            answer.give(.failure(CancellationError()))
        }
    }

    /// A thread's life: take the next closure, run it, forever.
    private func work() {
        while true {
            condition.lock()
            while head == queue.count { condition.wait() }
            let body = queue[head]
            head += 1
            if head == queue.count || head > 1024 {
                queue.removeFirst(head)
                head = 0
            }
            condition.unlock()
            body()
        }
    }
}

/// The first of several possible answers to one waiting continuation (the work's result, or
/// the task's cancellation), given once.
private final class Answer<T: Sendable>: @unchecked Sendable {  // @unchecked: `lock` guards every var
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?
    /// An answer that came before the continuation was known.
    private var early: Result<T, Error>?
    private var given = false

    /// Gives `continuation` the answer when it comes; false when it came already (and
    /// `continuation` has it).
    func wait(_ continuation: CheckedContinuation<T, Error>) -> Bool {
        lock.lock()
        if let early {
            lock.unlock()
            continuation.resume(with: early)
            return false
        }
        self.continuation = continuation
        lock.unlock()
        return true
    }

    func give(_ result: Result<T, Error>) {
        lock.lock()
        guard !given else { return lock.unlock() }
        given = true
        guard let continuation else {
            early = result
            return lock.unlock()
        }
        self.continuation = nil
        lock.unlock()
        continuation.resume(with: result)
    }
}

/// Blocking work started on a ``BlockingPool`` beside the code that needs its result
/// (a visit's history walk runs while the visit builds manifests). ``wait()`` blocks until the
/// work is done; if no thread of the pool has taken it yet, the waiting thread runs it itself,
/// so waiting never depends on a free thread.
final class BlockingJob<T: Sendable>: @unchecked Sendable {  // @unchecked: `condition` guards every var
    private enum State {
        case waiting(@Sendable () throws -> T)
        case running
        case done(Result<T, Error>)
    }

    private let condition = NSCondition()
    private var state: State
    private var elapsed: Double = 0

    init(on pool: BlockingPool = .shared, _ body: @escaping @Sendable () throws -> T) {
        state = .waiting(body)
        pool.submit { [self] in runIfWaiting() }
    }

    /// Seconds the work ran (0 until it is done).
    var seconds: Double {
        condition.lock()
        defer { condition.unlock() }
        return elapsed
    }

    /// Blocks until the work is done; returns its value or rethrows its error.
    func wait() throws -> T {
        runIfWaiting()
        condition.lock()
        defer { condition.unlock() }
        while true {
            if case .done(let result) = state { return try result.get() }
            condition.wait()
        }
    }

    private func runIfWaiting() {
        condition.lock()
        guard case .waiting(let body) = state else { return condition.unlock() }
        state = .running
        condition.unlock()
        let start = Date()
        let result = Result { try body() }
        condition.lock()
        state = .done(result)
        elapsed = Date().timeIntervalSince(start)
        condition.broadcast()
        condition.unlock()
    }
}
