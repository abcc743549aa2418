import Foundation
import SedimentStore

/// What `sediment serve` reads from a catalog, checked on every database backend.
extension CatalogConformance {
    func serveReads() throws {
        let catalog = try make()
        let a = try package(catalog, "org/a")
        let day = 86_400
        let states: [(formats: String, license: String)] = [
            (#"{"pytorch":{"bytes":10,"files":1}}"#, "apache-2.0"),
            (#"{"pytorch":{"bytes":10,"files":1},"safetensors":{"bytes":10,"files":1}}"#, "apache-2.0"),
            (#"{"safetensors":{"bytes":10,"files":1}}"#, "mit"),
        ]
        var previous: BlobInfo?
        for (index, state) in states.enumerated() {
            var observation = ObservationRecord()
            observation.downloads = Int64(10 * (index + 1))
            observation.likes = Int64(index)
            observation.weightFormats = state.formats
            observation.cardLicense = state.license
            observation.commitsTotal = index + 1
            let weights = blob("serve \(index)")
            try catalog.record(visit(a, commit: Self.hex(Character(String(index))), parents: index == 0 ? [] : [Self.hex(Character(String(index - 1)))],
                                     blob: weights, replacing: previous, at: 40 * day * index, observation: observation))
            previous = weights
        }
        // An unchanged visit later in March: new metrics, the same facts.
        var unchanged = try catalog.lastObservation(package: a.rowID)!
        unchanged.downloads = 99
        var quiet = VisitRecord(packageRowID: a.rowID, repositoryRowID: a.repositoryRowID, crawlID: nil, startedAt: Self.time(85 * day),
                                finishedAt: Self.time(85 * day + 1), status: .full, eventful: false, error: nil)
        quiet.observation = unchanged
        try catalog.record(quiet)

        let summaries = try catalog.packageSummaries()
        try equal(summaries.map(\.package.id), ["org/a"], "summaries")
        try equal(summaries.first?.downloads, 99, "the latest downloads")
        try equal(summaries.first?.license, "mit", "the latest licence")
        try equal(try catalog.observationPoints(package: a.rowID).map(\.downloads), [10, 20, 30, 99], "observation points")
        let months = try catalog.monthlyFacts()
        try equal(months.map(\.month), ["2026-01", "2026-02", "2026-03"], "months with a change of facts")
        try equal(months.map(\.safetensors), [false, true, true], "safetensors by month")
        try equal(months.map(\.pickle), [true, true, false], "pickle by month")
        try equal(months.map(\.license), ["apache-2.0", "apache-2.0", "mit"], "licence by month")
        let growth = try catalog.archiveGrowth()
        try equal(growth.packages.map { "\($0.hub) \($0.month) \($0.count)" }, ["ours 2026-01 1"], "packages first seen")
        try equal(growth.snapshots.map { "\($0.month) \($0.count)" }, ["2026-01 1", "2026-02 1", "2026-03 1"], "snapshots taken")
        let commit = try catalog.commitRecord(Self.hex("1"))
        try equal(commit?.parents, [Self.hex("0")], "a commit's parents")
        try equal(commit?.message, "m 'quoted' ?\n", "a commit's message")
        try equal(try catalog.commitRecord(Self.hex("f")) == nil, true, "an unknown commit")
    }
}
