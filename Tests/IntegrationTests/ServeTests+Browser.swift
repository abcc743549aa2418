import Foundation
import XCTest

/// The web view, loaded in headless Chromium: the DOM it builds from each page, and a
/// screenshot of each kept under `.build/test-artefacts/serve/`.
extension ServeTests {
    func testTheWebViewShowsEachPackagesEvolutionInABrowser() throws {
        guard Self.setupError == nil else { return XCTFail("setup failed: \(Self.setupError!)") }
        guard let serve = Self.fixture else { return XCTFail("no fixture") }
        let world = serve.world

        // Home: the six hubs, and the archive's growth.
        let home = try serve.browse("/", screenshot: "home")
        let hubs = DOM.element("table", id: "hubs", in: home) ?? ""
        XCTAssertEqual(DOM.rows(hubs).count, 6, hubs)
        XCTAssertNotNil(DOM.element("svg", id: "growth", in: home))

        // Search.
        let search = try serve.browse("/packages?q=bert-tiny", screenshot: "search")
        let listed = DOM.element("table", id: "packages", in: search) ?? ""
        XCTAssertEqual(DOM.rows(listed).count, 1, listed)
        XCTAssertTrue(listed.contains("hf:google-bert/bert-tiny"))

        // A package: one point per observation in each plot, its snapshots, its files.
        let history = try serve.workspace.sediment(["history", "hf:google-bert/bert-tiny", "--json"], config: world.configPath).jsonLines
        XCTAssertEqual(history.count, 2)
        let page = try serve.browse("/package/hf/google-bert/bert-tiny", screenshot: "package")
        let downloads = DOM.element("svg", id: "downloads", in: page) ?? ""
        XCTAssertEqual(DOM.count("class=\"point\"", in: downloads), history.count, downloads)
        XCTAssertEqual(DOM.values(series: "downloads", in: downloads), history.map { "\($0["downloads"] as? Int ?? -1)" })
        XCTAssertEqual(DOM.values(series: "likes", in: DOM.element("svg", id: "likes", in: page) ?? ""), history.map { "\($0["likes"] as? Int ?? -1)" })
        let weights = DOM.element("svg", id: "weights", in: page) ?? ""
        XCTAssertEqual(DOM.values(series: "safetensors", in: weights), ["4412304", "4412304"])
        XCTAssertTrue(weights.contains("bytes"), "the y axis names its unit")
        XCTAssertTrue(page.contains("observed at (UTC)"), "the x axis is labelled")
        XCTAssertEqual(DOM.count("class=\"bar\"", in: DOM.element("svg", id: "commits", in: page) ?? "") > 0, true)
        XCTAssertEqual(DOM.rows(DOM.element("table", id: "snapshots", in: page) ?? "").count, 2)
        XCTAssertEqual(DOM.rows(DOM.element("table", id: "files-table", in: page) ?? "").count, 7)
        XCTAssertNotNil(DOM.element("table", id: "licenses", in: page), "licence history")
        XCTAssertTrue(page.contains("/google-bert/bert-tiny/resolve/"), "files link to the endpoint")
        // The plain-text fallback: the same numbers as CSV.
        let csv = try Shell.run(Shell.which("curl"), ["-sS", serve.origin + "/package/hf/google-bert/bert-tiny?csv=downloads"]).out
        XCTAssertEqual(csv.split(separator: "\n").count, 1 + history.count, csv)

        // The diff between the two snapshots: the changed files, weights and config keys.
        let snapshots = try serve.workspace.sediment(["snapshots", "hf:google-bert/bert-tiny", "--json"], config: world.configPath).jsonLines
            .compactMap { $0["snapshot"] as? String }
        XCTAssertEqual(snapshots.count, 2)
        let diff = try serve.browse("/diff/hf/google-bert/bert-tiny?from=\(snapshots[0])&to=\(snapshots[1])", screenshot: "diff")
        let files = DOM.element("table", id: "changed-files", in: diff) ?? ""
        XCTAssertEqual(DOM.rows(files).count, 2, files)
        XCTAssertTrue(files.contains(">config.json<") && files.contains(">model.safetensors<"), files)
        XCTAssertTrue((DOM.element("table", id: "changed-weights", in: diff) ?? "").contains("model.safetensors"))
        let keys = DOM.element("table", id: "changed-config", in: diff) ?? ""
        XCTAssertTrue(keys.contains("hidden_dropout_prob") && keys.contains("transformers_version"), keys)

        // A model deleted upstream is still shown, and says so.
        let deleted = try serve.browse("/package/hf/acme/vit-small")
        XCTAssertNotNil(DOM.element("span", id: "deleted", in: deleted))

        // Hub-wide trends: formats, licences, new packages; each with its numbers.
        let trends = try serve.browse("/trends/hf", screenshot: "trends")
        let formats = DOM.element("svg", id: "formats", in: trends) ?? ""
        // Of the four models, all have safetensors weights and one (gpt2-mini) pickle weights too.
        XCTAssertEqual(DOM.values(series: "safetensors", in: formats), ["100"])
        XCTAssertEqual(DOM.values(series: "pickle", in: formats), ["25"])
        XCTAssertEqual(DOM.count("class=\"bar\"", in: DOM.element("svg", id: "licenses", in: trends) ?? ""), 3)
        XCTAssertEqual(DOM.values(series: "new packages", in: DOM.element("svg", id: "new", in: trends) ?? ""), ["4"])
        XCTAssertEqual(DOM.count("class=\"plot-data\"", in: trends), 3, "each plot has its table")
        // `sediment trends` prints the same numbers.
        let printed = try serve.workspace.sediment(["trends", "--hub", "hf", "--json"], config: world.configPath).jsonLines
        XCTAssertEqual(printed.count, 1)
        XCTAssertEqual(printed.first?["packages"] as? Int, 4)
        XCTAssertEqual(printed.first?["safetensors"] as? Int, 4)
        XCTAssertEqual(printed.first?["pickle"] as? Int, 1)
        XCTAssertEqual(printed.first?["new"] as? Int, 4)
        XCTAssertEqual(printed.first?["licenses"] as? [String: Int], ["apache-2.0": 2, "mit": 1, "other": 1])

        for name in ["home", "search", "package", "diff", "trends"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: ServeFixture.artefacts + "/\(name).png")[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size, 10_000, "screenshot \(name).png")
        }
    }
}
