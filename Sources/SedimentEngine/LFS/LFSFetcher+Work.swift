import Foundation
import SedimentGit
import SedimentHTTP
import SedimentStore

/// What a visit asks of the LFS fetcher, what it reports back, and why it stops.
extension LFSFetcher {
    /// What one visit asks for.
    struct Work {
        var package: Int64
        /// Manifests to take pointers from: already in memory, and by id from the blob store.
        var manifests: [Manifest] = []
        var manifestIDs: [ContentID] = []
        /// The repository URL after `[[rewrite]]` rules.
        var repositoryURL: String
        /// `lfs.url` of the repository's `.lfsconfig` at the head, after `[[rewrite]]` rules;
        /// read only when there is something to download.
        var configuredURL: () -> String? = { nil }
        var credentials: GitCredentials?
        /// The visit's deadline (`daemon.visit_timeout`): downloads stop when it passes, and
        /// what is not stored stays pending.
        var deadline: Date? = nil
    }

    /// What it did.
    struct Report: Sendable {
        var stored = 0
        var storedBytes: Int64 = 0
        /// Wanted objects found in the store without a download.
        var deduplicated = 0
        /// Objects the package still waits for.
        var pending = 0
        var problems: [String] = []
        /// The daemon stopped the downloads before they were done.
        var cancelled = false
    }

    /// The daemon is stopping: not a failure of the object.
    struct Cancelled: Error, CustomStringConvertible {
        var description: String { "cancelled: sediment is stopping" }
    }

    /// The visit's deadline passed: the objects not stored yet wait for the next visit.
    struct DeadlinePassed: Error, CustomStringConvertible {
        var limit: TimeInterval
        var description: String {
            "timed out (LFS object): the visit took longer than daemon.visit_timeout (\(TransferTimeout.format(limit))); the objects not stored yet stay pending"
        }
    }
}
