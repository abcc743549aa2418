import Foundation
import SedimentGit
import SedimentNetwork

/// Problems of a visit that are not libgit2's.
enum VisitError: CodedFailure, CustomStringConvertible {
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

    var code: FailureCode {
        switch self {
        case .noRepository: return .other
        case .notFound: return .notFound
        case .gated: return .gated
        case .deadline: return .timeout
        }
    }
}
