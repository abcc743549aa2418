import Foundation
import SedimentGit
import SedimentHTTP
import SedimentStore

/// Step 7 of a visit, with `lfs = "fetch"`: after the git archive is recorded, the LFS
/// objects the package's manifests point at are downloaded. Their failures are recorded per
/// object, never failing the visit.
struct LFSStage {
    let fetcher: LFSFetcher
    let network: NetworkOptions

    /// The work of a visit that skipped git: objects still pending from earlier visits are
    /// tried again, from the manifest archived last.
    func pendingWork(_ target: Visitor.Target, manifest: ContentID?, head: String?, mirror folder: String, deadline: Date) -> LFSFetcher.Work {
        let head = head.flatMap(ObjectID.init(hex:))
        return LFSFetcher.Work(package: target.package.rowID, manifestIDs: manifest.map { [$0] } ?? [],
                               repositoryURL: network.rewrite(target.ref.repository),
                               configuredURL: { (try? Repository.open(at: folder)).flatMap { configuredURL($0, head: head) } },
                               credentials: target.credentials, deadline: deadline)
    }

    /// The work of a visit through git: the manifests it built (in memory), and the head's
    /// manifest when an earlier visit built it.
    func work(_ target: Visitor.Target, manifests: ManifestStage.Output, headManifest: ContentID?, repository: Repository, head: ObjectID?,
              url: String, deadline: Date) -> LFSFetcher.Work {
        let fresh = Set(manifests.records.map(\.id))
        return LFSFetcher.Work(package: target.package.rowID, manifests: manifests.records.compactMap { manifests.built[$0.id] },
                               manifestIDs: headManifest.map { fresh.contains($0) ? [] : [$0] } ?? [],
                               repositoryURL: url, configuredURL: { configuredURL(repository, head: head) },
                               credentials: target.credentials, deadline: deadline)
    }

    /// Downloads what `work` wants, and says so in `outcome`.
    func run(_ work: LFSFetcher.Work, outcome: inout VisitOutcome) {
        let t = Date()
        let report = fetcher.run(work)
        outcome.timings.append(("lfs", Date().timeIntervalSince(t)))
        outcome.lfsStored = report.stored
        outcome.lfsStoredBytes = report.storedBytes
        outcome.lfsDeduplicated = report.deduplicated
        outcome.lfsPending = report.pending
        outcome.lfsProblems = report.problems
        // Stopped mid-download: the package stays due, so the next start resumes them.
        outcome.interrupted = report.cancelled
    }

    /// The `lfs.url` that the repository's `.lfsconfig` names at `head`, after `[[rewrite]]` rules.
    private func configuredURL(_ repository: Repository, head: ObjectID?) -> String? {
        guard let head, let data = try? repository.readFile(".lfsconfig", at: head),
              let url = LFSEndpoint.configuredURL(lfsconfig: String(decoding: data, as: UTF8.self)) else { return nil }
        return network.rewrite(url)
    }
}
