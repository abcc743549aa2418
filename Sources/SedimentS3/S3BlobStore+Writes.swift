import Crypto
import Foundation
import SedimentStore

extension S3BlobStore: PackBatchTarget {
    /// Small blobs are always packed here, so the index alone answers for them: no request
    /// per blob. A large one costs a HEAD.
    public func holds(_ id: ContentID, size: Int64) -> Bool {
        if size < options.threshold {
            return (try? index.locate([id]))?[id]?.entry.size == size
        }
        return self.size(of: id) == size
    }

    /// Each pack is sent with one PUT (its name, the SHA-256 of its bytes, signed as the
    /// payload's hash, so S3 refuses it damaged), each large object as ``upload(file:size:to:sha256:)``
    /// does; the local files are removed once all are stored.
    public func place(packs: [StagedFile], objects: [StagedFile]) throws {
        for pack in packs {
            try client.putObject(packKey(pack.id), file: pack.path, length: pack.record?.bytes ?? fileSize(pack.path), sha256: pack.id.hex)
        }
        for object in objects {
            try upload(file: object.path, size: fileSize(object.path), to: objectKey(object.id), sha256: object.id.hex)
        }
        for file in packs + objects { unlink(file.path) }
    }

    func fileSize(_ path: String) throws -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw BlobStoreError.io(operation: "stat", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    /// Stores the local file `path` of `size` bytes as `key`: one PUT up to the part size,
    /// else a multipart upload of parts read from the file (never the whole in memory) that
    /// resumes the upload an earlier attempt left for the key (ListMultipartUploads, then
    /// ListParts: parts already there with the same MD5 are not sent again). A permanent
    /// failure aborts the upload (its parts deleted); a transient one leaves it to resume.
    /// `sha256` is the file's hex SHA-256 when known.
    public func upload(file path: String, size: Int64, to key: String, sha256: String?) throws {
        let partSize = client.settings.partSize
        if size <= partSize {
            let hash = try sha256 ?? FileDigests.of(path, offset: 0, length: size).sha256
            try client.putObject(key, file: path, length: size, sha256: hash)
            return
        }
        let uploads = try client.listMultipartUploads(prefix: key).filter { $0.key == key }
        var uploadID: String
        var done: [Int: S3Part] = [:]
        if let last = uploads.last {
            uploadID = last.uploadID
            for part in try client.listParts(key, uploadID: uploadID) { done[part.number] = part }
            for other in uploads.dropLast() { try? client.abortMultipartUpload(key, uploadID: other.uploadID) }
        } else {
            uploadID = try client.createMultipartUpload(key)
        }
        do {
            var parts: [(number: Int, etag: String)] = []
            var offset: Int64 = 0
            var number = 1
            while offset < size {
                let length = min(partSize, size - offset)
                let digests = try FileDigests.of(path, offset: offset, length: length)
                if let part = done[number], part.size == length, part.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) == digests.md5 {
                    parts.append((number, part.etag))
                } else {
                    let etag = try client.uploadPart(key, uploadID: uploadID, number: number, file: path, offset: offset, length: length, sha256: digests.sha256)
                    parts.append((number, etag))
                }
                offset += length
                number += 1
            }
            try complete(key, uploadID: uploadID, parts: parts, size: size)
        } catch let error as S3Error where !error.isTransient {
            try? client.abortMultipartUpload(key, uploadID: uploadID)
            throw error
        }
    }

    /// Completes the upload; when the answer to an earlier attempt was lost and the upload is
    /// gone (`NoSuchUpload`), the object being there with its size is success.
    private func complete(_ key: String, uploadID: String, parts: [(number: Int, etag: String)], size: Int64) throws {
        do {
            try client.completeMultipartUpload(key, uploadID: uploadID, parts: parts)
        } catch let error as S3Error where error.code == "NoSuchUpload" {
            guard try client.headObject(key) == size else { throw error }
        }
    }
}

/// The MD5 (an S3 part's ETag) and SHA-256 (its signed payload hash) of part of a file, read
/// in chunks of 1 MiB.
enum FileDigests {
    static func of(_ path: String, offset: Int64, length: Int64) throws -> (md5: String, sha256: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BlobStoreError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var md5 = Insecure.MD5()
        var sha = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < length {
            let n = pread(fd, buffer.baseAddress, Int(min(Int64(buffer.count), length - done)), off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw BlobStoreError.io(operation: "read", path: path, errno: n == 0 ? EIO : errno) }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            md5.update(bufferPointer: chunk)
            sha.update(bufferPointer: chunk)
            done += Int64(n)
        }
        func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 { digest.map { String(format: "%02x", $0) }.joined() }
        return (hex(md5.finalize()), hex(sha.finalize()))
    }
}
