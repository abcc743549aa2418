import ArgumentParser
import Foundation
import SedimentEngine
import SedimentMetadata
import SedimentStore

/// `sediment reuse`: packages that share identical weights.
struct Reuse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List groups of packages that share an identical LFS object or weight file.",
        discussion: """
            Re-uploads, mirrors and forks of the same weights, across hubs: each group is one object (LFS oid) or one weight \
            file's content (SHA-256) found in different repositories or under different paths, with the packages whose history \
            introduced it and when. Packages of one repository that include the same path (ONNX Model Zoo entries of one \
            folder) share one file: that is not reuse.

            EXAMPLES:
              sediment reuse
              sediment reuse --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    func run() throws {
        let archive = try global.openArchive()
        let files = try archive.catalog.introducedFiles { ObservationExtractor.format(of: $0) != nil }
        let groups = Dictionary(grouping: files, by: { $0.key })
            .filter { Set($0.value.map { FileIdentity(repository: $0.repository, path: $0.path) }).count > 1 }
            .sorted { ($0.value.first?.size ?? 0, $0.key) > ($1.value.first?.size ?? 0, $1.key) }
        let date = { (seconds: Int64) in Output.gitTime(seconds, offsetMinutes: 0) }
        for (key, members) in groups {
            let ordered = members.sorted { ($0.firstSeen, $0.package) < ($1.firstSeen, $1.package) }
            let isLFS = ordered.first?.isLFS ?? false
            if output.json {
                Output.json(.object([
                    ("kind", .string(isLFS ? "lfs" : "file")), (isLFS ? "oid" : "sha256", .string(key)),
                    ("size", .int(ordered.first?.size ?? 0)),
                    ("places", .int(Int64(Set(ordered.map { FileIdentity(repository: $0.repository, path: $0.path) }).count))),
                    ("packages", .array(ordered.map { .object([("package", .string($0.package)), ("repository", .string($0.repository)),
                                                               ("path", .string($0.path)),
                                                               ("first_seen", .string(date($0.firstSeen)))]) })),
                ]))
                continue
            }
            let places = Set(ordered.map { FileIdentity(repository: $0.repository, path: $0.path) }).count
            Output.line("\(isLFS ? "LFS object" : "file") \(key.prefix(16)) (\(Output.bytes(ordered.first?.size ?? 0))) in \(places) places, \(Set(ordered.map(\.package)).count) packages:")
            for m in ordered { Output.line("  \(date(m.firstSeen))  \(m.package)  \(m.path)") }
        }
        if !output.json && groups.isEmpty { Output.line("no weights are shared between packages") }
    }
}

/// Where a file lives: one repository and one path in it.
private struct FileIdentity: Hashable {
    var repository: String
    var path: String
}
