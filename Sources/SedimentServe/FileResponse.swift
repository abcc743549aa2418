import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SedimentEngine
import SedimentStore

/// An archived file as the Hub's resolve endpoint sends it: `X-Repo-Commit`, an `ETag` (the git
/// blob id, or a Git LFS object's SHA-256, with `X-Linked-Etag` and `X-Linked-Size` as the Hub
/// gives them for LFS files), `Content-Length`, and `Range` for one range. The content is
/// streamed from the store as it is read, and checked against its id: when the store finds it
/// damaged, the transfer stops short of its length, so no client takes it for whole.
struct FileResponse {
    let archive: Archive
    let metrics: ServeMetrics
    let logger: Logger

    func response(_ file: ServedFile, head: Bool, range rangeHeader: String?) -> Response {
        var headers: HTTPFields = [.contentType: "application/octet-stream", .acceptRanges: "bytes", .eTag: "\"\(file.etag)\""]
        headers[HTTPField.Name("X-Repo-Commit")!] = file.commit
        if file.lfs {
            headers[HTTPField.Name("X-Linked-Etag")!] = "\"\(file.etag)\""
            headers[HTTPField.Name("X-Linked-Size")!] = String(file.size)
        }
        var wanted: Range<Int64>?
        var status: HTTPResponse.Status = .ok
        if let rangeHeader, !head {
            guard let parsed = Self.parseRange(rangeHeader, size: file.size) else {
                headers[.contentRange] = "bytes */\(file.size)"
                headers[.contentLength] = "0"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            wanted = parsed
            status = .partialContent
            headers[.contentRange] = "bytes \(parsed.lowerBound)-\(parsed.upperBound - 1)/\(file.size)"
        }
        let range = wanted
        let length = range.map { $0.upperBound - $0.lowerBound } ?? file.size
        headers[.contentLength] = String(length)
        if head { return Response(status: status, headers: headers) }

        let id: ContentID
        switch file.source {
        case .blob(let blob): id = blob
        case .lfsObject(let oid): id = oid
        }
        let pipe = ContentPipe()
        BlockingPool.shared.submit { [archive] in
            do {
                try archive.blobs.read(id, range: range) { try pipe.put($0) }
                pipe.finish(nil)
            } catch {
                pipe.finish(error)
            }
        }
        let metrics = self.metrics, logger = self.logger
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: Int(length)) { writer in
            var sent = 0
            do {
                // The last chunk is held back until the store has checked the whole content:
                // when the check fails, the client gets less than Content-Length, never a
                // damaged file that looks whole.
                var held: ByteBuffer?
                while let chunk = try await pipe.next() {
                    if let previous = held {
                        sent += previous.readableBytes
                        try await writer.write(previous)
                    }
                    held = chunk
                }
                if let last = held {
                    sent += last.readableBytes
                    try await writer.write(last)
                }
                try await writer.finish(nil)
                metrics.sent(sent)
            } catch {
                pipe.abandon()
                metrics.sent(sent)
                if !(error is ContentPipe.Abandoned) {
                    metrics.failedTransfer()
                    logger.warning("file transfer stopped", metadata: ["object": "\(id.hex)", "sent": "\(sent)", "error": "\(error)"])
                }
                throw error
            }
        })
    }

    /// One range of `bytes=A-B`, `bytes=A-` or `bytes=-N`; nil when it cannot be satisfied.
    static func parseRange(_ header: String, size: Int64) -> Range<Int64>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        let first = spec[0].trimmingCharacters(in: .whitespaces), last = spec[1].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let n = Int64(last), n > 0, size > 0 else { return nil }
            return max(0, size - n)..<size
        }
        guard let start = Int64(first), start >= 0, start < size else { return nil }
        if last.isEmpty { return start..<size }
        guard let end = Int64(last), end >= start else { return nil }
        return start..<min(size, end + 1)
    }
}
