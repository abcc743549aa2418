import Foundation
import SedimentHTTP

/// An index file that lists a hub's packages as one JSON array (Modelhub's `models.json`,
/// the ONNX Model Zoo's `ONNX_HUB_MANIFEST.json`).
enum IndexDocument {
    /// The entries of `data`, read within `limits`; a file over a limit or not an array fails
    /// the hub's listing with an error naming `file`.
    static func entries(of data: Data, file: String, hub: String, limits: BoundedJSON.Limits) throws -> [Any] {
        let decoded: Any?
        do {
            decoded = try BoundedJSON.parse(data, limits: limits)
        } catch let refusal as BoundedJSON.Refusal {
            throw HubError(hub: hub, problem: "\(file) \(refusal.problem)")
        }
        guard let entries = decoded as? [Any] else {
            throw HubError(hub: hub, problem: "\(file) is not a JSON array")
        }
        return entries
    }
}
