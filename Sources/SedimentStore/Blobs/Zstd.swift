import CZstd
import Foundation

/// zstd compression of blobs (one frame each), and their checked decompression.
enum Zstd {
    /// Content shorter than this is stored as it is: a frame's overhead would eat the gain.
    static let minimumSize = 64
    /// How much of a larger blob is tried first: when its first 64 KiB do not shrink by 1/32,
    /// the blob is taken as incompressible (random data, compressed weights) and stored raw,
    /// without spending a full compression on it.
    static let probeSize = 64 << 10

    /// Decompresses one frame that must give exactly `size` bytes.
    static func decompress(_ bytes: UnsafeRawBufferPointer, size: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { out in
            ZSTD_decompress(out.baseAddress, size, bytes.baseAddress, bytes.count)
        }
        if ZSTD_isError(written) != 0 {
            throw ZstdError(message: String(cString: ZSTD_getErrorName(written)))
        }
        guard written == size else { throw ZstdError(message: "\(written) bytes decompressed, not \(size)") }
        return out
    }
}

/// A compression context and its output buffer, reused from blob to blob. Not thread-safe.
final class ZstdCompressor {
    let level: Int32
    private let context: OpaquePointer
    private var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)

    init(level: Int32) {
        self.level = level
        context = ZSTD_createCCtx()
    }

    deinit {
        ZSTD_freeCCtx(context)
        buffer.deallocate()
    }

    /// Compresses `bytes` and passes the frame to `body` when it saves at least 1/64 of the
    /// size (returning true); returns false, calling nothing, when the blob is better kept raw.
    func compress(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows -> Bool {
        guard bytes.count >= Zstd.minimumSize else { return false }
        if bytes.count > 2 * Zstd.probeSize {
            let probe = UnsafeRawBufferPointer(rebasing: bytes[0..<Zstd.probeSize])
            guard let written = frame(probe), written < Zstd.probeSize - Zstd.probeSize / 32 else { return false }
        }
        guard let written = frame(bytes), written < bytes.count - bytes.count / 64 else { return false }
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<written]))
        return true
    }

    private func frame(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let bound = ZSTD_compressBound(bytes.count)
        if buffer.count < bound {
            buffer.deallocate()
            buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bound, alignment: 16)
        }
        let written = ZSTD_compressCCtx(context, buffer.baseAddress, bound, bytes.baseAddress, bytes.count, level)
        return ZSTD_isError(written) == 0 ? written : nil
    }
}

struct ZstdError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
