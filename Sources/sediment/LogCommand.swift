import ArgumentParser
import Foundation
import SedimentText
import SedimentEngine
import SedimentStore

/// `sediment log`: a package's commit history from the catalog.
struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a package's commit history.",
        discussion: """
            Without --ref: every archived commit of the package's repository, lost refs' commits included, newest first. \
            For a package in a subpath of a shared repository, only the commits that changed that subpath.

            EXAMPLES:
              sediment log hf:google-bert/bert-tiny
              sediment log org/model-a --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @OptionGroup var named: PackageArgument

    @Option(name: .long, help: ArgumentHelp("Only commits reachable from this revision (ref, commit or snapshot).", valueName: "ref"))
    var ref: String?

    func run() throws {
        let archive = try global.openArchive()
        let record = try archive.catalog.package(named: named.package)
        guard let repository = record.repositoryRowID else { return }
        var commits = try archive.catalog.commits(repository: repository)
        if !record.subpath.isEmpty || !record.scope.isWholeSubpath {
            // A package in a subpath, or an entry of a folder: only the commits that changed its files.
            let touching = try archive.catalog.commitIDs(repository: repository, touching: record.scope)
            commits = commits.filter { touching.contains($0.id) }
        }
        if let ref {
            let start = try RevisionResolver(archive: archive, package: record).resolve(ref).commit
            let byID = Dictionary(commits.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            var reachable = Set<String>()
            var stack = [start]
            while let id = stack.popLast() {
                guard reachable.insert(id).inserted, let commit = byID[id] else { continue }
                stack.append(contentsOf: commit.parents)
            }
            commits = commits.filter { reachable.contains($0.id) }
        }
        for c in commits {
            if output.json {
                Output.json(.object([
                    ("commit", .string(c.id)), ("parents", .array(c.parents.map(JSONValue.string))),
                    ("author_name", .string(c.authorName)), ("author_email", .string(c.authorEmail)),
                    ("author_time", .string(Exporter.isoTime(c.authorTime))), ("author_offset", .int(Int64(c.authorOffset))),
                    ("committer_name", .string(c.committerName)), ("committer_email", .string(c.committerEmail)),
                    ("committer_time", .string(Exporter.isoTime(c.committerTime))), ("committer_offset", .int(Int64(c.committerOffset))),
                    ("message", .string(c.message)),
                ]))
            } else {
                Output.line("commit \(c.id)")
                if c.parents.count > 1 { Output.line("Merge: \(c.parents.map { String($0.prefix(12)) }.joined(separator: " "))") }
                Output.line("Author: \(c.authorName) <\(c.authorEmail)>")
                Output.line("Date:   \(Output.gitTime(c.authorTime, offsetMinutes: c.authorOffset))")
                Output.line("")
                var lines = TextLines.lines(of: c.message)
                while lines.last?.isEmpty == true { lines.removeLast() }
                for line in lines {
                    Output.line(line.isEmpty ? "" : "    \(line)")
                }
                Output.line("")
            }
        }
    }
}
