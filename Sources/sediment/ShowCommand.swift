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
        let (manifest, manifestID) = try ManifestReader(archive: archive, package: package).manifest(commit: resolved.commit)

        if let path {
            let wanted = path.split(separator: "/").joined(separator: "/")
            guard let entry = manifest.entries.first(where: { $0.path == wanted }) else {
                throw ShowError("\(package.qualifiedName)@\(String(resolved.commit.prefix(12))) has no file \(path)")
            }
            guard let sha = entry.sha256 else { throw ShowError("\(path) is a submodule link (\(entry.blob)); it has no content here") }
            if let oid = entry.lfsOID {
                // A Git LFS pointer: the file's content is the object it points at, which has
                // the pointer's size as well as its oid.
                if let stored = archive.blobs.size(of: oid), let size = entry.lfsSize, stored != size {
                    throw ShowError("\(path) is a Git LFS pointer to object \(oid.hex) of \(size) bytes, but the content with that oid in the blob store has \(stored) bytes: the pointer's size is false, and its object is not archived")
                }
                guard archive.blobs.contains(oid) else {
                    let size = Output.bytes(entry.lfsSize ?? 0)
                    if let pending = try archive.catalog.lfsPendingReason(oid) {
                        let why = pending.reason.map { "after \(pending.attempts) attempt\(pending.attempts == 1 ? "" : "s"): \($0)" } ?? "not tried yet"
                        throw ShowError("\(path) is a Git LFS pointer to object \(oid.hex) (\(size)), which is pending, not archived yet (\(why))")
                    }
                    let policy = archive.configuration.storage.lfs == "fetch"
                        ? "outside the storage.lfs_max_bytes / lfs_include policy, or not fetched yet"
                        : "storage.lfs = \"pointers\" records pointers only"
                    throw ShowError("\(path) is a Git LFS pointer to object \(oid.hex) (\(size)), which is not archived (\(policy)); `sediment show --json` lists the pointer")
                }
                // Streamed (an object may be gigabytes), checked against its oid as it goes.
                try archive.blobs.read(oid) { Output.raw($0) }
                return
            }
            guard archive.blobs.contains(sha) else {
                throw ShowError("the content of \(path) (\(Output.bytes(entry.size)), sha256 \(sha.hex)) is not archived: it is larger than blob_max_bytes")
            }
            Output.raw(try archive.blobs.get(sha))
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

struct ShowError: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}
