import Foundation
import SedimentGit
import SedimentNetwork

extension Configuration {
    /// The limits of one git transfer: `[http] connect_timeout` and `stall_timeout`, and the
    /// visit's `deadline` (from `[daemon] visit_timeout`) when there is one.
    /// `addressPolicy` keeps a URL from hub data from internal addresses (see ``addressPolicy(forHubURL:)``).
    public func transferLimits(deadline: Date? = nil, addressPolicy: AddressPolicy? = nil) -> TransferLimits {
        TransferLimits(connectTimeout: http.connectTimeout, stallTimeout: http.stallTimeout, deadline: deadline, addressPolicy: addressPolicy)
    }
}
