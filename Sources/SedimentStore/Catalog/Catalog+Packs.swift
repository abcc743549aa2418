import Foundation

/// The pack store's index: tables `pack` and `pack_blob` (see `docs/schema.md`).
extension Catalog: PackIndex {
    public func locate(_ ids: [ContentID]) throws -> [ContentID: PackLocation] {
        guard !ids.isEmpty else { return [:] }
        if ids.count == 1 {
            // The common case (is this one blob stored?): a statement compiled once per connection.
            // One statement, so no transaction is needed to read it consistently: without one,
            // the lookup costs a third of what it did (it runs once per new blob).
            let row = try database.readOne { db in
                try db.row(sql: "SELECT * FROM pack_blob WHERE blob = ?", arguments: [ids[0].hex])
            }
            return row.flatMap(Self.location).map { [$0.entry.id: $0] } ?? [:]
        }
        return try read { db in
            var found: [ContentID: PackLocation] = [:]
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = ids[start..<min(start + 500, ids.count)]
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try db.rows(sql: "SELECT * FROM pack_blob WHERE blob IN (\(marks))",
                                            arguments: SQLArguments(chunk.map(\.hex)))
                for row in rows {
                    if let location = Self.location(row) { found[location.entry.id] = location }
                }
            }
            return found
        }
    }

    static func location(_ row: SQLRow) -> PackLocation? {
        guard let id = ContentID(hex: row["blob"]), let pack = ContentID(hex: row["pack"]),
              let kind = BlobKind(rawValue: UInt8(truncatingIfNeeded: row["kind"] as Int64)),
              let compression = BlobCompression(rawValue: UInt8(truncatingIfNeeded: row["compression"] as Int64)) else { return nil }
        return PackLocation(pack: pack, entry: PackEntry(id: id, kind: kind, compression: compression,
                                                         offset: row["offset"], length: row["length"], size: row["size"]))
    }

    public func add(_ packs: [PackRecord], superseding: Bool) throws {
        guard !packs.isEmpty else { return }
        try write { db in try Self.insert(packs, superseding: superseding, db: db) }
    }

    static func insert(_ packs: [PackRecord], superseding: Bool, db: any SQLConnection) throws {
        let onConflict = superseding
            ? """
              ON CONFLICT(blob) DO UPDATE SET pack = excluded.pack, kind = excluded.kind, compression = excluded.compression,
                  "offset" = excluded."offset", length = excluded.length, size = excluded.size
              """
            : "ON CONFLICT DO NOTHING"
        for pack in packs {
            try db.execute(sql: "INSERT INTO pack (id, bytes, blobs) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                           arguments: [pack.id.hex, pack.bytes, pack.entries.count])
            let statement = db.statement(sql: """
                INSERT INTO pack_blob (blob, pack, kind, compression, "offset", length, size) VALUES (?, ?, ?, ?, ?, ?, ?)
                \(onConflict)
                """)
            for entry in pack.entries {
                try statement.execute(arguments: [entry.id.hex, pack.id.hex, Int64(entry.kind.rawValue), Int64(entry.compression.rawValue),
                                                  entry.offset, entry.length, entry.size])
            }
        }
    }

    public func indexedPacks() throws -> [ContentID: Int] {
        try read { db in
            var packs: [ContentID: Int] = [:]
            for row in try db.rows(sql: "SELECT p.id, (SELECT COUNT(*) FROM pack_blob b WHERE b.pack = p.id) AS n FROM pack p") {
                if let id = ContentID(hex: row["id"]) { packs[id] = row["n"] }
            }
            return packs
        }
    }

    public func indexedBlobs(_ body: (ContentID, Int64) throws -> Void) throws {
        let rows = try read { db in try db.rows(sql: "SELECT blob, size FROM pack_blob ORDER BY pack, \"offset\"") }
        for row in rows {
            if let id = ContentID(hex: row["blob"]) { try body(id, row["size"]) }
        }
    }

    public func replace(with packs: [PackRecord]) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM pack_blob")
            try db.execute(sql: "DELETE FROM pack")
            try Self.insert(packs, superseding: false, db: db)
        }
    }

    /// The whole index as rows (pack, blob, kind, compression, offset, length, size), sorted:
    /// what `rebuild-index` must reproduce.
    public func packIndexRows() throws -> [String] {
        try read { db in
            try db.rows(sql: "SELECT * FROM pack_blob ORDER BY blob").map { row in
                [row["pack"], row["blob"], "\(row["kind"] as Int64)", "\(row["compression"] as Int64)",
                 "\(row["offset"] as Int64)", "\(row["length"] as Int64)", "\(row["size"] as Int64)"].joined(separator: " ")
            }
        }
    }
}
