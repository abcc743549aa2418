import Foundation
import SedimentGit

/// Problems of a visit that are not libgit2's.
enum VisitError: Error, CustomStringConvertible {
    case noRepository(String)
    case notFound(String)
    case gated(String, credentials: Bool, detail: String)
    /// The visit's deadline (`daemon.visit_timeout`) passed while it waited on `url`.
    case deadline(url: String, phase: String, limit: TimeInterval)

    var description: String {
        switch self {
        case .noRepository(let name): return "\(name) has no repository to fetch"
        case .notFound(let what): return what
        case .gated(let name, let credentials, let detail):
            return credentials
                ? "\(name) is gated and the configured token was refused (\(detail)); accept the model's conditions on the hub with that account"
                : "\(name) is gated: the hub requires an access token (set token_file or token_env for this hub)"
        case .deadline(let url, let phase, let limit):
            return "timed out (\(phase)): the visit took longer than daemon.visit_timeout (\(TransferTimeout.format(limit))) while fetching \(url); abandoned"
        }
    }
}
