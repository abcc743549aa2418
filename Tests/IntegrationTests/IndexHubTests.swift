import Foundation
import SedimentStore
import XCTest

/// The index hubs (`modelhub`, `pytorch-hub`) end to end: the index repository and the
/// package repositories served by `git http-backend` as if from github.com, reached through
/// a `[[rewrite]]` rule.
final class IndexHubTests: XCTestCase {
    var ws: Workspace!
    var http: GitHTTPServer!

    override func setUpWithError() throws {
        ws = try Workspace()
    }

    override func tearDownWithError() throws {
        http = nil
        ws = nil
    }

    /// Publishes a working repository at `served/github.com/<slug>` (no `.git`, as GitHub URLs).
    func publish(_ work: String, as slug: String, branches: [String] = ["main"]) throws {
        let bare = ws.served + "/github.com/" + slug
        if !FileManager.default.fileExists(atPath: bare) {
            try FileManager.default.createDirectory(atPath: bare, withIntermediateDirectories: true)
            try ws.git(["init", "-q", "--bare", bare])
        }
        for branch in branches { try ws.git(["push", "-q", "--force", bare, branch], in: work) }
        try ws.git(["symbolic-ref", "HEAD", "refs/heads/\(branches[0])"], in: bare)
    }

    func repository(_ slug: String, files: [String: String]) throws -> String {
        let work = try ws.newRepository(slug)
        for (path, text) in files { try ws.write(path, text, in: work) }
        try ws.commitAll("initial", in: work)
        return work
    }

    func configure(_ hubs: String) throws {
        try """
            [storage]
            path = "\(ws.store)"

            \(hubs)

            [[rewrite]]
            prefix = "https://github.com/"
            replacement = "http://127.0.0.1:\(http.port)/github.com/"
            """.write(toFile: ws.configPath, atomically: true, encoding: .utf8)
    }

    /// `info/refs` requests (git connections) per served path, from the server's log.
    func connections() throws -> [String: Int] {
        let log = (try? String(contentsOfFile: http.bytesLog, encoding: .utf8)) ?? ""
        var counts: [String: Int] = [:]
        for line in log.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3, fields[1] == "GET", let range = fields[2].range(of: "/info/refs") else { continue }
            counts[String(fields[2][..<range.lowerBound]), default: 0] += 1
        }
        return counts
    }

    func testModelhubIndex() throws {
        let squeezenet = try repository("modelhub-ai/squeezenet", files: ["README.md": "# SqueezeNet\n", "contrib_src/model.py": "x = 1\n"])
        try ws.git(["branch", "-q", "-m", "main", "master"], in: squeezenet)
        try publish(squeezenet, as: "modelhub-ai/squeezenet", branches: ["master"])
        let alexnet = try repository("modelhub-ai/alexnet", files: ["README.md": "# AlexNet\n"])
        try ws.git(["checkout", "-q", "-b", "v2"], in: alexnet)
        try ws.write("v2.txt", "second version\n", in: alexnet)
        try ws.commitAll("v2", in: alexnet)
        try publish(alexnet, as: "modelhub-ai/alexnet", branches: ["main", "v2"])
        let index = try repository("modelhub-ai/modelhub", files: ["models.json": """
            [
              {"id": 1, "name": "squeezenet", "task_extended": "ImageNet classification", "github": "https://github.com/modelhub-ai/squeezenet",
               "github_branch": "master", "backend": ["kubernetes"], "gpu": false},
              {"id": 2, "name": "alexnet", "task_extended": "ImageNet classification", "github": "https://github.com/modelhub-ai/alexnet",
               "github_branch": "v2", "backend": ["kubernetes"]},
              {"id": 3, "name": "no-repo", "task_extended": "nothing"}
            ]
            """])
        try publish(index, as: "modelhub-ai/modelhub")
        http = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
        try configure("[[hub]]\nkind = \"modelhub\"\nname = \"mh\"")

        let sync = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertTrue(sync.stderr.contains("no-repo") && sync.stderr.contains("github"), "a bad entry is reported: \(sync.stderr)")
        let packages = try ws.sediment(["packages", "--json"]).jsonLines
        XCTAssertEqual(Set(packages.compactMap { $0["id"] as? String }), ["squeezenet", "alexnet"])
        XCTAssertEqual(packages.first { $0["id"] as? String == "alexnet" }?["repository"] as? String, "https://github.com/modelhub-ai/alexnet")
        // The package's head is its github_branch.
        let snapshot = try XCTUnwrap(try ws.sediment(["snapshots", "mh:alexnet", "--json"]).jsonLines.last)
        XCTAssertEqual(snapshot["head_ref"] as? String, "refs/heads/v2")
        XCTAssertEqual(try ws.sediment(["show", "mh:alexnet", "v2.txt"]).out, "second version\n")
        XCTAssertEqual(try XCTUnwrap(try ws.sediment(["snapshots", "mh:squeezenet", "--json"]).jsonLines.last)["head_ref"] as? String,
                       "refs/heads/master")
        // The index entry is the package's metadata.
        let catalog = try Catalog(readOnlyPath: ws.store + "/catalog.sqlite")
        let metadata = try catalog.metadata(package: try catalog.package(named: "mh:squeezenet").rowID)
        XCTAssertTrue(metadata.last?.json.contains("\"task_extended\":\"ImageNet classification\"") == true, metadata.last?.json ?? "")
    }

    func testPyTorchHubIndexSharesOneFetchPerRepository() throws {
        let vision = try repository("pytorch/vision", files: [
            "hubconf.py": "dependencies = ['torch']\nfrom x import y\n\ndef resnet18(pretrained=False, **kwargs):\n    return 1\n\ndef alexnet(**kwargs):\n    pass\n\ndef _private():\n    pass\n\nclass NotAnEntry:\n    def method(self): pass\n",
            "torchvision/models/resnet.py": "class ResNet: pass\n",
        ])
        try publish(vision, as: "pytorch/vision")
        let wsl = try repository("facebookresearch/WSL-Images", files: ["hubconf.py": "def resnext101_32x8d_wsl(progress=True):\n    pass\n"])
        try publish(wsl, as: "facebookresearch/WSL-Images")
        let card = { (title: String, github: String) in
            "---\nlayout: hub_detail\nbackground-class: hub-background\nbody-class: hub\ntitle: \(title)\nsummary: A model of \(title)\ncategory: researchers\nimage: x.png\nauthor: Pytorch Team\ntags: [vision, scriptable]\ngithub-link: https://github.com/\(github).git\ngithub-id: \(github)\nfeatured_image_1: a.png\nfeatured_image_2: no-image\naccelerator: cuda-optional\norder: 10\n---\n\n### Model Description\n\nText.\n"
        }
        let hubIndex = try repository("pytorch/hub", files: [
            "pytorch_vision_resnet.md": card("ResNet", "pytorch/vision"),
            "pytorch_vision_alexnet.md": card("AlexNet", "pytorch/vision"),
            "facebookresearch_WSL-Images_resnext.md": card("ResNext WSL", "facebookresearch/WSL-Images"),
            "broken_card.md": "---\ntitle: [unclosed\n---\n",
            "README.md": "# PyTorch Hub\n",
            "images/x.png": "png",
        ])
        try publish(hubIndex, as: "pytorch/hub")
        http = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
        try configure("[[hub]]\nkind = \"pytorch-hub\"\nname = \"pt\"")

        let sync = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertTrue(sync.stderr.contains("broken_card.md"), "a malformed card is reported: \(sync.stderr)")
        XCTAssertEqual(Set(sync.jsonLines.compactMap { $0["package"] as? String }),
                       ["pytorch_vision_resnet", "pytorch_vision_alexnet", "facebookresearch_WSL-Images_resnext"])
        XCTAssertTrue(sync.jsonLines.allSatisfy { $0["status"] as? String == "full" })
        XCTAssertEqual(try connections()["/github.com/pytorch/vision"], 1, "two packages in one repository: one fetch")

        let catalog = try Catalog(readOnlyPath: ws.store + "/catalog.sqlite")
        let resnet = try catalog.metadata(package: try catalog.package(named: "pt:pytorch_vision_resnet").rowID).last?.json ?? ""
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(resnet.utf8)) as? [String: Any])
        XCTAssertEqual(object["hubconf_entrypoints"] as? [String], ["resnet18", "alexnet"])
        XCTAssertEqual(object["title"] as? String, "ResNet")
        XCTAssertEqual(object["tags"] as? [String], ["vision", "scriptable"])
        XCTAssertEqual(object["github-id"] as? String, "pytorch/vision")
        // Both packages of one repository see the same files.
        XCTAssertEqual(try ws.sediment(["show", "pt:pytorch_vision_alexnet", "hubconf.py"]).status, 0)
        XCTAssertEqual(try ws.sediment(["show", "pt:pytorch_vision_resnet", "torchvision/models/resnet.py"]).out, "class ResNet: pass\n")

        // A second crawl: still one connection per repository, nothing new.
        let again = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.jsonLines.allSatisfy { $0["eventful"] as? Bool == false })
        XCTAssertEqual(try connections()["/github.com/pytorch/vision"], 2)
    }
}

extension IndexHubTests {
    /// modelzoo.co: the catalogue, then each model's details (with a Referer); a model linking
    /// to a git host is mirrored, any other is a metadata-only package.
    func testModelZooCatalogue() throws {
        let deeplab = try repository("tensorflow/deeplab", files: ["README.md": "# DeepLab\n", "model.py": "x = 2\n"])
        try publish(deeplab, as: "tensorflow/deeplab")
        http = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
        let hubRoot = ws.root + "/modelzoo"
        try FileManager.default.createDirectory(atPath: hubRoot, withIntermediateDirectories: true)
        let catalogue: [String: Any] = ["models": [
            ["slug": "deeplab", "title": "DeepLab", "description": "Semantic segmentation", "stars": 42,
             "link": "https://github.com/tensorflow/deeplab/tree/master/research", "framework": ["name": "TensorFlow"],
             "categories": [["name": "Computer Vision"]], "long_desc": "A long description.", "papers": ["paper": "https://arxiv.org/abs/1606.00915"], "id": 7],
            ["slug": "blog-only", "title": "Only a blog post", "description": nil as Any? as Any, "stars": nil as Any? as Any,
             "link": "https://example.org/post", "framework": ["name": "Caffe"], "categories": [], "long_desc": "", "id": 8],
            ["title": "no slug"],
        ]]
        try JSONSerialization.data(withJSONObject: catalogue).write(to: URL(fileURLWithPath: hubRoot + "/modelzoo.json"))
        let zoo = try FixtureHub(root: hubRoot, home: ws.home, scratch: ws.root)
        try configure("[[hub]]\nkind = \"modelzoo\"\nname = \"mz\"\nendpoint = \"\(zoo.endpoint)\"")

        let sync = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertTrue(sync.stderr.contains("catalogue entry 2"), "the entry without a slug is reported: \(sync.stderr)")
        let byID = Dictionary(uniqueKeysWithValues: sync.jsonLines.map { ($0["package"] as? String ?? "", $0) })
        XCTAssertEqual(byID["deeplab"]?["eventful"] as? Bool, true)
        XCTAssertEqual(byID["blog-only"]?["status"] as? String, "full")
        XCTAssertEqual(byID["blog-only"]?["metadata_only"] as? Bool, true)
        let packages = try ws.sediment(["packages", "--json"]).jsonLines
        XCTAssertEqual(packages.first { $0["id"] as? String == "deeplab" }?["repository"] as? String, "https://github.com/tensorflow/deeplab")
        XCTAssertTrue(packages.first { $0["id"] as? String == "blog-only" }?["repository"] is NSNull, "a metadata-only package")
        XCTAssertEqual(try ws.sediment(["show", "mz:deeplab", "model.py"]).out, "x = 2\n")
        let catalog = try Catalog(readOnlyPath: ws.store + "/catalog.sqlite")
        let metadata = try catalog.metadata(package: try catalog.package(named: "mz:deeplab").rowID).last?.json ?? ""
        XCTAssertTrue(metadata.contains("\"long_desc\":\"A long description.\""), "details are merged: \(metadata)")
        XCTAssertTrue(metadata.contains("\"stars\":42"), metadata)
        let blog = try catalog.metadata(package: try catalog.package(named: "mz:blog-only").rowID)
        XCTAssertEqual(blog.count, 1)

        // The next crawl asks conditionally: unchanged answers are 304s, the metadata is the same.
        try zoo.resetStats()
        let again = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        let notModified = try JSONSerialization.jsonObject(with: zoo.call("GET", "/_fixture/stats")) as? [String: Any]
        let counts = notModified?["not_modified"] as? [String: Int] ?? [:]
        XCTAssertEqual(counts["/api/models/0/"], 1, "\(counts)")
        XCTAssertEqual(counts["/api/models/deeplab/"], 1, "\(counts)")
        let reread = try Catalog(readOnlyPath: ws.store + "/catalog.sqlite")
        let latest = try reread.metadata(package: try reread.package(named: "mz:deeplab").rowID)
        XCTAssertEqual(latest.count, 1, "a revalidated answer gives the same metadata, stored once")
    }
}

extension IndexHubTests {
    /// The real `pytorch/hub` index has CRLF cards (`hustvl_yolop.md`): each is archived like
    /// an LF one. Every listed entry that is skipped is named in `sync`'s output and in `status`.
    func testPyTorchHubCRLFCardsAreArchivedAndSkippedEntriesNamed() throws {
        let yolop = try repository("hustvl/YOLOP", files: ["hubconf.py": "dependencies = ['torch']\r\n\r\ndef yolop(pretrained=True):\r\n    return 1\r\n"])
        try publish(yolop, as: "hustvl/YOLOP")
        let crlf = "---\r\nlayout: hub_detail\r\ntitle: YOLOP\r\ntags: [vision]\r\ngithub-link: https://github.com/hustvl/YOLOP\r\ngithub-id: hustvl/YOLOP\r\n---\r\n\r\n### Before You Start\r\n"
        let hubIndex = try repository("pytorch/hub", files: [
            "hustvl_yolop.md": crlf,
            "pytorch_vision_snnmlp.md": "\u{FEFF}" + crlf.replacingOccurrences(of: "title: YOLOP", with: "title: SNNMLP"),
            "notes.md": "# Release notes\n",
            "no_id.md": "---\ntitle: X\n---\n",
            "README.md": "# PyTorch Hub\n",
        ])
        try publish(hubIndex, as: "pytorch/hub")
        http = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
        try configure("[[hub]]\nkind = \"pytorch-hub\"\nname = \"pt\"")

        let sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertTrue(sync.out.contains("pt:hustvl_yolop: new snapshot"), sync.out)
        XCTAssertTrue(sync.out.contains("pt:pytorch_vision_snnmlp: new snapshot"), sync.out)
        XCTAssertTrue(sync.stderr.contains("pt: notes.md: skipped: not a model card"), sync.stderr)
        XCTAssertTrue(sync.stderr.contains("pt: no_id.md: skipped: has no valid \"github-id\""), sync.stderr)
        XCTAssertTrue(sync.out.contains("2 listed entries skipped"), sync.out)

        let catalog = try Catalog(readOnlyPath: ws.store + "/catalog.sqlite")
        let metadata = try catalog.metadata(package: try catalog.package(named: "pt:hustvl_yolop").rowID).last?.json ?? ""
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(metadata.utf8)) as? [String: Any])
        XCTAssertEqual(object["title"] as? String, "YOLOP")
        XCTAssertEqual(object["hubconf_entrypoints"] as? [String], ["yolop"], "a CRLF hubconf.py is read by lines too")

        let status = try ws.sediment(["status"])
        XCTAssertTrue(status.out.contains("hub pt: the last crawl skipped 2 listed entries:"), status.out)
        XCTAssertTrue(status.out.contains("  notes.md: skipped: not a model card"), status.out)
        let json = try XCTUnwrap(try ws.sediment(["status", "--json"]).jsonLines.first)
        let hub = try XCTUnwrap((json["hubs"] as? [[String: Any]])?.first)
        XCTAssertEqual((hub["last_crawl_skipped"] as? [String])?.count, 2)
    }
}

extension IndexHubTests {
    /// Hub data does not choose which internal hosts Sediment contacts: a Modelhub entry whose
    /// `github` names a loopback server that no configured URL or rewrite names is refused
    /// before any connection, the other entries are archived, and `[security] allow_networks`
    /// lets it through.
    func testHubDataCannotReachInternalAddresses() throws {
        let inside = try repository("org/inside", files: ["README.md": "internal\n"])
        try publish(inside, as: "org/inside")
        let outside = try repository("org/outside", files: ["README.md": "public\n"])
        try publish(outside, as: "org/outside")
        http = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
        // Another server on this machine, which no configured URL or rewrite names.
        try FileManager.default.createDirectory(atPath: ws.root + "/other", withIntermediateDirectories: true)
        let otherServer = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root + "/other")
        let index = try repository("modelhub-ai/modelhub", files: ["models.json": """
            [{"id": 1, "name": "inside", "github": "http://127.0.0.1:\(otherServer.port)/github.com/org/inside"},
             {"id": 2, "name": "outside", "github": "https://github.com/org/outside"}]
            """])
        try publish(index, as: "modelhub-ai/modelhub")
        try configure("[[hub]]\nkind = \"modelhub\"\nname = \"mh\"")

        let sync = try ws.sediment(["sync"])
        XCTAssertEqual(sync.status, 1, sync.stderr)
        XCTAssertTrue(sync.out.contains("mh:inside: failed: refused to fetch http://127.0.0.1:\(otherServer.port)/github.com/org/inside: "
                                        + "127.0.0.1 is a loopback address, and the URL comes from hub data"), sync.out)
        XCTAssertTrue(sync.out.contains("mh:outside: new snapshot"), sync.out)
        let reached = (try? String(contentsOfFile: otherServer.bytesLog, encoding: .utf8)) ?? ""
        XCTAssertFalse(reached.contains("/github.com/org/inside"), "no request reached the internal address: \(reached)")

        try configure("[security]\nallow_networks = [\"127.0.0.0/8\"]\n\n[[hub]]\nkind = \"modelhub\"\nname = \"mh\"")
        let allowed = try ws.sediment(["sync"])
        XCTAssertEqual(allowed.status, 0, allowed.out + allowed.stderr)
        XCTAssertEqual(try ws.sediment(["show", "mh:inside", "README.md"]).out, "internal\n")

        try configure("[security]\nallow_networks = [\"not a network\"]\n\n[[hub]]\nkind = \"modelhub\"")
        let bad = try ws.sediment(["sync"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("security.allow_networks[0]"), bad.stderr)
    }
}
