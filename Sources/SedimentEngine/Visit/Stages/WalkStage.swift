import Foundation
import SedimentGit
import SedimentStore

/// Step 3 of a visit: starts the ``HistoryWalk`` of the commits reachable from the new tips,
/// hiding every tip archived before (and every lost one), on its own thread while the visit
/// builds manifests.
struct WalkStage {
    let mirror: String

    func start(tips: [ObjectID], archived: [String: String], previouslyLost: [LostRef]) -> BackgroundWork<[CommitRecord]> {
        let walk = HistoryWalk(mirror: mirror, tips: tips,
                               hidden: archived.values.compactMap(ObjectID.init(hex:)) + previouslyLost.compactMap { ObjectID(hex: $0.target) })
        return BackgroundWork(name: "sediment-walk") { try walk.run() }
    }
}
