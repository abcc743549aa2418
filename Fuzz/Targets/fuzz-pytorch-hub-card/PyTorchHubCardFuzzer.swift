import Foundation
import SedimentHubs

/// One card of the PyTorch Hub index (`OWNER_REPO_MODEL.md`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = PyTorchHubIndex.packages(hub: "pytorch", cards: [(name: "owner_repo_model.md", content: Data(bytes: data, count: size))])
    return 0
}
