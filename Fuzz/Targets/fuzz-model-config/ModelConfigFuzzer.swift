import Foundation
import SedimentMetadata

/// A package's `config.json`, and the fields observed from it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let config = Data(bytes: data, count: size)
    if let fields = ModelConfig(config).fields {
        _ = JSONCompatible.object(fields).json
    }
    _ = ObservationExtractor.observe(manifest: nil, card: nil, config: config, hubMetadata: nil)
    return 0
}
