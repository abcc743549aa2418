import Foundation

/// Receives the body of a streamed response (``HTTPClient/stream(_:into:)``) as it arrives.
public protocol HTTPBodyReceiver: AnyObject {
    /// Called once, when the final response's status and headers are known and before any
    /// byte of its body. Return true to receive the body, false to have it kept (bounded) in
    /// the returned response instead: the way to read an error answer.
    func accept(status: Int, headers: HTTPHeaders) throws -> Bool
    /// The next bytes of the body. A thrown error ends the transfer and is rethrown by `stream`.
    func receive(_ bytes: UnsafeRawBufferPointer) throws
    /// Asked about once a second, even while no byte arrives: true ends the transfer (a
    /// daemon that stops does not wait for a stalled download).
    func shouldStop() -> Bool
}

extension HTTPBodyReceiver {
    public func shouldStop() -> Bool { false }
}

/// Host pauses shared between processes: a pause a server asked of one holds the others back
/// too (Hugging Face's rate limits are per account, not per process).
public protocol SharedHostPauses: Sendable {
    /// Records that `host` is not to be asked before `date`.
    func pause(_ host: String, until date: Date)
    /// Until when another process was told to leave `host` alone; nil when it was not.
    func pausedUntil(_ host: String) -> Date?
}
