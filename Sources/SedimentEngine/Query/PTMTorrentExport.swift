import Foundation
import SedimentStore

/// The PTMTorrent dataset's uniform record (`ptmtorrent-ptmtorrent.schema.json`), one JSON
/// array per hub in `<hub>.json`. Mapping (from the PTMTorrent tools): `LatestGitCommitSHA`
/// is the package's archived head (for Hugging Face, the API's `sha` is that head);
/// `ModelTask` the pipeline tag; `ModelArchitecture` `config.json`'s `model_type`;
/// `ModelPaperDOIs` the hub tags containing `doi:`; `Datasets` the card's datasets.
struct PTMTorrentExport {
    let archive: Archive
    /// The configured hubs: where each is, for the records' `hub` location.
    let hubs: [Configuration.Hub]

    func write(to folder: String) throws -> [(file: String, records: Int)] {
        var written: [(String, Int)] = []
        let packages = try archive.catalog.packages()
        for (hub, members) in Dictionary(grouping: packages, by: \.hub).sorted(by: { $0.key < $1.key }) {
            var records: [[String: Any]] = []
            for (index, package) in members.enumerated() {
                records.append(try record(package, index: index + 1))
            }
            let path = folder + "/\(hub).json"
            let data = try JSONSerialization.data(withJSONObject: records, options: [.prettyPrinted, .sortedKeys])
            try FileError.wrap("write the export file", path: path) { try data.write(to: URL(fileURLWithPath: path), options: .atomic) }
            written.append((path, records.count))
        }
        return written
    }

    private func record(_ package: PackageRecord, index: Int) throws -> [String: Any] {
        let facts = try archive.catalog.ptmtorrentFacts(package: package.rowID)
        let metadata = facts.metadata.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        let kind = try? HubKinds.named(facts.kind)
        // A `git` hub is a list of repositories: it has no address of its own, which the
        // record says with an empty string (the schema requires a string) rather than a guess.
        let hubURL = kind?.location(of: hubs.first { $0.name == package.hub }) ?? ""
        let parts = package.id.split(separator: "/").map(String.init)
        let owner: String
        let name: String
        if kind?.idsAreOwnerAndName == true {
            owner = parts.count > 1 ? parts.dropLast().joined(separator: "/") : ""
            name = parts.last ?? package.id
        } else {
            owner = repositoryOwner(package.repository) ?? ""
            name = package.id
        }
        let modelURL = package.repository ?? (hubURL.isEmpty ? "" : hubURL + "/" + package.id)
        var record: [String: Any] = [
            "id": index,
            "ModelHub": ["ModelHubName": kind?.displayName ?? facts.kind, "ModelHubURL": hubURL,
                         "MetadataFilePath": facts.metadata == nil ? "" : "visit_metadata", "MetadataObjectID": Int(package.rowID)],
            "ModelName": name, "ModelOwner": owner, "ModelURL": modelURL,
            "ModelOwnerURL": ownerURL(owner: owner, repository: package.repository, hubURL: hubURL, isGitList: facts.kind == "git"),
            "LatestGitCommitSHA": facts.head ?? (metadata["sha"] as? String) ?? "",
        ]
        let datasets = facts.datasets.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [Any] }?.compactMap { $0 as? String } ?? []
        if !datasets.isEmpty {
            // Card datasets are Hugging Face dataset ids only on Hugging Face; elsewhere a
            // name's address is unknown.
            let onHuggingFace = facts.kind == "huggingface"
            record["Datasets"] = datasets.map { dataset -> [String: Any] in
                let pieces = dataset.split(separator: "/").map(String.init)
                let datasetOwner = pieces.count > 1 ? pieces[0] : ""
                guard onHuggingFace else {
                    return ["DatasetName": pieces.last ?? dataset, "DatasetOwner": datasetOwner, "DatasetURL": "", "DatasetOwnerURL": ""]
                }
                let site = hubURL.isEmpty ? "https://huggingface.co" : hubURL
                return ["DatasetName": pieces.last ?? dataset, "DatasetOwner": datasetOwner,
                        "DatasetURL": "\(site)/datasets/\(dataset)",
                        "DatasetOwnerURL": datasetOwner.isEmpty ? "\(site)/datasets" : "\(site)/\(datasetOwner)"]
            }
        }
        let dois = ((metadata["tags"] as? [Any]) ?? []).compactMap { $0 as? String }.filter { $0.contains("doi:") }
        if !dois.isEmpty { record["ModelPaperDOIs"] = dois }
        if let task = (metadata["pipeline_tag"] as? String) ?? facts.task ?? (metadata["task_extended"] as? String) ?? (metadata["category"] as? String) {
            record["ModelTask"] = task
        }
        if let architecture = facts.modelType { record["ModelArchitecture"] = architecture }
        return record
    }

    /// The owner's page: the hub's (or an http(s) repository host's) `/OWNER`. A plain git
    /// repository's owner has a known page only on a forge that has owner pages (GitHub,
    /// GitLab, Bitbucket, Hugging Face); elsewhere (another host, git://, ssh, a local path)
    /// it is unknown (empty).
    private func ownerURL(owner: String, repository: String?, hubURL: String, isGitList: Bool) -> String {
        let web = repository.flatMap { URL(string: $0) }.flatMap { url -> String? in
            guard let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = url.host else { return nil }
            return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        }
        if isGitList {
            let forges: Set<String> = ["github.com", "gitlab.com", "bitbucket.org", "huggingface.co"]
            guard let web, let host = URL(string: web)?.host?.lowercased(), forges.contains(host) else { return "" }
            return owner.isEmpty ? web : web + "/" + owner
        }
        let base = web ?? hubURL
        return owner.isEmpty || base.isEmpty ? base : base + "/" + owner
    }

    private func repositoryOwner(_ repository: String?) -> String? {
        guard let repository, let url = URL(string: repository) else { return nil }
        return url.path.split(separator: "/").first.map(String.init)
    }
}
