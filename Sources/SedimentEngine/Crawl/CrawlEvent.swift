import Foundation
import SedimentGit

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
