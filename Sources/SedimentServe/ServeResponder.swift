import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SedimentEngine
import SedimentStore

/// Routes each request: the Hub's API (`/api/models…`, `/{id}/resolve/…`), the web view, and
/// `/healthz`, `/status`, `/metrics`. GET and HEAD only. Catalog, store and mirror reads run on
/// the blocking pool, never on the server's event loop.
struct ServeResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let archive: Archive
    let index: ArchiveIndex
    let metrics: ServeMetrics
    let logger: Logger
    let manifests = ManifestCache()

    func respond(to request: Request, context: Context) async throws -> Response {
        // How long the answer took to make (for a file, until its first bytes), as
        // `Server-Timing: app;dur=MILLISECONDS`.
        let start = ContinuousClock.now
        var response = try await answer(request)
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        response.headers[HTTPField.Name("Server-Timing")!] = String(format: "app;dur=%.2f", ms)
        return response
    }

    private func answer(_ request: Request) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            return text(405, "sediment serve is read-only: GET and HEAD only\n", headers: [("Allow", "GET, HEAD")])
        }
        let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            .map { String($0).removingPercentEncoding ?? String($0) }
        let query = Self.query(request.uri.query)
        let head = request.method == .head
        let state = index.current
        let origin = "http://" + (request.head.authority ?? "127.0.0.1")
        do {
            // /{id}/resolve/{rev}/{path}, with an id of one or two segments, first: a model's
            // namespace may be any word, `api` and the web view's among them.
            for n in [2, 1] where segments.count > n + 2 && segments[n] == "resolve" {
                guard let row = state.ids.package(segments[0..<n].joined(separator: "/")), let summary = state.summary(row) else { continue }
                metrics.count("resolve")
                let revision = segments[n + 1], path = segments[(n + 2)...].joined(separator: "/")
                let answer = try await BlockingPool.shared.run { [archive, manifests] in
                    try HubAPI(archive: archive, index: state, manifests: manifests, origin: origin).resolveFile(summary.package, revision: revision, path: path)
                }
                return hub(answer, head: head, range: request.headers[.range])
            }
            switch segments.first ?? "" {
            case "api":
                metrics.count("api")
                guard segments.count >= 2, segments[1] == "models" else {
                    return hub(.error(status: 404, code: nil, message: "Sediment serves models only (/api/models)"), head: head)
                }
                let rest = Array(segments.dropFirst(2).filter { !$0.isEmpty })
                let answer = try await BlockingPool.shared.run { [archive, manifests] in
                    try HubAPI(archive: archive, index: state, manifests: manifests, origin: origin).models(rest, query: query)
                }
                return hub(answer, head: head)
            case "", "packages", "package", "diff", "trends":
                metrics.count("web")
                return try await web(segments, query: query, state: state, head: head)
            case "healthz":
                metrics.count("healthz")
                return try await BlockingPool.shared.run { [archive] in
                    do {
                        _ = try archive.catalog.lastSuccessfulCrawls()
                        return text(200, "ok\n")
                    } catch {
                        return text(503, "catalog unavailable: \(error)\n")
                    }
                }
            case "status":
                metrics.count("status")
                let body = try await BlockingPool.shared.run { [archive] in
                    try StatusReport.json(archive, options: QueryOptions(archive.configuration)).serialized() + "\n"
                }
                return bytes(200, body, type: "application/json", head: head)
            case "metrics":
                return bytes(200, metrics.text(indexAge: Date().timeIntervalSince(state.madeAt)), type: "text/plain; version=0.0.4; charset=utf-8", head: head)
            default:
                if segments.contains("resolve") {
                    return hub(.error(status: 404, code: "RepoNotFound", message: "Repository not found: no archived package is served under this id"), head: head)
                }
                return text(404, "not found; the web view is at /, the Hugging Face API at /api/models (see docs/serve.md)\n")
            }
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return text(500, "\(error)\n")
        }
    }

    // MARK: - Web view

    private func web(_ segments: [String], query: [String: [String]], state: ArchiveIndex.State, head: Bool) async throws -> Response {
        let csv = query["csv"]?.first
        let page: WebPages.Page = try await BlockingPool.shared.run { [archive] in
            let pages = WebPages(archive: archive, index: state)
            switch segments.first ?? "" {
            case "": return try pages.home(csv: csv)
            case "packages":
                return pages.list(query: query["q"]?.first, hub: query["hub"]?.first, page: query["page"]?.first.flatMap(Int.init) ?? 0)
            case "trends" where segments.count == 2: return pages.trends(hub: segments[1], csv: csv)
            case "package" where segments.count >= 3, "diff" where segments.count >= 3:
                let name = segments[1] + ":" + segments[2...].joined(separator: "/")
                let package: PackageRecord
                do { package = try archive.catalog.package(named: name) } catch { return .notFound("\(error)") }
                if segments[0] == "diff" {
                    return try DiffPage(archive: archive, index: state, package: package).render(from: query["from"]?.first, to: query["to"]?.first)
                }
                return try PackagePage(archive: archive, index: state, package: package).render(snapshot: query["snapshot"]?.first, csv: csv)
            default: return .notFound("no such page")
            }
        }
        switch page {
        case .html(let html): return bytes(200, html, type: "text/html; charset=utf-8", head: head)
        case .csv(let csv): return bytes(200, csv, type: "text/csv; charset=utf-8", head: head)
        case .notFound(let why):
            return bytes(404, HTML.page(title: "Not found", body: "<p>\(HTML.escape(why))</p>"), type: "text/html; charset=utf-8", head: head)
        }
    }

    // MARK: - Answers

    private func hub(_ answer: HubAnswer, head: Bool, range: String? = nil) -> Response {
        switch answer {
        case .json(let value, let headers):
            var response = bytes(200, value.serialized(), type: "application/json; charset=utf-8", head: head)
            for (name, value) in headers { if let field = HTTPField.Name(name) { response.headers[field] = value } }
            return response
        case .error(let status, let code, let message, let headers):
            var all = headers + [("X-Error-Message", Self.headerSafe(message))]
            if let code { all.append(("X-Error-Code", code)) }
            var response = bytes(status, JSONValue.object([("error", .string(message))]).serialized(), type: "application/json; charset=utf-8", head: head)
            for (name, value) in all { if let field = HTTPField.Name(name) { response.headers[field] = value } }
            return response
        case .file(let file):
            return FileResponse(archive: archive, metrics: metrics, logger: logger).response(file, head: head, range: range)
        }
    }

    private func text(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Response {
        var response = bytes(status, body, type: "text/plain; charset=utf-8", head: false)
        for (name, value) in headers { if let field = HTTPField.Name(name) { response.headers[field] = value } }
        return response
    }

    private func bytes(_ status: Int, _ body: String, type: String, head: Bool) -> Response {
        let buffer = ByteBuffer(string: body)
        var headers: HTTPFields = [.contentType: type, .contentLength: String(buffer.readableBytes)]
        headers[.cacheControl] = "no-store"
        return Response(status: .init(code: status), headers: headers, body: head ? ResponseBody() : ResponseBody(byteBuffer: buffer))
    }

    /// A message as a header value: one line of printable ASCII.
    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : " " }.prefix(500))
    }

    /// Query parameters, decoded, with repeated keys kept in order.
    static func query(_ raw: String?) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for pair in (raw ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            let key = decode(parts[0]), value = parts.count > 1 ? decode(parts[1]) : ""
            out[key == "expand[]" ? "expand" : key, default: []].append(value)
        }
        return out
    }
}
