import Foundation
import SedimentGit
import SedimentHTTP
import SedimentStore

extension LFSFetcher {
    /// Basic credentials for the LFS server, sent only to the repository's own origin: the
    /// same scheme, host and port (``HTTPOrigin``). An `.lfsconfig` naming another port, or
    /// `http` for an `https` repository (the credentials would travel in clear), is asked
    /// without them. A repository reached over `git://` or ssh has no web origin to compare,
    /// so its derived endpoint gets no credentials either.
    static func authorization(_ credentials: GitCredentials?, endpoint: LFSEndpoint, repositoryURL: String) -> String? {
        guard let credentials, let password = credentials.password,
              let lfsOrigin = HTTPOrigin(url: endpoint.batchURL),
              let repositoryOrigin = HTTPOrigin(url: repositoryURL), lfsOrigin == repositoryOrigin else { return nil }
        return "Basic " + Data("\(credentials.username):\(password)".utf8).base64EncodedString()
    }
}
