import Foundation
import SedimentHubs

/// Modelhub's `models.json`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? ModelhubIndex.packages(hub: "modelhub", modelsJSON: Data(bytes: data, count: size))
    return 0
}
