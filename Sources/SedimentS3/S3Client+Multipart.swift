import Foundation
import SedimentHTTP
import SedimentStore

/// A multipart upload in progress, as ListMultipartUploads gives it.
public struct S3Upload: Sendable, Equatable {
    public var key: String
    public var uploadID: String
}

/// A part uploaded, as ListParts gives it.
public struct S3Part: Sendable, Equatable {
    public var number: Int
    /// The part's ETag, quotes included: its MD5 in hex for S3 and its imitators.
    public var etag: String
    public var size: Int64
}

extension S3Client {
    /// Starts a multipart upload of `key`; returns its upload id.
    public func createMultipartUpload(_ key: String) throws -> String {
        let response = try send(request("POST", key, query: [("uploads", "")]), "CreateMultipartUpload", key: key)
        guard let id = S3XML.parse(response.body)?.value("UploadId"), !id.isEmpty else {
            throw unreadable(response, "CreateMultipartUpload", key: key)
        }
        return id
    }

    /// Uploads part `number` (from 1) of upload `uploadID` of `key`: `length` bytes of the local
    /// file `path` from `offset`, streamed, their SHA-256 (`sha256`, hex) signed. Returns its ETag.
    public func uploadPart(_ key: String, uploadID: String, number: Int, file path: String, offset: Int64, length: Int64, sha256: String) throws -> String {
        var request = request("PUT", key, query: [("partNumber", String(number)), ("uploadId", uploadID)], payloadHash: sha256)
        request.bodyFile = HTTPFileBody(path: path, offset: offset, length: length)
        let response = try send(request, "UploadPart", key: key)
        guard let etag = response.headers["ETag"] else { throw unreadable(response, "UploadPart", key: key) }
        return etag
    }

    /// Completes upload `uploadID` of `key` from `parts` (number, ETag), in order.
    public func completeMultipartUpload(_ key: String, uploadID: String, parts: [(number: Int, etag: String)]) throws {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(S3XML.escape(part.etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let body = Data(xml.utf8)
        var request = request("POST", key, query: [("uploadId", uploadID)], payloadHash: ContentID.of(body).hex)
        request.body = body
        request.headers.set("Content-Type", "application/xml")
        let response = try send(request, "CompleteMultipartUpload", key: key)
        // S3 may answer 200 and an error in the body, when the completion failed after it began.
        if let answer = S3XML.parse(response.body), answer.name == "Error" {
            var failed = response
            failed.status = 500
            throw failure(failed, "CompleteMultipartUpload", key: key, secrets: request.secrets)
        }
    }

    /// Abandons upload `uploadID` of `key`: its parts are deleted (no error when it is gone).
    public func abortMultipartUpload(_ key: String, uploadID: String) throws {
        try send(request("DELETE", key, query: [("uploadId", uploadID)]), "AbortMultipartUpload", key: key, accepting: [200, 204, 404])
    }

    /// The multipart uploads in progress whose key starts with `prefix`, oldest first for a key.
    public func listMultipartUploads(prefix: String) throws -> [S3Upload] {
        var uploads: [S3Upload] = []
        var markers: (key: String, upload: String)?
        repeat {
            var query: Query = [("uploads", ""), ("prefix", prefix)]
            if let markers { query += [("key-marker", markers.key), ("upload-id-marker", markers.upload)] }
            let response = try send(request("GET", "", query: query), "ListMultipartUploads", key: prefix)
            guard let xml = S3XML.parse(response.body) else { throw unreadable(response, "ListMultipartUploads", key: prefix) }
            for upload in xml.all("Upload") {
                if let key = upload.value("Key"), let id = upload.value("UploadId") { uploads.append(S3Upload(key: key, uploadID: id)) }
            }
            if xml.value("IsTruncated") == "true", let key = xml.value("NextKeyMarker"), let upload = xml.value("NextUploadIdMarker") {
                markers = (key, upload)
            } else {
                markers = nil
            }
        } while markers != nil
        return uploads
    }

    /// The parts uploaded so far to upload `uploadID` of `key`.
    public func listParts(_ key: String, uploadID: String) throws -> [S3Part] {
        var parts: [S3Part] = []
        var marker: String?
        repeat {
            var query: Query = [("uploadId", uploadID)]
            if let marker { query.append(("part-number-marker", marker)) }
            let response = try send(request("GET", key, query: query), "ListParts", key: key)
            guard let xml = S3XML.parse(response.body) else { throw unreadable(response, "ListParts", key: key) }
            for part in xml.all("Part") {
                guard let number = part.value("PartNumber").flatMap({ Int($0) }), let etag = part.value("ETag"),
                      let size = part.value("Size").flatMap({ Int64($0) }) else { continue }
                parts.append(S3Part(number: number, etag: etag, size: size))
            }
            marker = xml.value("IsTruncated") == "true" ? xml.value("NextPartNumberMarker") : nil
        } while marker != nil
        return parts
    }
}
