import Foundation
import NIOCore

/// Hands the chunks a blocking reader produces on a ``BlockingPool`` thread to the async
/// task that writes them to a client, a few at a time: the reader waits while
/// ``capacity`` chunks are waiting, so a slow client never makes the server hold a whole
/// object in memory.
final class ContentPipe: @unchecked Sendable {  // @unchecked: `condition` guards every var
    private let condition = NSCondition()
    private var chunks: [ByteBuffer] = []
    private var finished = false
    private var failure: (any Error)?
    /// Set by the consumer when it stops reading (the client went away).
    private var abandoned = false
    private var waiting: CheckedContinuation<Void, Never>?
    let capacity: Int

    init(capacity: Int = 8) {
        self.capacity = capacity
    }

    /// Thrown to the reader once the consumer has abandoned the transfer.
    struct Abandoned: Error {}

    /// Called by the reader: waits for room, then queues `bytes`.
    func put(_ bytes: UnsafeRawBufferPointer) throws {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        condition.lock()
        while chunks.count >= capacity && !abandoned { condition.wait() }
        if abandoned {
            condition.unlock()
            throw Abandoned()
        }
        chunks.append(buffer)
        let waiter = waiting
        waiting = nil
        condition.unlock()
        waiter?.resume()
    }

    /// Called by the reader when it is done, with the error that stopped it, if any.
    func finish(_ error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        let waiter = waiting
        waiting = nil
        condition.unlock()
        waiter?.resume()
    }

    /// The next chunk; nil at the end. Throws the reader's error.
    func next() async throws -> ByteBuffer? {
        while true {
            switch take() {
            case .chunk(let chunk): return chunk
            case .end(let error):
                if let error { throw error }
                return nil
            case .empty:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in park(continuation) }
            }
        }
    }

    private enum Taken {
        case chunk(ByteBuffer)
        case end((any Error)?)
        case empty
    }

    private func take() -> Taken {
        condition.lock()
        defer { condition.unlock() }
        if !chunks.isEmpty {
            condition.broadcast()
            return .chunk(chunks.removeFirst())
        }
        return finished ? .end(failure) : .empty
    }

    /// Resumes `continuation` once a chunk or the end is there (at once if it is already).
    private func park(_ continuation: CheckedContinuation<Void, Never>) {
        condition.lock()
        if !chunks.isEmpty || finished {
            condition.unlock()
            continuation.resume()
        } else {
            waiting = continuation
            condition.unlock()
        }
    }

    /// Called by the consumer when it stops reading before the end.
    func abandon() {
        condition.lock()
        abandoned = true
        condition.broadcast()
        condition.unlock()
    }
}
