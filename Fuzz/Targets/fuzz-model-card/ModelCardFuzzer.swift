import Foundation
import SedimentMetadata

/// A package's `README.md`: the model card, its front matter, and the fields observed from it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let card = Data(bytes: data, count: size)
    _ = ModelCard(card)
    _ = ObservationExtractor.observe(manifest: nil, card: card, config: nil, hubMetadata: nil)
    return 0
}
