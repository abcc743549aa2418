import Foundation

/// A response kept for revalidation: its validators and its body.
public struct CachedResponse: Sendable, Equatable {
    public var validators: Validators
    public var body: Data

    public init(validators: Validators, body: Data) {
        self.validators = validators
        self.body = body
    }
}

/// Where ``HTTPClient`` keeps the validators and bodies of GET responses, so that asking
/// again is a conditional request: an unchanged resource costs a 304 and no body.
public protocol ResponseCache: Sendable {
    func cachedResponse(for url: String) -> CachedResponse?
    func store(_ response: CachedResponse, for url: String)
}

extension HTTPClient {
    /// Sends a GET as a conditional request when `cache` holds an earlier response for the
    /// URL; a 304 then comes back as a 200 with the cached body (``HTTPResponse/revalidated``).
    /// Successful responses that carry an `ETag` or `Last-Modified` are stored in `cache`.
    public func send(_ request: HTTPRequest, cache: ResponseCache?) throws -> HTTPResponse {
        guard let cache, request.method.uppercased() == "GET" else { return try send(request) }
        var conditional = request
        let earlier = cache.cachedResponse(for: request.url)
        if conditional.validators == nil, let earlier { conditional.validators = earlier.validators }
        var response = try send(conditional)
        if response.isNotModified, let earlier {
            response.status = 200
            response.body = earlier.body
            response.revalidated = true
        } else if response.isSuccess, !response.validators.isEmpty {
            cache.store(CachedResponse(validators: response.validators, body: response.body), for: request.url)
        }
        return response
    }
}
