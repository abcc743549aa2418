import Foundation
import SedimentMetadata
import SedimentGit
import SedimentNetwork
import SedimentHTTP

extension Configuration {
    /// How much Sediment reads into memory of what servers and repositories send (`[limits]`):
    /// each answer or index file is read whole, so each is bounded, by kind, far below what
    /// would exhaust memory.
    public struct Limits: Sendable {
        /// The largest hub API answer (a listing page, a model's entry, a catalogue), in bytes
        /// after decompression (`listing_bytes`).
        public var listingBytes: Int = ResponseLimits().listingBytes
        /// The largest Git LFS batch answer, in bytes after decompression (`batch_bytes`).
        public var batchBytes: Int = ResponseLimits().batchBytes
        /// The largest index file read from an index repository (`models.json`,
        /// `ONNX_HUB_MANIFEST.json`; the PyTorch Hub cards together), in bytes (`index_bytes`).
        public var indexBytes: Int = 64 << 20
        /// The most values one JSON document (an answer, an index file) may hold
        /// (`json_values`); every entry is at least one, so this bounds the entries too.
        public var jsonValues: Int = BoundedJSON.Limits().maxValues
        /// The largest card front matter read, in bytes (`card_bytes`); a larger one is unparseable.
        public var cardBytes: Int = ObservationExtractor.Limits().cardBytes
        /// The largest `config.json` read, in bytes (`config_bytes`); a larger one is unparseable.
        public var configBytes: Int = ObservationExtractor.Limits().configBytes

        /// The bounds of the files an observation reads.
        public var files: ObservationExtractor.Limits { ObservationExtractor.Limits(cardBytes: cardBytes, configBytes: configBytes) }

        public init() {}

        /// The limits of the HTTP client's answers.
        public var responses: ResponseLimits {
            var limits = ResponseLimits()
            limits.listingBytes = listingBytes
            limits.batchBytes = batchBytes
            limits.json.maxValues = jsonValues
            return limits
        }
    }

    /// The limits of one git transfer: `[http] connect_timeout` and `stall_timeout`, and the
    /// visit's `deadline` (from `[daemon] visit_timeout`) when there is one.
    /// `addressPolicy` keeps a URL from hub data from internal addresses (see ``addressPolicy(forHubURL:)``).
    public func transferLimits(deadline: Date? = nil, addressPolicy: AddressPolicy? = nil) -> TransferLimits {
        network.transferLimits(deadline: deadline, addressPolicy: addressPolicy)
    }
}
