import Foundation
import SedimentHTTP
import SedimentStore

/// Keeps API responses in the catalog's `http_cache` table, so that conditional requests
/// survive restarts. A cache that cannot be read or written only costs a full request.
struct CatalogResponseCache: ResponseCache {
    let catalog: Catalog

    func cachedResponse(for url: String) -> CachedResponse? {
        guard let row = try? catalog.httpCache(url: url) else { return nil }
        return CachedResponse(validators: Validators(etag: row.etag, lastModified: row.lastModified), body: row.body)
    }

    func store(_ response: CachedResponse, for url: String) {
        try? catalog.storeHTTPCache(url: url, etag: response.validators.etag, lastModified: response.validators.lastModified,
                                    body: response.body, at: Date())
    }
}
