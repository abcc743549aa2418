import Foundation
import SedimentGit
import SedimentHTTP
import SedimentStore

extension LFSFetcher {
    /// Downloads `objects` again from the LFS server of the repository at `repositoryURL`
    /// (after `[[rewrite]]` rules; `configuredURL` is its `.lfsconfig`'s `lfs.url`), for
    /// `verify --repair`: the blob store already names them, but their files are damaged or
    /// gone. Each is checked against its oid as it arrives and renamed over whatever file held
    /// the id (``PartialBlob/complete()``), so nothing unchecked is ever stored. The catalog
    /// already records them as stored and is left as it is; the policy is not consulted.
    ///
    /// Returns why each object that could not be restored failed, by oid.
    func restore(_ objects: [(oid: ContentID, size: Int64)], repositoryURL: String, configuredURL: String?,
                 credentials: GitCredentials?) -> [ContentID: String] {
        var failures: [ContentID: String] = [:]
        guard !objects.isEmpty else { return failures }
        guard var endpoint = configuredURL.map(LFSEndpoint.init(url:)) ?? LFSEndpoint.derived(from: repositoryURL) else {
            for object in objects {
                failures[object.oid] = "the repository \(GitURL.redacted(repositoryURL)) is a local path: there is no LFS server to ask"
            }
            return failures
        }
        endpoint.addressPolicy = options.network.addressPolicy(forHubURL: endpoint.url)
        let authorization = Self.authorization(credentials, endpoint: endpoint, repositoryURL: repositoryURL)
        let answers: [LFSBatchAnswer]
        do {
            answers = try client.batch(objects.map { LFSObjectRequest(oid: $0.oid.hex, size: $0.size) }, endpoint: endpoint, authorization: authorization)
        } catch {
            for object in objects { failures[object.oid] = "\(error)" }
            return failures
        }
        let byOID = Dictionary(answers.map { ($0.oid, $0) }, uniquingKeysWith: { a, _ in a })
        for object in objects {
            guard let answer = byOID[object.oid.hex] else {
                failures[object.oid] = "the LFS server \(LFSClient.shown(endpoint.url)) did not answer for the object"
                continue
            }
            guard let action = answer.action else {
                let code = answer.error?.code ?? 0
                failures[object.oid] = "the LFS server \(LFSClient.shown(endpoint.url)) answered \(code) for the object: \(answer.error?.message ?? "no download action")"
                continue
            }
            do {
                let record = LFSPendingRecord(oid: object.oid, size: object.size, path: "")
                _ = try download(record, action: action, endpoint: endpoint, authorization: authorization, seal: false)
            } catch {
                failures[object.oid] = "\(error)"
            }
        }
        return failures
    }
}
