import Foundation
import SedimentGit
import SedimentStore

/// Step 3 of a visit: starts the ``HistoryWalk`` of the commits reachable from the new tips,
/// hiding every tip archived before (and every lost one), on a thread of the ``BlockingPool``
/// while the visit builds manifests.
struct WalkStage {
    let mirror: String

    func start(tips: [ObjectID], archived: [String: String], previouslyLost: [LostRef]) -> BlockingJob<[CommitRecord]> {
        let walk = HistoryWalk(mirror: mirror, tips: tips,
                               hidden: archived.values.compactMap(ObjectID.init(hex:)) + previouslyLost.compactMap { ObjectID(hex: $0.target) })
        return BlockingJob { try walk.run() }
    }
}
