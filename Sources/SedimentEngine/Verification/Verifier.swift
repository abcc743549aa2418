import Foundation
import SedimentGit
import SedimentStore

/// Checks an archive: SQLite's integrity check; the blob store's own structure (every pack
/// read whole, or a random share of them: its name, trailer and every blob in it; packs the
/// index does not know); every stored blob, LFS object and manifest re-hashed
/// against its id (all of them, or a random share), and its size compared with the size the
/// catalog records for it (content is known by hash *and* size); every manifest entry the catalog says is
/// stored present; every catalog reference resolved (snapshot → manifest, commit → parents);
/// every archived tip and lost ref present in its mirror.
public struct Verifier {
    public let archive: Archive

    public init(archive: Archive) {
        self.archive = archive
    }

    public struct Report: Sendable {
        public var problems: [Damage] = []
        public var blobsChecked = 0
        public var manifestsChecked = 0
        public var referencesChecked = 0
        public var packsChecked = 0
        /// Packs on disk the index does not know (a crash before indexing): not damage, but
        /// their blobs are invisible until `sediment rebuild-index` adopts them.
        public var unindexedPacks: [ContentID] = []
        public var damaged: Bool { !problems.isEmpty }
    }

    /// Runs the checks; `sample` is the share (0–100] of blobs and manifests re-hashed.
    public func verify(sample: Double = 100, progress: (String) -> Void = { _ in }) throws -> Report {
        var report = Report()
        let catalog = archive.catalog
        let integrity = try catalog.integrityCheck()
        if integrity != ["ok"] {
            report.problems += integrity.map { Damage(kind: .catalog, condition: .corrupt, message: "catalog: \($0)") }
        }
        let picked = { (_: ContentID) in sample >= 100 || Double.random(in: 0..<100) < sample }

        // Manifests: present, intact, parseable; their stored entries present.
        progress("checking manifests")
        let storedBlobs = Set(try catalog.storedBlobIDs())
        let blobSizes = try catalog.storedBlobSizes()
        let lfsSizes = Dictionary(try catalog.storedLFSObjects().map { ($0.oid, $0.size) }, uniquingKeysWith: { a, _ in a })
        var users: [ContentID: [String]] = [:]   // blob → "package: path" that use it
        let manifests = try catalog.manifestUsers()
        for manifest in manifests where picked(manifest.id) {
            report.manifestsChecked += 1
            let who = manifest.packages.isEmpty ? "commit \(manifest.commit.prefix(12))" : manifest.packages.joined(separator: ", ")
            let data: Data
            do {
                data = try archive.blobs.get(manifest.id)
            } catch {
                report.problems.append(Damage(kind: .manifest, condition: Self.condition(error), id: manifest.id,
                                              message: "manifest \(manifest.id.hex) (\(who)): \(error)"))
                continue
            }
            guard let parsed = try? Manifest.parse(data) else {
                report.problems.append(Damage(kind: .manifest, condition: .invalid, id: manifest.id,
                                              message: "manifest \(manifest.id.hex) (\(who)): not a manifest"))
                continue
            }
            for entry in parsed.entries {
                if let sha = entry.sha256, storedBlobs.contains(sha) {
                    users[sha, default: []].append("\(who): \(entry.path)")
                }
                if let oid = entry.lfsOID, lfsSizes[oid] != nil {
                    users[oid, default: []].append("\(who): \(entry.path) (LFS object)")
                }
            }
        }

        // Blobs and LFS objects: present and intact (re-hashed in chunks: objects may be huge).
        progress("re-hashing blobs")
        for id in storedBlobs.union(lfsSizes.keys).sorted() where picked(id) {
            report.blobsChecked += 1
            do {
                try archive.blobs.check(id)
            } catch {
                report.problems.append(Damage(kind: storedBlobs.contains(id) ? .blob : .lfsObject, condition: Self.condition(error), id: id,
                                              lfsSize: lfsSizes[id], message: "\(error)", usedBy: users[id] ?? []))
                continue
            }
            // Intact content whose size is not the one the catalog records: the record is false
            // (an LFS pointer's size taken on trust), and so is what it claims is archived.
            guard let actual = archive.blobs.size(of: id) else { continue }
            if let recorded = blobSizes[id], recorded != actual {
                report.problems.append(Damage(kind: .blob, condition: .invalid, id: id,
                                              message: "blob \(id.hex) has \(actual) bytes, but the catalog records \(recorded)",
                                              usedBy: users[id] ?? []))
            }
            if let recorded = lfsSizes[id], recorded != actual {
                report.problems.append(Damage(kind: .lfsObject, condition: .invalid, id: id, lfsSize: recorded,
                                              message: "LFS object \(id.hex) has \(actual) bytes, but the catalog records it as stored with \(recorded): "
                                                + "a pointer's false size was taken for it, and the pointers of that size have no object",
                                              usedBy: users[id] ?? []))
            }
        }

        // The store's own structure: packs read whole, each blob in them hashed. A damaged
        // blob found here and already reported above is not reported twice.
        progress("checking packs")
        let storage = try archive.blobs.checkStorage(share: sample) { n, total in progress("checking packs (\(n)/\(total))") }
        report.packsChecked = storage.checked
        report.unindexedPacks = storage.unindexed
        let reported = Set(report.problems.compactMap(\.id))
        let manifestIDs = Set(manifests.map(\.id))
        for problem in storage.problems where problem.blob.map({ !reported.contains($0) }) ?? true {
            let kind: Damage.Kind = problem.blob.map { blob in
                manifestIDs.contains(blob) ? .manifest : storedBlobs.contains(blob) ? .blob : lfsSizes[blob] != nil ? .lfsObject : .pack
            } ?? .pack
            report.problems.append(Damage(kind: kind, condition: .corrupt, id: problem.blob, lfsSize: problem.blob.flatMap { lfsSizes[$0] },
                                          message: "\(problem)", usedBy: problem.blob.flatMap { users[$0] } ?? []))
        }

        // References inside the catalog, and into the mirrors.
        progress("checking references")
        report.problems += try catalog.danglingReferences().map { Damage(kind: .reference, condition: .dangling, message: $0) }
        for repository in try catalog.mirrorReferences() {
            let folder = archive.mirrorFolder(repository.mirror)
            guard let mirror = try? Repository.open(at: folder) else {
                // In a fleet each worker holds the mirrors of the repositories it visited.
                let elsewhere = archive.isFleet && !FileManager.default.fileExists(atPath: folder)
                if !repository.refs.isEmpty && !elsewhere {
                    report.problems.append(Damage(kind: .mirror, condition: .missing,
                                                  message: "mirror \(repository.mirror) of \(repository.url) is missing or unreadable"))
                }
                continue
            }
            for ref in repository.refs {
                report.referencesChecked += 1
                guard let id = ObjectID(hex: ref.target), mirror.contains(id) else {
                    report.problems.append(Damage(kind: .mirror, condition: .dangling,
                                                  message: "mirror \(repository.mirror): \(ref.name) points at \(ref.target), which the mirror does not hold"))
                    continue
                }
            }
        }
        return report
    }

    /// How a blob store error says the content is damaged.
    static func condition(_ error: Error) -> Damage.Condition {
        switch error as? BlobStoreError {
        case .missing: return .missing
        case .corrupt, .damagedPack, .undecodable: return .corrupt
        default: return .unreadable
        }
    }
}
