import Foundation
import SedimentStore

/// `sediment-bench seed-observations CATALOG PACKAGE COUNT`: gives PACKAGE (HUB:ID or ID) COUNT
/// observations in all, each a copy of its latest, recorded as a visit of its own through
/// the catalog (as COUNT visits would leave them), so that `sediment history` can be timed
/// over a long history. Prints `observations=N`.
func seedObservations(catalogPath: String, package name: String, count: Int) throws {
    let catalog = try Catalog(path: catalogPath)
    let package = try catalog.package(named: name)
    guard let observation = try catalog.lastObservation(package: package.rowID) else {
        throw SeedError.noObservation(name)
    }
    let have = try catalog.observations(package: package.rowID).count
    let at = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    for _ in 0..<max(count - have, 0) {
        var visit = VisitRecord(packageRowID: package.rowID, repositoryRowID: nil, crawlID: nil, startedAt: at, finishedAt: at,
                                status: .full, eventful: false, error: nil)
        visit.observation = observation
        try catalog.record(visit)
    }
    print("observations=\(try catalog.observations(package: package.rowID).count)")
}

enum SeedError: Error, CustomStringConvertible {
    case noObservation(String)

    var description: String {
        switch self {
        case .noObservation(let name): return "seed-observations: package \(name) has no observation to copy; sync it first"
        }
    }
}
