import ArgumentParser
import Foundation
import SedimentEngine
import SedimentStore

/// `sediment show`: a revision's manifest, or one file's archived content.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the manifest of a revision, or one file's content from the blob store.",
        discussion: """
            REV is a snapshot id or prefix, a commit id or prefix, a ref name, or @DATE / @DATETIME \
            (the latest snapshot taken at or before that instant). Without @REV: the latest snapshot.

            EXAMPLES:
              sediment show org/model-a
              sediment show org/model-a@v1.0 config.json
              sediment show org/model-a@2026-11-01 --json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONFlag

    @Argument(help: ArgumentHelp("The package and revision, as PACKAGE[@REV].", valueName: "package[@rev]"))
    var target: String

    @Argument(help: ArgumentHelp("A file to print instead of the manifest.", valueName: "path"))
    var path: String?

    func run() throws {
        let archive = try global.openArchive()
        let (name, revision) = try Self.split(target, catalog: archive.catalog)
        let package = try archive.catalog.package(named: name)
        let resolved = try RevisionResolver(archive: archive, package: package).resolve(revision)
        let (manifest, manifestID) = try ManifestReader(archive: archive, package: package, options: QueryOptions(archive.configuration)).manifest(commit: resolved.commit)

        if let path {
            let content = PackageContent(archive: archive, lfs: LFSPolicy(archive.configuration.storage))
            let source = try content.source(of: path, in: manifest, package: package, commit: resolved.commit)
            // Streamed, checked against its id as it goes.
            try content.read(source) { Output.raw($0) }
            return
        }
        if output.json {
            for e in manifest.entries {
                Output.json(.object([
                    ("path", .string(e.path)), ("mode", .string(e.modeString)), ("size", .int(e.size)), ("blob", .string(e.blob)),
                    ("sha256", .optional(e.sha256?.hex)), ("stored", .bool(e.sha256.map(archive.blobs.contains) ?? false)),
                    ("lfs_oid", .optional(e.lfsOID?.hex)), ("lfs_size", .optional(e.lfsSize)),
                    ("lfs_stored", .bool(e.lfsOID.map { archive.blobs.contains($0, size: e.lfsSize ?? -1) } ?? false)),
                ]))
            }
            return
        }
        Output.line("package  \(package.qualifiedName)")
        Output.line("commit   \(resolved.commit) (\(resolved.via))")
        if let snapshot = resolved.snapshot { Output.line("snapshot \(snapshot.id.hex) taken at \(snapshot.takenAt)") }
        Output.line("manifest \(manifestID.hex): \(manifest.entries.count) files, \(Output.bytes(manifest.totalBytes))")
        Output.line("")
        var rows: [[String]] = []
        for e in manifest.entries {
            var note = ""
            if let oid = e.lfsOID {
                note = "  LFS \(String(oid.hex.prefix(12))) \(Output.bytes(e.lfsSize ?? 0))" + (archive.blobs.contains(oid, size: e.lfsSize ?? -1) ? " (object stored)" : "")
            }
            else if let sha = e.sha256, !archive.blobs.contains(sha) { note = "  (content not stored)" }
            rows.append([e.modeString, String(e.sha256?.hex.prefix(12) ?? "-"), "\(e.size)", e.path + note])
        }
        Output.table(rows)
    }

    /// Splits `PACKAGE@REV`. Package ids never contain "@" followed by a known revision form,
    /// so the last "@" separates them; "@@DATE" means a date revision.
    static func split(_ text: String, catalog: Catalog) throws -> (String, String?) {
        if let range = text.range(of: "@@") {
            return (String(text[..<range.lowerBound]), String(text[text.index(after: range.lowerBound)...]))
        }
        guard let at = text.lastIndex(of: "@") else { return (text, nil) }
        let name = String(text[..<at]), revision = String(text[text.index(after: at)...])
        // A date right after the package reads as PACKAGE@DATE: accept it as @DATE.
        if RevisionResolver.parseInstant(revision) != nil, revision.first?.isNumber == true { return (name, "@" + revision) }
        return (name, revision.isEmpty ? nil : revision)
    }
}
