import Dispatch
import Foundation

/// The packing of a batch's small blobs on a thread of its own: compression, the pack file's
/// writes and its hash run beside the caller, which goes on reading and hashing the next
/// blobs. At most `depth` blobs wait (their bytes copied), so memory stays bounded. An error
/// stops the packing and is thrown by ``finish()``.
///
/// `@unchecked Sendable`: every stored property but the queue and the semaphore is touched
/// only on `queue`, a serial queue.
final class PackPipeline: @unchecked Sendable {
    private let queue = DispatchQueue(label: "sediment.pack-pipeline")
    private let slots: DispatchSemaphore
    private let folder: String
    private let name: String
    private let packSize: Int64
    private let compressor: ZstdCompressor
    private var writer: PackWriter?
    private var finished: [(path: String, record: PackRecord)] = []
    private var failure: Error?
    private var packs = 0

    /// Packs are written in `folder`, named `<name>-p<n>.pack`, closed at `packSize` bytes.
    init(folder: String, name: String, packSize: Int64, level: Int32, depth: Int = 16) {
        self.folder = folder
        self.name = name
        self.packSize = packSize
        compressor = ZstdCompressor(level: level)
        slots = DispatchSemaphore(value: depth)
    }

    /// Queues one blob (its bytes are copied).
    func add(_ bytes: UnsafeRawBufferPointer, id: ContentID, kind: BlobKind) {
        let copy = [UInt8](bytes)
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard failure == nil else { return }
            do {
                if writer == nil {
                    packs += 1
                    writer = try PackWriter(path: "\(folder)/\(name)-p\(packs).pack")
                }
                try copy.withUnsafeBytes { try writer!.add($0, id: id, kind: kind, compressor: compressor) }
                if writer!.offset >= packSize { try closePack() }
            } catch {
                failure = error
            }
        }
    }

    private func closePack() throws {
        guard let open = writer else { return }
        writer = nil
        finished.append((open.path, try open.finish()))
    }

    /// Waits for every queued blob and closes the open pack; returns the packs written (still
    /// in the temporary folder, not yet durable).
    func finish() throws -> [(path: String, record: PackRecord)] {
        try queue.sync {
            if let failure { throw failure }
            try closePack()
            defer { finished = [] }
            return finished
        }
    }

    /// Waits for every queued blob, then deletes every pack written.
    func discard() {
        queue.sync {
            if let writer { unlink(writer.path) }
            writer = nil
            for pack in finished { unlink(pack.path) }
            finished = []
            failure = nil
        }
    }
}
