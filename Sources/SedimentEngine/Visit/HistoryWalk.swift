import Foundation
import SedimentGit
import SedimentStore

/// Step 3 of a visit: the commits reachable from the new tips and not from any tip archived
/// before, each with the files it changed. It opens its own handle on the mirror, so it can
/// run on a thread of the ``BlockingPool`` while the visit builds manifests (both only read the mirror).
public struct HistoryWalk: Sendable {
    let mirror: String
    let tips: [ObjectID]
    let hidden: [ObjectID]

    public init(mirror: String, tips: [ObjectID], hidden: [ObjectID]) {
        self.mirror = mirror
        self.tips = tips
        self.hidden = hidden
    }

    public func run() throws -> [CommitRecord] {
        let repository = try Repository.open(at: mirror)
        let infos = try repository.commits(from: tips, hiding: hidden)
        let reader = try ChangeReader(repository)
        var commits: [CommitRecord] = []
        commits.reserveCapacity(infos.count)
        for info in infos {
            // The diff reads only the folders whose ids changed (the parent's, read by the
            // previous diff, are kept), and fails a hostile tree deeper than
            // Repository.maximumTreeDepth as it reaches that depth.
            let changes = try reader.changes(of: info).map {
                ChangeRecord(status: $0.status.rawValue, oldPath: $0.oldPath, newPath: $0.newPath, oldBlob: $0.oldID?.hex,
                             newBlob: $0.newID?.hex, oldMode: $0.oldMode.map(Int.init), newMode: $0.newMode.map(Int.init))
            }
            commits.append(CommitRecord(
                id: info.id.hex, tree: info.tree.hex, parents: info.parents.map(\.hex),
                authorName: info.author.name, authorEmail: info.author.email, authorTime: info.author.time,
                authorOffset: Int(info.author.offsetMinutes), committerName: info.committer.name,
                committerEmail: info.committer.email, committerTime: info.committer.time,
                committerOffset: Int(info.committer.offsetMinutes), message: info.message, changes: changes))
        }
        return commits
    }
}
