import CCurl
import Foundation

/// The body of a request read from part of a local file as libcurl sends it
/// (`CURLOPT_READFUNCTION`): each attempt opens the file again and sends from the start of
/// the part, so memory stays flat and a retry sends the same bytes.
final class FileBodySource {
    private let fd: Int32
    private let path: String
    private var offset: Int64
    private var remaining: Int64
    /// Why the file could not be read, when it could not.
    private(set) var failure: String?

    init(_ body: HTTPFileBody) throws {
        path = body.path
        offset = body.offset
        remaining = body.length
        fd = open(body.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TransportFailure(kind: .transport(code: Int32(CURLE_READ_ERROR.rawValue)), retryable: false,
                                   message: "cannot open \(body.path) to send it: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    /// Fills `buffer` with the next bytes; 0 at the end, `CURL_READFUNC_ABORT` on a read error.
    func fill(_ buffer: UnsafeMutablePointer<CChar>, _ capacity: Int) -> Int {
        let wanted = Int(min(Int64(capacity), remaining))
        guard wanted > 0 else { return 0 }
        while true {
            let n = pread(fd, buffer, wanted, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                failure = n == 0 ? "\(path) ends before the \(remaining) bytes still to send" : "cannot read \(path): \(String(cString: strerror(errno)))"
                return Int(CURL_READFUNC_ABORT)
            }
            offset += Int64(n)
            remaining -= Int64(n)
            return n
        }
    }

    static let read: sediment_curl_data_callback = { buffer, size, count, context in
        let source = Unmanaged<FileBodySource>.fromOpaque(context!).takeUnretainedValue()
        return source.fill(buffer!, size * count)
    }
}

// A source is not Sendable: libcurl reads it on the one thread that runs its transfer.
@available(*, unavailable)
extension FileBodySource: Sendable {}
