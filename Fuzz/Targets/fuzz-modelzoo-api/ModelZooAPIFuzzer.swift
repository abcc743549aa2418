import Foundation
@testable import SedimentHubs

/// The modelzoo API's catalogue (`GET /api/models/0/`) and a model's details, as `discover`
/// reads them: each valid entry's summary is taken as its own details too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let catalogue = try? JSONSerialization.jsonObject(with: Data(bytes: data, count: size)) else { return 0 }
    for case .success(let entry) in ModelZooHub.entries(catalogue: catalogue, hub: "modelzoo") ?? [] {
        _ = ModelZooHub.package(hub: "modelzoo", slug: entry.slug, merged: entry.summary)
    }
    if let details = catalogue as? [String: Any], let link = details["link"] as? String {
        _ = ModelZooHub.repositoryURL(link)
    }
    return 0
}
