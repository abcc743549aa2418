import Foundation
import SedimentHTTP
import SedimentNetwork
import SedimentStore

/// An object as a listing gives it.
public struct S3Object: Sendable, Equatable {
    public var key: String
    public var size: Int64
}

extension S3Client {
    /// Creates the bucket (no error when this account has it already).
    public func createBucket() throws {
        var request = request("PUT", "")
        if settings.region != "us-east-1" {
            let body = Data("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(settings.region)</LocationConstraint></CreateBucketConfiguration>".utf8)
            request = self.request("PUT", "", payloadHash: ContentID.of(body).hex)
            request.body = body
        }
        do {
            try send(request, "CreateBucket", key: "")
        } catch let error as S3Error where error.code == "BucketAlreadyOwnedByYou" {}
    }

    /// Stores `data` as `key` (one PUT; its SHA-256 signed, so S3 checks it arrived intact).
    public func putObject(_ key: String, data: Data) throws {
        var request = request("PUT", key, payloadHash: ContentID.of(data).hex)
        request.body = data
        // Else libcurl says form data, which some servers then parse as a form.
        request.headers.set("Content-Type", "application/octet-stream")
        try send(request, "PutObject", key: key)
    }

    /// Stores `length` bytes of the local file `path` from `offset` as `key` (one PUT,
    /// streamed from the file); `sha256`, the hex SHA-256 of those bytes when known, is signed
    /// so S3 checks them.
    public func putObject(_ key: String, file path: String, offset: Int64 = 0, length: Int64, sha256: String?) throws {
        var request = request("PUT", key, payloadHash: sha256 ?? Self.unsignedPayload)
        request.bodyFile = HTTPFileBody(path: path, offset: offset, length: length)
        try send(request, "PutObject", key: key)
    }

    /// The bytes of `key` in `range` (all of it when nil); nil when there is no such key.
    public func getObject(_ key: String, range: Range<Int64>? = nil) throws -> Data? {
        var request = request("GET", key)
        if let range {
            guard !range.isEmpty else { return Data() }
            request.headers.set("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")
        }
        let response = try send(request, "GetObject", key: key, accepting: [200, 206, 404])
        if response.status == 404 { return nil }
        return response.body
    }

    /// The last `count` bytes of `key` and its whole size (from `Content-Range`); nil when
    /// there is no such key.
    public func getTail(_ key: String, count: Int) throws -> (bytes: Data, size: Int64)? {
        var request = request("GET", key)
        request.headers.set("Range", "bytes=-\(count)")
        let response = try send(request, "GetObject", key: key, accepting: [200, 206, 404])
        if response.status == 404 { return nil }
        if response.status == 200 { return (response.body, Int64(response.body.count)) }
        guard let total = response.headers["Content-Range"]?.split(separator: "/").last.flatMap({ Int64($0) }) else {
            throw S3Error(operation: "GetObject", bucket: bucket, key: key, status: response.status, code: nil,
                          message: "a ranged answer without the object's size in Content-Range", attempts: response.attempts)
        }
        return (response.body, total)
    }

    /// The size of `key`; nil when there is no such key.
    public func headObject(_ key: String) throws -> Int64? {
        let response = try send(request("HEAD", key), "HeadObject", key: key, accepting: [200, 404])
        if response.status == 404 { return nil }
        return response.headers["Content-Length"].flatMap { Int64($0) }
    }

    /// Removes `key` (no error when it is absent).
    public func deleteObject(_ key: String) throws {
        try send(request("DELETE", key), "DeleteObject", key: key, accepting: [200, 204, 404])
    }

    /// Streams `key` from byte `offset` to `receive`, sending the request again from where the
    /// stream stopped after a dropped connection or a stall (as the retry policy allows);
    /// returns false when there is no such key.
    public func streamObject(_ key: String, from offset: Int64 = 0, _ receive: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        try withoutActuallyEscaping(receive) { try streamObject(key, from: offset, escaping: $0) }
    }

    private func streamObject(_ key: String, from offset: Int64, escaping receive: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        var position = offset
        var attempt = 0
        let retrying = Retrying(policy: settings.http.retry)
        do {
            return try retrying.run { _ in
            attempt += 1
            var request = request("GET", key)
            if position > 0 { request.headers.set("Range", "bytes=\(position)-") }
            let receiver = StreamReceiver(receive)
            let response: HTTPResponse
            do {
                response = try http.stream(request, into: receiver)
            } catch let error as HTTPError {
                count("GetObject", 1)
                position += receiver.received
                if let failure = receiver.failure { throw failure }
                let s3 = S3Error(operation: "GetObject", bucket: bucket, key: key, status: nil, code: nil, message: error.message, attempts: attempt)
                throw error.retryable ? TransientS3Error(error: s3) : s3 as Error
            }
            count("GetObject", 1)
            position += receiver.received
            if response.status == 404 { return false }
            guard response.isSuccess else {
                let failure = self.failure(response, "GetObject", key: key, secrets: request.secrets)
                throw failure.isTransient ? TransientS3Error(error: failure) : failure as Error
            }
            return true
            }
        } catch let failure as TransientS3Error {
            throw failure.error
        } catch let interruption as RetryInterruption {
            throw (interruption.last as? TransientS3Error)?.error ?? interruption
        }
    }

    /// Every object whose key starts with `prefix`, page by page (ListObjectsV2, `maxKeys` a
    /// page, following continuation tokens), in key order.
    public func listObjects(prefix: String, maxKeys: Int = 1000, _ body: (S3Object) throws -> Void) throws {
        var token: String?
        repeat {
            var query: Query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
            if let token { query.append(("continuation-token", token)) }
            let response = try send(request("GET", "", query: query), "ListObjectsV2", key: prefix)
            guard let xml = S3XML.parse(response.body) else { throw unreadable(response, "ListObjectsV2", key: prefix) }
            for item in xml.all("Contents") {
                guard let key = item.value("Key"), let size = item.value("Size").flatMap({ Int64($0) }) else { continue }
                try body(S3Object(key: key, size: size))
            }
            token = xml.value("IsTruncated") == "true" ? xml.value("NextContinuationToken") : nil
        } while token != nil
    }

    /// An answer whose XML cannot be read.
    func unreadable(_ response: HTTPResponse, _ operation: String, key: String) -> S3Error {
        S3Error(operation: operation, bucket: bucket, key: key, status: response.status, code: nil,
                message: "an answer that is not the XML S3 sends (\(response.body.count) bytes)", attempts: response.attempts)
    }
}

/// A failure worth sending the request again for (a dropped connection in a stream).
struct TransientS3Error: RetryableFailure {
    let error: S3Error
    var code: FailureCode { .connection }
    var isTransient: Bool { true }
}

/// Hands a streamed GET's body to a closure, counting the bytes.
final class StreamReceiver: HTTPBodyReceiver {
    let receive: (UnsafeRawBufferPointer) throws -> Void
    var received: Int64 = 0
    var failure: Error?

    init(_ receive: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.receive = receive
    }

    func accept(status: Int, headers: HTTPHeaders) throws -> Bool {
        (200..<300).contains(status)
    }

    func receive(_ bytes: UnsafeRawBufferPointer) throws {
        do {
            try receive(bytes)
        } catch {
            failure = error
            throw error
        }
        received += Int64(bytes.count)
    }
}
