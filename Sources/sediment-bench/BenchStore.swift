import Crypto
import Foundation
import SedimentS3
import SedimentStore

/// The store a benchmark writes to: a scratch folder (removed at the end), a kept folder,
/// or a bucket (`s3://BUCKET/PREFIX`, with the endpoint and credentials of the environment);
/// its pack index is a catalog in the scratch folder.
final class BenchStore {
    let store: any BlobStore
    private let scratch: URL
    private let removeScratch: Bool
    private let client: S3Client?

    init(_ location: String?) throws {
        let bucket = location.flatMap { $0.lowercased().hasPrefix("s3://") ? $0 : nil }
        removeScratch = location == nil || bucket != nil
        scratch = location.flatMap { bucket == nil ? URL(fileURLWithPath: $0) : nil }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("sediment-bench-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let index = try Catalog(path: scratch.path + "/catalog.sqlite")
        if let bucket {
            let settings = try S3Settings.resolve(location: S3Location(parsing: bucket), endpoint: nil, region: nil,
                                                  environment: ProcessInfo.processInfo.environment)
            let s3 = try S3BlobStore(settings: settings, index: index, work: scratch.appendingPathComponent("blobs"))
            client = s3.client
            store = s3
        } else {
            client = nil
            store = try PackStore(root: scratch.appendingPathComponent("blobs"), index: index)
        }
    }

    /// ` requests=N` for a bucket, else nothing.
    var requests: String {
        client.map { " requests=\($0.requestCount)" } ?? ""
    }

    func close() {
        if removeScratch { try? FileManager.default.removeItem(at: scratch) }
    }
}

/// Stores `file` as one large object the way an LFS download is stored: its SHA-256 first
/// (the pointer names it), then streamed in 1 MiB chunks into a resumable write, published.
func putObject(_ file: String, into location: String) throws {
    let bench = try BenchStore(location)
    defer { bench.close() }
    guard let handle = FileHandle(forReadingAtPath: file) else { throw BlobStoreError.io(operation: "open", path: file, errno: errno) }
    defer { try? handle.close() }
    var hasher = SHA256()
    var size: Int64 = 0
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        hasher.update(data: chunk)
        size += Int64(chunk.count)
    }
    guard let id = ContentID(raw: Array(hasher.finalize())) else { throw BlobStoreError.missing(ContentID.of(Data())) }
    let start = DispatchTime.now()
    try handle.seek(toOffset: 0)
    let write = try bench.store.resumableWrite(of: id, size: size)
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        try chunk.withUnsafeBytes { try write.append($0) }
    }
    try write.complete()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    guard bench.store.size(of: id) == size else { throw BlobStoreError.missing(id) }
    print("bytes=\(size) seconds=\(String(format: "%.4f", seconds))" + bench.requests)
}
