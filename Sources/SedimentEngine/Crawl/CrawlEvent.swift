import Foundation
import SedimentGit
import SedimentHubs
import SedimentStore

/// What a crawl reports while it runs, for progress displays and logs.
public enum CrawlEvent: Sendable {
    /// The packages to visit are known.
    case planned(total: Int)
    /// A hub entry could not become a package.
    case problem(String)
    case visitStarted(package: String)
    case fetchProgress(package: String, FetchProgress)
    case visitFinished(VisitOutcome, done: Int, total: Int)
}

/// Raised to stop a crawl (Ctrl-C on `sync`, SIGTERM on the daemon).
public typealias CancellationFlag = SedimentGit.CancellationFlag

/// Decides which listed packages a crawl visits, and hears how each recorded visit ended.
/// `visited` is called on the visiting threads, several at once.
public protocol CrawlSchedule: AnyObject, Sendable {
    func isDue(_ package: PackageRecord, _ ref: PackageRef) -> Bool
    func visited(_ package: PackageRecord, _ ref: PackageRef, _ outcome: VisitOutcome)
}

/// Errors of a crawl as a whole (not of one visit).
public enum CrawlError: Error, CustomStringConvertible {
    case unknownPackages([String])

    public var description: String {
        switch self {
        case .unknownPackages(let names): return "no configured hub lists \(names.joined(separator: ", "))"
        }
    }
}
