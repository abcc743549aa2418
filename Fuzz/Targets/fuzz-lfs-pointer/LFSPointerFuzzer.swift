import Foundation
import SedimentStore

/// A blob that may be a Git LFS pointer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = LFSPointer.parse(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
