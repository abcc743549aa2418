import Foundation
import SedimentEngine
import SedimentStore

/// `sediment-bench catalog-visits LOCATION COUNT`: what the catalog costs per visit on its
/// backend. Into the empty catalog at LOCATION (`sqlite:PATH`, or an empty PostgreSQL
/// database's URL) it records COUNT first visits of as many packages (a commit changing 12
/// files, their blobs, a manifest, a snapshot, the hub's metadata and an observation, as a
/// Hugging Face model's first visit leaves them), then one unchanged visit of each (the hub
/// reported the archived head: the same metadata and observation again, no commit), and
/// prints `first_ms=… unchanged_ms=… first_bytes=… unchanged_bytes=…` per visit: the wall
/// time of the catalog's writes, and how much the database grew (tables and indexes).
func catalogVisits(location text: String, count: Int) throws {
    let location = try CatalogLocation(parsing: text)
    var catalog = try location.open()
    try catalog.registerHub(name: "hf", kind: "huggingface")
    let start = Date(timeIntervalSince1970: 1_767_225_600)
    let listed = (0..<count).map { index in
        ListedPackage(id: "org\(index % 97)/model-\(index)", repositoryURL: "https://huggingface.co/org\(index % 97)/model-\(index)",
                      mirrorPath: "huggingface.co/org\(index % 97)/model-\(index).git", scope: PackageScope(subpath: ""))
    }
    let packages = try catalog.upsertPackages(listed, hub: "hf", seenAt: start)
    let before = try databaseBytes(&catalog, location)
    let first = Date()
    for (index, package) in packages.enumerated() {
        try catalog.record(benchVisit(package, index: index, first: true, at: start.addingTimeInterval(Double(index))))
    }
    let firstSeconds = Date().timeIntervalSince(first)
    let middle = try databaseBytes(&catalog, location)
    let again = Date()
    for (index, package) in packages.enumerated() {
        try catalog.record(benchVisit(package, index: index, first: false, at: start.addingTimeInterval(86_400 + Double(index))))
    }
    let unchangedSeconds = Date().timeIntervalSince(again)
    let after = try databaseBytes(&catalog, location)
    let n = Double(count)
    print(String(format: "visits=%d first_ms=%.3f unchanged_ms=%.3f first_bytes=%.0f unchanged_bytes=%.0f",
                 count, firstSeconds * 1000 / n, unchangedSeconds * 1000 / n, Double(middle - before) / n, Double(after - middle) / n))
}

/// The database's size in bytes: SQLite's file once closed (its WAL folded in; the catalog
/// is opened again); PostgreSQL's tables, indexes and TOAST.
private func databaseBytes(_ catalog: inout Catalog, _ location: CatalogLocation) throws -> Int64 {
    switch location {
    case .sqlite(let path):
        catalog.database.close()
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        catalog = try location.open()
        return size
    case .postgres:
        return try catalog.database.readOne { db in
            try db.value(Int64.self, sql: """
                SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'
                """) ?? 0
        }
    }
}

/// A visit of `package` as a Hugging Face model's leaves it: its first (a commit of 12 files)
/// or an unchanged one (the hub reported the archived head).
private func benchVisit(_ package: PackageRecord, index: Int, first: Bool, at date: Date) -> VisitRecord {
    func hex(_ seed: String, _ length: Int) -> String { String(ContentID.of(Data(seed.utf8)).hex.prefix(length)) }
    let commit = hex("commit \(index)", 40)
    var visit = VisitRecord(packageRowID: package.rowID, repositoryRowID: package.repositoryRowID, crawlID: nil, startedAt: date,
                            finishedAt: date.addingTimeInterval(1), status: .full, eventful: first, error: nil)
    let files = ["README.md", "config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json", "tokenizer_config.json",
                 "vocab.txt", "special_tokens_map.json", "generation_config.json", ".gitattributes", "merges.txt", "training_args.bin"]
    if first {
        let blobs = files.map { name in
            BlobInfo(gitBlob: hex("blob \(index) \(name)", 40), sha256: ContentID.of(Data("\(index) \(name)".utf8)), size: 1_000 + Int64(name.count),
                     stored: !name.hasSuffix(".bin") && !name.hasSuffix(".safetensors"),
                     lfsOID: name.contains("model") ? ContentID.of(Data("lfs \(index) \(name)".utf8)) : nil, lfsSize: name.contains("model") ? 400_000_000 : nil)
        }
        visit.blobs = blobs
        visit.commits = [CommitRecord(id: commit, tree: hex("tree \(index)", 40), parents: [], authorName: "Model Author", authorEmail: "author@example.org",
                                      authorTime: 1_700_000_000, authorOffset: 60, committerName: "Model Author", committerEmail: "author@example.org",
                                      committerTime: 1_700_000_000, committerOffset: 60, message: "Upload model \(index)\n",
                                      changes: zip(files, blobs).map { ChangeRecord(status: "added", oldPath: nil, newPath: $0, oldBlob: nil, newBlob: $1.gitBlob,
                                                                                    oldMode: nil, newMode: 0o100644) })]
        visit.refTips = ["refs/heads/main": commit]
        visit.defaultBranch = "refs/heads/main"
        let state = SnapshotState(hub: "hf", package: package.id, head: commit, manifest: nil, metadata: nil, refs: visit.refTips!)
        visit.snapshot = SnapshotRecord(id: state.id, takenAt: visit.finishedAt, head: commit, headRef: "refs/heads/main", manifest: nil, refs: visit.refTips!)
    }
    visit.skippedGit = !first
    let siblings = files.map { #"{"rfilename":"\#($0)"}"# }.joined(separator: ",")
    visit.metadata = #"{"_id":"\#(hex("id \(index)", 24))","author":"org\#(index % 97)","cardData":{"datasets":["imagenet-1k"],"language":["en"],"license":"apache-2.0","pipeline_tag":"image-classification","tags":["vision","image-classification"]},"createdAt":"2024-03-01T10:00:00.000Z","downloads":\#(1000 + index),"gated":false,"id":"\#(package.id)","lastModified":"2024-06-01T10:00:00.000Z","library_name":"transformers","likes":\#(index % 50),"pipeline_tag":"image-classification","private":false,"sha":"\#(commit)","siblings":[\#(siblings)],"tags":["transformers","safetensors","vit","image-classification","vision","dataset:imagenet-1k","license:apache-2.0","region:us"]}"#
    var observation = ObservationRecord()
    observation.downloads = Int64(1000 + index)
    observation.likes = Int64(index % 50)
    observation.hubMetrics = #"{"downloads":\#(1000 + index),"likes":\#(index % 50)}"#
    observation.commitsTotal = 1
    observation.commitsNew = first ? 1 : 0
    observation.files = files.count
    observation.bytes = 800_012_345
    observation.lfsFiles = 3
    observation.lfsBytes = 800_000_000
    observation.weightFormats = #"{"pytorch":{"bytes":400000000,"files":1},"safetensors":{"bytes":400000000,"files":1}}"#
    observation.cardLicense = "apache-2.0"
    observation.cardTags = #"["vision","image-classification"]"#
    observation.cardDatasets = #"["imagenet-1k"]"#
    observation.cardLanguage = #"["en"]"#
    observation.cardPipelineTag = "image-classification"
    observation.cardLibraryName = "transformers"
    observation.cardHasModelIndex = true
    observation.cardBytes = 2_345
    observation.cardHasBody = true
    observation.cardFields = #"{"datasets":["imagenet-1k"],"language":["en"],"library_name":"transformers","license":"apache-2.0","pipeline_tag":"image-classification","tags":["vision","image-classification"]}"#
    observation.configArchitectures = #"["ViTForImageClassification"]"#
    observation.configModelType = "vit"
    observation.configTorchDtype = "float32"
    observation.configTransformersVersion = "4.41.2"
    observation.configFields = #"{"architectures":["ViTForImageClassification"],"hidden_size":384,"image_size":224,"model_type":"vit","num_attention_heads":6,"num_hidden_layers":12,"patch_size":16,"torch_dtype":"float32","transformers_version":"4.41.2"}"#
    observation.cardState = .ok
    observation.configState = .ok
    visit.observation = observation
    return visit
}
