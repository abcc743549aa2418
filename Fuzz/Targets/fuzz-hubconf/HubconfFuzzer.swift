import Foundation
import SedimentHubs

/// A repository's `hubconf.py`, read for its entry points.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = HubconfEntrypoints.parse(Data(bytes: data, count: size))
    return 0
}
