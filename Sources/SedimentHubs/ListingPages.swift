import Foundation
import SedimentHTTP
import SedimentRedaction

/// The pages of one paginated hub listing (`Link: <…>; rel="next"`), as they are followed.
///
/// The server chooses each next page, so each is checked before it is asked for:
/// - it must be on the endpoint's own origin (scheme, host and port, ``HTTPOrigin``): the
///   listing carries the hub's token, which must not go anywhere a page names;
/// - it must not repeat an earlier page, by URL or by `cursor`: a listing that loops fails at
///   once instead of running to the page bound;
/// - pages must list something new: after ``maxPagesWithoutNewModels`` pages in a row that
///   list no model not already listed, the listing fails (fresh cursors over the same models);
/// - there are at most ``maxPages`` pages.
struct ListingPages {
    static let maxPages = 100_000
    static let maxPagesWithoutNewModels = 10

    let endpoint: String
    let origin: HTTPOrigin?
    /// Pages admitted so far.
    private(set) var count = 0
    private var urls = Set<String>()
    private var cursors: [String: Int] = [:]
    private var pagesWithoutNewModels = 0

    init(endpoint: String) {
        self.endpoint = endpoint
        origin = HTTPOrigin(url: endpoint)
    }

    /// Checks the next page's `url` before it is asked for; throws a ``HubError`` naming the
    /// page and why it is refused.
    mutating func admit(_ url: String, hub: String) throws {
        let number = count + 1
        func refuse(_ why: String) -> HubError {
            HubError(hub: hub, problem: "listing models: page \(number) is \(Self.shown(url)): \(why)")
        }
        guard let origin else {
            throw HubError(hub: hub, problem: "listing models: the endpoint \(Self.shown(endpoint)) is not an http or https URL")
        }
        guard HTTPOrigin(url: url) == origin else {
            throw refuse("it is not on the endpoint's origin \(origin); pages are followed only on the endpoint's own scheme, host and port, so that the token goes nowhere else")
        }
        // Compared as libcurl writes them, so that spellings of one URL are one page.
        guard urls.insert(HTTPOrigin.resolve(url, against: url) ?? url).inserted else {
            throw refuse("the listing names a page it already listed, so it would never end")
        }
        for cursor in Self.cursors(of: url) {
            if let earlier = cursors[cursor] {
                throw refuse("its cursor repeats the cursor of page \(earlier), so the listing would never end")
            }
            cursors[cursor] = number
        }
        guard number <= Self.maxPages else {
            throw HubError(hub: hub, problem: "listing models: the listing did not end after \(Self.maxPages) pages")
        }
        count = number
    }

    /// Records how many models the page just read listed that no earlier page did.
    mutating func listed(newModels: Int, hub: String) throws {
        pagesWithoutNewModels = newModels > 0 ? 0 : pagesWithoutNewModels + 1
        guard pagesWithoutNewModels < Self.maxPagesWithoutNewModels else {
            throw HubError(hub: hub, problem: "listing models: \(Self.maxPagesWithoutNewModels) pages in a row (up to page \(count)) listed no model not listed before, so the listing would never end")
        }
    }

    /// The values of the URL's `cursor` query parameter.
    static func cursors(of url: String) -> [String] {
        (URLComponents(string: url)?.queryItems ?? []).filter { $0.name == "cursor" }.compactMap(\.value).filter { !$0.isEmpty }
    }

    /// A URL as an error shows it: without credentials, and not too long.
    static func shown(_ url: String) -> String {
        let redacted = Redaction.redact(url, secrets: [])
        return redacted.count > 200 ? redacted.prefix(200) + "…" : redacted
    }
}
