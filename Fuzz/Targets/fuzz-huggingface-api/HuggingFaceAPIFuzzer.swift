import Foundation
@testable import SedimentHubs

/// A page of the Hugging Face API's model listing (`GET /api/models`), and one model's
/// entry (`GET /api/models/{id}`), as `discover` and `lookup` read them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(bytes: data, count: size)
    _ = try? HuggingFaceHub.parse(page: body, hub: "hf", endpoint: "https://huggingface.co")
    if let entry = try? JSONSerialization.jsonObject(with: body) {
        _ = HuggingFaceHub.package(from: entry, hub: "hf", endpoint: "https://huggingface.co")
    }
    return 0
}
