import Foundation
import SedimentHTTP

/// Everything needed to reach a store in object storage: where it is, the endpoint and
/// region, and the credentials. The configuration fills it (``resolve(location:endpoint:region:environment:)``
/// supplies what it leaves out, as the AWS CLI would).
public struct S3Settings: Sendable {
    public var location: S3Location
    /// The service's base URL, without a path: `https://s3.eu-west-1.amazonaws.com`,
    /// `http://127.0.0.1:9000`. Requests use path-style URLs (`ENDPOINT/BUCKET/KEY`).
    public var endpoint: String
    /// The region requests are signed for.
    public var region: String
    public var credentials: S3Credentials
    /// The size of a multipart upload's parts, and the size above which an object is sent in
    /// parts (S3 wants at least 5 MiB per part but the last, at most 10,000 parts).
    public var partSize: Int64 = 16 << 20
    /// The HTTP client's settings (timeouts, retries with backoff).
    public var http: HTTPClient.Configuration = S3Settings.defaultHTTP

    public init(location: S3Location, endpoint: String, region: String, credentials: S3Credentials) {
        self.location = location
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.region = region
        self.credentials = credentials
    }

    /// The HTTP settings for a store: the shared retry policy, a stall limit rather than a
    /// total timeout for large transfers, more requests at once to the one host.
    public static var defaultHTTP: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.perHostConcurrency = 8
        configuration.totalTimeout = 3600
        return configuration
    }

    /// Settings for `location` with what the configuration gave (`endpoint`, `region`: nil when
    /// it said nothing), the rest as the AWS CLI finds it in `environment`:
    ///
    /// - region: the configured one, else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's
    ///   `region` in the config file, else `us-east-1`;
    /// - endpoint: the configured one, else `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the
    ///   profile's `endpoint_url`, else `https://s3.REGION.amazonaws.com`;
    /// - credentials: ``S3Credentials/resolve(environment:)``.
    public static func resolve(location: S3Location, endpoint: String?, region: String?, environment: [String: String]) throws -> S3Settings {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let files = AWSFiles(environment: environment)
        let region = region ?? value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? files.config("region") ?? "us-east-1"
        let endpoint = endpoint ?? value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL") ?? files.config("endpoint_url")
            ?? "https://s3.\(region).amazonaws.com"
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil,
              url.user == nil, url.query == nil, url.path.isEmpty || url.path == "/" else {
            throw S3LocationError(text: endpoint, problem: "an endpoint is http:// or https:// with a host and no path, query or credentials")
        }
        return S3Settings(location: location, endpoint: endpoint, region: region, credentials: try S3Credentials.resolve(environment: environment))
    }
}
