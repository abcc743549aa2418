import Foundation
import SedimentHubs

/// The ONNX Model Zoo's `ONNX_HUB_MANIFEST.json`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? ONNXModelZooIndex.packages(hub: "onnx", repository: "https://github.com/onnx/models",
                                        manifest: Data(bytes: data, count: size))
    return 0
}
