import Foundation
import SedimentGit

extension Configuration {
    /// The limits of one git transfer: `[http] connect_timeout` and `stall_timeout`, and the
    /// visit's `deadline` (from `[daemon] visit_timeout`) when there is one.
    public func transferLimits(deadline: Date? = nil) -> TransferLimits {
        TransferLimits(connectTimeout: http.connectTimeout, stallTimeout: http.stallTimeout, deadline: deadline)
    }
}
