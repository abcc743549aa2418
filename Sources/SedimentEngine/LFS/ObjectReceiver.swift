import Foundation
import SedimentGit
import SedimentHTTP
import SedimentStore

/// Streams one LFS object's download into its ``PartialBlob``: a 206 answer must continue at
/// the partial file's end; a 200 answer to a `Range` request (a server that ignores ranges)
/// starts the object over; any other answer is an error whose body is not taken. Every
/// ``FreeSpace/checkEvery`` bytes it checks that the file system keeps its reserve.
final class ObjectReceiver: HTTPBodyReceiver {
    let partial: any ResumableWrite
    let offset: Int64
    let space: FreeSpace?
    /// Bytes received since the free space was last checked.
    private var sinceCheck: Int64 = 0
    /// The server answered with a range that does not continue the partial file.
    private(set) var misplacedRange = false
    /// The server sent the whole object although a range was asked.
    private(set) var restarted = false

    let cancellation: CancellationFlag?

    init(partial: any ResumableWrite, offset: Int64, space: FreeSpace? = nil, cancellation: CancellationFlag? = nil) {
        self.partial = partial
        self.offset = offset
        self.space = space
        self.cancellation = cancellation
    }

    func accept(status: Int, headers: HTTPHeaders) throws -> Bool {
        switch status {
        case 206:
            // Content-Range: bytes START-END/TOTAL
            let start = headers["Content-Range"].flatMap { value -> Int64? in
                guard let range = value.split(separator: " ").last, let first = range.split(separator: "-").first else { return nil }
                return Int64(first)
            }
            guard start == offset else {
                misplacedRange = true
                return false
            }
            return true
        case 200:
            if offset > 0 || partial.length > 0 {
                try partial.restart()
                restarted = true
            }
            return true
        default:
            return false
        }
    }

    func shouldStop() -> Bool {
        cancellation?.isRaised == true
    }

    func receive(_ bytes: UnsafeRawBufferPointer) throws {
        if cancellation?.isRaised == true { throw LFSFetcher.Cancelled() }
        sinceCheck += Int64(bytes.count)
        if let space, sinceCheck >= FreeSpace.checkEvery {
            sinceCheck = 0
            try space.ensureRoom(for: Int64(bytes.count))
        }
        try partial.append(bytes)
    }
}
