import Foundation
import SedimentMetadata
import SedimentStore

/// Writes the catalog out for other tools: `jsonl` and `csv` (one file per table, streamed,
/// so memory stays flat however large the catalog), or `ptmtorrent` (one JSON array per hub
/// in the PTMTorrent dataset's uniform schema).
public struct Exporter {
    public enum Format: String, CaseIterable, Sendable {
        case ptmtorrent, jsonl, csv
    }

    public let archive: Archive
    public let options: QueryOptions

    public init(archive: Archive, options: QueryOptions) {
        self.archive = archive
        self.options = options
    }

    /// Writes the export into `folder` (created when absent); returns the files written with
    /// their record counts.
    @discardableResult
    public func export(_ format: Format, to folder: String) throws -> [(file: String, records: Int)] {
        try Self.makeFolder(folder)
        switch format {
        case .ptmtorrent: return try PTMTorrentExport(archive: archive, hubs: options.hubs).write(to: folder)
        case .jsonl, .csv:
            var written: [(String, Int)] = []
            for table in ExportTable.allCases {
                let path = folder + "/\(table.rawValue).\(format.rawValue)"
                let out = try LineWriter(path: path)
                var count = 0
                var headerWritten = false
                try archive.catalog.stream(table) { columns, values in
                    if format == .csv && !headerWritten {
                        try out.write(columns.map(Self.csvField).joined(separator: ","))
                        headerWritten = true
                    }
                    try out.write(format == .csv ? Self.csvLine(Self.csvValues(columns, values)) : Self.jsonLine(columns, values))
                    count += 1
                }
                if format == .csv && !headerWritten { try out.write(Self.header(table).joined(separator: ",")) }
                try out.close()
                written.append((path, count))
            }
            written.append(try exportManifestEntries(format, to: folder))
            return written
        }
    }

    /// Creates the export folder unless it is there; a file in its place is an error.
    static func makeFolder(_ folder: String) throws {
        var info = stat()
        if stat(folder, &info) == 0, info.st_mode & S_IFMT != S_IFDIR {
            throw FileError("export into", path: folder, cause: "it is a file, not a folder (--out names the folder to write into)")
        }
        try Folder.make(folder, operation: "create the export folder")
    }

    /// The entries of every archived manifest, one line each.
    private func exportManifestEntries(_ format: Format, to folder: String) throws -> (String, Int) {
        let path = folder + "/manifest_entries.\(format.rawValue)"
        let out = try LineWriter(path: path)
        let columns = ["manifest", "commit", "subpath", "path", "mode", "size", "blob", "sha256", "lfs_oid", "lfs_size"]
        if format == .csv { try out.write(columns.joined(separator: ",")) }
        var count = 0
        for manifest in try archive.catalog.manifestRows() {
            guard let parsed = try? Manifest.parse(archive.blobs.get(manifest.id)) else { continue }
            for e in parsed.entries {
                let values: [CatalogValue] = [.text(manifest.id.hex), .text(manifest.commit), .text(manifest.subpath), .text(e.path),
                                              .text(e.modeString), .int(e.size), .text(e.blob), e.sha256.map { .text($0.hex) } ?? .null,
                                              e.lfsOID.map { .text($0.hex) } ?? .null, e.lfsSize.map { .int($0) } ?? .null]
                try out.write(format == .csv ? Self.csvLine(values) : Self.jsonLine(columns, values))
                count += 1
            }
        }
        try out.close()
        return (path, count)
    }

    static func header(_ table: ExportTable) -> [String] {
        switch table {
        case .packages: return ["hub", "id", "repository", "subpath", "first_seen", "last_seen", "deleted", "gated"]
        case .snapshots: return ["hub", "package", "snapshot", "taken_at", "head", "head_ref", "manifest", "refs"]
        case .observations: return ["hub", "package", "observed_at"] + Catalog.observationColumns
        case .commits: return ["repository", "commit", "parents", "author_name", "author_email", "author_time", "author_offset",
                               "committer_name", "committer_email", "committer_time", "committer_offset", "message"]
        }
    }

    /// Columns whose text is JSON (an object or an array): JSON values in JSON Lines.
    public static let jsonColumns: Set<String> = [
        "refs", "hub_metrics", "weight_formats", "card_tags", "card_datasets", "card_language", "card_fields",
        "config_architectures", "config_fields", "problems",
    ]
    /// Commit times, seconds since the epoch in the catalog: ISO 8601 UTC in every export (the
    /// offsets are in the `*_offset` columns, in minutes).
    public static let timeColumns: Set<String> = ["author_time", "committer_time"]
    /// Flags, 0 or 1 in the catalog: booleans in JSON Lines.
    public static let booleanColumns: Set<String> = ["deleted", "gated", "card_has_model_index", "card_has_body"]

    /// One JSON Lines record of catalog values: JSON columns as JSON values, commit times as
    /// ISO 8601 UTC, flags as booleans, a commit's `parents` as an array (`[]` for a root
    /// commit). `docs/schemas/` describes each record.
    public static func jsonLine(_ columns: [String], _ values: [CatalogValue]) -> String {
        JSONValue.object(zip(columns, values).map { column, value in
            switch value {
            case .null: return (column, column == "parents" ? .array([]) : .null)
            case .int(let n):
                if booleanColumns.contains(column) { return (column, .bool(n != 0)) }
                return (column, timeColumns.contains(column) ? .string(isoTime(n)) : .int(n))
            case .double(let d): return (column, .double(d))
            case .text(let s):
                if column == "parents" { return (column, .array(s.split(separator: " ").map { .string(String($0)) })) }
                if jsonColumns.contains(column), let parsed = jsonValue(s) { return (column, parsed) }
                return (column, .string(s))
            }
        }).serialized()
    }

    /// A JSON document's value; nil when the text is not JSON.
    public static func jsonValue(_ text: String) -> JSONValue? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else { return nil }
        return JSONCompatible(json: object)?.jsonValue
    }

    /// Seconds since the epoch as ISO 8601 UTC: "2024-03-11T09:02:41Z".
    public static func isoTime(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// CSV cells as the JSON Lines have them where CSV can: commit times as ISO 8601 UTC.
    static func csvValues(_ columns: [String], _ values: [CatalogValue]) -> [CatalogValue] {
        zip(columns, values).map { column, value in
            if case .int(let n) = value, timeColumns.contains(column) { return .text(isoTime(n)) }
            return value
        }
    }

    static func csvLine(_ values: [CatalogValue]) -> String {
        values.map { csvField($0.text) }.joined(separator: ",")
    }

    /// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Buffered line output to a file, written to a temporary name and renamed when closed, so
/// an interrupted export never leaves a truncated file under the final name.
final class LineWriter {
    private let handle: FileHandle
    private let path: String
    private let temporary: String
    private var buffer = Data()

    init(path: String) throws {
        self.path = path
        temporary = path + ".partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError("create the export file", path: temporary, errno: errno) }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        try FileError.wrap("write the export file", path: temporary) { try handle.write(contentsOf: buffer) }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        try FileError.wrap("close the export file", path: temporary) { try handle.close() }
        guard rename(temporary, path) == 0 else { throw FileError("put the finished export in place at", path: path, errno: errno) }
    }
}
