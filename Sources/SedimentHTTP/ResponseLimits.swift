import Foundation

/// What a response is, so that its body gets the bound of its kind (``ResponseLimits``)
/// rather than the client's general ``HTTPClient/Configuration/maxBodyBytes``.
public enum ResponseKind: Sendable, Equatable {
    /// A hub API answer read whole: a listing page, one model's entry, a catalogue.
    case listing
    /// A Git LFS batch API answer.
    case batch

    /// The kind in an error: "a listing page".
    public var noun: String {
        switch self {
        case .listing: return "a listing page"
        case .batch: return "an LFS batch answer"
        }
    }

    /// The setting that bounds it, as the configuration names it.
    public var setting: String {
        switch self {
        case .listing: return "limits.listing_bytes"
        case .batch: return "limits.batch_bytes"
        }
    }
}

/// The bounds of the answers read whole into memory, by kind, after decompression: far below
/// ``HTTPClient/Configuration/maxBodyBytes``, since a few hundred kilobytes of gzip can expand
/// to hundreds of megabytes, and the JSON decoded from them is larger still.
public struct ResponseLimits: Sendable, Equatable {
    /// The largest listing page, model entry or catalogue, in bytes (`limits.listing_bytes`).
    /// A Hugging Face page of 1,000 models with their card data is a few megabytes.
    public var listingBytes: Int = 32 << 20
    /// The largest LFS batch answer, in bytes (`limits.batch_bytes`); one answers at most
    /// ``LFSClient/batchSize`` objects.
    public var batchBytes: Int = 8 << 20
    /// What the JSON of those answers may hold (`limits.json_values`).
    public var json = BoundedJSON.Limits()

    public init() {}

    public func bytes(for kind: ResponseKind) -> Int {
        switch kind {
        case .listing: return listingBytes
        case .batch: return batchBytes
        }
    }
}
