import Foundation

extension Catalog {
    /// The validators and body kept for `url` (API responses, for conditional requests).
    public func httpCache(url: String) throws -> (etag: String?, lastModified: String?, body: Data)? {
        try read { db in
            try db.row(sql: "SELECT etag, last_modified, body FROM http_cache WHERE url = ?", arguments: [url]).map {
                (etag: $0["etag"], lastModified: $0["last_modified"], body: $0["body"])
            }
        }
    }

    /// Keeps the validators and body of the latest response from `url`.
    public func storeHTTPCache(url: String, etag: String?, lastModified: String?, body: Data, at date: Date) throws {
        let time = Self.timestamp(date)
        try write { db in
            try db.execute(sql: """
                INSERT INTO http_cache(url, etag, last_modified, body, stored_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
                    body = excluded.body, stored_at = excluded.stored_at
                """, arguments: [url, etag, lastModified, body, time])
        }
    }
}
