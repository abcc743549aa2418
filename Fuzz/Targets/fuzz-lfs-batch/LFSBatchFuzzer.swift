import Foundation
@testable import SedimentHTTP

/// A Git LFS batch API response, and an error response's message. The objects asked for are
/// two fixed oids, which seed files name so that answers reach the per-object code.
let asked = [
    LFSObjectRequest(oid: String(repeating: "a", count: 64), size: 12),
    LFSObjectRequest(oid: "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393", size: 12345),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(bytes: data, count: size)
    _ = try? LFSClient.answers(to: asked, body: body, received: Date(timeIntervalSince1970: 1_700_000_000),
                               secrets: ["secret-token"], shown: "https://lfs.example/objects/batch")
    _ = LFSClient.serverMessage(body, secrets: ["secret-token"])
    return 0
}
