import Foundation
import SedimentHubs
import SedimentStore

/// Step 1 of a visit: whether git can be skipped. It can when the hub allows it
/// (`skip_unchanged`) and reports the head that the package's last snapshot archived.
struct SkipStage {
    let hub: Configuration.Hub

    /// Whether the package at `last` is unchanged by what the hub reported in `ref`.
    func skips(_ ref: PackageRef, last: SnapshotRecord?) -> Bool {
        guard hub.skipUnchanged, let reported = ref.reportedHead, let last else { return false }
        return last.head == reported && last.headRef != nil
    }
}
