import Foundation
import SedimentHTTP

/// A repository's `.lfsconfig` (git-config syntax), and the endpoint derived from its `lfs.url`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let url = LFSEndpoint.configuredURL(lfsconfig: text) {
        _ = LFSEndpoint.derived(from: url)?.batchURL
    }
    return 0
}
