import Foundation
import SedimentStore

extension Crawler {
    /// Stores the listing of crawl `crawlID` (the packages `ids` as the catalog now holds
    /// them). Its rows are written already: a listing the store could not take costs only the
    /// listing times of packages not visited since, in an archive rebuilt from the store, so it
    /// is logged and the crawl goes on.
    func storeListing(_ crawlID: Int64, hub: Configuration.Hub, packages ids: Set<String>) {
        do {
            try RecordWriter(archive: archive).listing(crawl: crawlID, hub: hub, packages: ids)
        } catch {
            logger.error("the listing could not be stored", metadata: ["hub": "\(hub.name)", "error": "\(Visitor.describe(error))"])
        }
    }
}
