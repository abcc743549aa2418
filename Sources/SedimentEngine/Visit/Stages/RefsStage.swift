import Foundation
import SedimentGit
import SedimentStore

/// After the fetch: keeps every rewritten or deleted tip as a lost ref, drops refs gone
/// upstream from the mirrored namespace, and chooses the package's head and its refs.
/// Only reads and writes refs of the mirror.
struct RefsStage {
    let repository: Repository

    struct Output {
        /// Tips upstream rewrote or deleted, kept under `refs/sediment/lost/`.
        var lost: [LostRef]
        /// The branch that is the package's head.
        var headRef: String?
    }

    /// `archived` is what the catalog archived (not the mirror's refs, which an interrupted
    /// visit may already have moved); `branch` is the branch the hub names for the package.
    func run(fetch: FetchResult, archived: [String: String], patterns: RefPatterns, branch: String?, at now: Date) throws -> Output {
        let lost = try keepLost(fetch: fetch, archived: archived, at: now)
        // Refs gone upstream leave the mirror's mirrored namespace (kept above as lost refs).
        for (name, _) in try repository.references(prefixes: ["refs/"]) where patterns.matches(name) && fetch.remoteRefs[name] == nil {
            try repository.deleteReference(name)
        }

        // The head: the branch the hub names for the package, else the one the remote's HEAD
        // names, else main, master, or the first branch.
        let branches = fetch.remoteRefs.keys.filter { $0.hasPrefix("refs/heads/") }.sorted()
        let headRef = [branch.map { "refs/heads/" + $0 }, fetch.defaultBranch, "refs/heads/main", "refs/heads/master"]
            .compactMap { $0 }.first { fetch.remoteRefs[$0] != nil } ?? branches.first
        // The mirror's HEAD follows the remote's (packages sharing a mirror may have other heads).
        if let mirrorHead = fetch.defaultBranch.flatMap({ fetch.remoteRefs[$0] != nil ? $0 : nil }) ?? headRef {
            try repository.setHead(mirrorHead)
        }
        return Output(lost: lost, headRef: headRef)
    }

    /// Every archived tip the fetch rewrote (not fast-forward) or deleted, kept in the mirror.
    private func keepLost(fetch: FetchResult, archived: [String: String], at now: Date) throws -> [LostRef] {
        var lost: [LostRef] = []
        for (name, old) in archived.sorted(by: { $0.key < $1.key }) {
            let new = fetch.remoteRefs[name]
            guard new?.hex != old else { continue }
            guard let oldID = ObjectID(hex: old) else { continue }
            if let new {
                let oldCommit = repository.peelToCommit(oldID), newCommit = repository.peelToCommit(new)
                if let oldCommit, let newCommit, repository.isDescendant(newCommit, of: oldCommit) { continue }
                if oldCommit == nil && newCommit == nil && !name.hasPrefix("refs/tags/") { continue }
            }
            let archivedAs = "refs/sediment/lost/\(old)/\(name.dropFirst("refs/".count))"
            try repository.setReference(archivedAs, to: oldID, message: "sediment: keep \(name) lost upstream")
            lost.append(LostRef(name: name, archivedAs: archivedAs, target: old, replacedBy: new?.hex,
                                reason: new == nil ? "deleted" : "forced", lostAt: now))
        }
        return lost
    }

    /// A package in a subpath of a shared repository: its head is the last commit that
    /// touched the subpath, and its refs are just that head (other packages' commits are
    /// not its changes).
    func refs(of scope: PackageScope, package: String, fetch: FetchResult, headRef: String?) throws -> [String: ObjectID] {
        guard scope.isNarrowed else { return fetch.remoteRefs }
        let what = scope.isWholeSubpath ? scope.subpath : "a file of \(package)"
        guard let headRef, let branchHead = fetch.remoteRefs[headRef].flatMap(repository.peelToCommit) else {
            throw VisitError.notFound("the repository has no branch to hold \(what)")
        }
        guard let subpathHead = try repository.lastCommit(touching: scope.treeSelection, from: branchHead) else {
            throw VisitError.notFound("no \(what) is in the repository at \(headRef) (\(branchHead.short))")
        }
        return [headRef: subpathHead]
    }
}
