import CCurl
import Foundation
import SedimentNetwork

/// libcurl easy handles, reused so that connections to a host stay open between requests.
final class HandlePool: @unchecked Sendable {  // @unchecked: `lock` guards `idle`
    final class Handle {
        let curl: UnsafeMutableRawPointer
        init(curl: UnsafeMutableRawPointer) { self.curl = curl }
        deinit { curl_easy_cleanup(curl) }
    }

    private let lock = NSLock()
    private var idle: [Handle] = []

    func take() throws -> Handle {
        lock.lock()
        if let handle = idle.popLast() {
            lock.unlock()
            return handle
        }
        lock.unlock()
        guard let curl = curl_easy_init() else {
            throw TransportFailure(kind: .transport(code: -1), retryable: false, message: "libcurl could not create a handle")
        }
        return Handle(curl: curl)
    }

    func give(_ handle: Handle) {
        lock.lock()
        idle.append(handle)
        lock.unlock()
    }
}

// A handle is not Sendable: a libcurl easy handle must not be used by two threads at once.
// It passes from thread to thread only through the pool's lock (``HandlePool/take()``,
// ``HandlePool/give(_:)``).
@available(*, unavailable)
extension HandlePool.Handle: Sendable {}
