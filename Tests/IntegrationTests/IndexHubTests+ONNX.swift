import Foundation
import SedimentStore
import XCTest

/// The ONNX Model Zoo end to end: packages in subpaths of one repository, each its entry.
extension IndexHubTests {
    /// The ONNX Model Zoo: one repository, packages from ONNX_HUB_MANIFEST.json in subpaths,
    /// each with the last commit touching its folder as its head; one fetch per crawl.
    func testONNXModelZooSubpathPackages() throws {
        let pointer = { (seed: String, size: Int) in
            "version https://git-lfs.github.com/spec/v1\noid sha256:\(String(repeating: seed, count: 64))\nsize \(size)\n"
        }
        let resnet = "validated/vision/classification/resnet/model"
        let bert = "validated/text/machine_comprehension/bert-squad/model"
        let manifest = """
            [
              {"model": "ResNet50", "model_path": "\(resnet)/resnet50-v1-7.onnx", "onnx_version": "1.2.1", "opset_version": 7,
               "metadata": {"model_sha": "\(String(repeating: "a", count: 64))", "model_bytes": 102583340, "tags": ["vision", "classification"],
                            "io_ports": {"inputs": [{"name": "data", "shape": [1, 3, 224, 224], "type": "tensor(float)"}]}}},
              {"model": "ResNet50-v2", "model_path": "\(resnet)/resnet50-v2-7.onnx", "onnx_version": "1.2.1", "opset_version": 7,
               "metadata": {"model_sha": "\(String(repeating: "b", count: 64))", "model_bytes": 102442450, "tags": ["vision"]}},
              {"model": "BERT-Squad", "model_path": "\(bert)/bertsquad-12.onnx", "onnx_version": "1.9", "opset_version": 12,
               "metadata": {"model_sha": "\(String(repeating: "c", count: 64))", "model_bytes": 435852736, "tags": ["text"]}},
              {"model": "broken"}
            ]
            """
        let zoo = try repository("onnx/models", files: [
            "ONNX_HUB_MANIFEST.json": manifest, "README.md": "# ONNX Model Zoo\n",
            "\(resnet)/resnet50-v1-7.onnx": pointer("a", 102583340), "\(resnet)/resnet50-v2-7.onnx": pointer("b", 102442450),
            "\(resnet)/README.md": "# ResNet\n", "\(bert)/bertsquad-12.onnx": pointer("c", 435852736), "\(bert)/README.md": "# BERT\n",
        ])
        let first = try ws.git(["rev-parse", "HEAD"], in: zoo).trimmingCharacters(in: .whitespacesAndNewlines)
        try ws.write("\(bert)/README.md", "# BERT-Squad\nUpdated.\n", in: zoo)
        try ws.commitAll("update bert card", in: zoo)
        let second = try ws.git(["rev-parse", "HEAD"], in: zoo).trimmingCharacters(in: .whitespacesAndNewlines)
        try ws.write("README.md", "# ONNX Model Zoo\nMore text.\n", in: zoo)
        try ws.commitAll("top-level readme", in: zoo)
        try publish(zoo, as: "onnx/models")
        http = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
        try configure("[[hub]]\nkind = \"onnx-model-zoo\"\nname = \"onnx\"")

        let sync = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertTrue(sync.stderr.contains("model_path"), "the entry without a path is reported: \(sync.stderr)")
        XCTAssertEqual(sync.jsonLines.count, 3)
        XCTAssertEqual(try connections()["/github.com/onnx/models"], 1, "the index and its three packages share one fetch")

        let bertID = "onnx:\(bert)/bertsquad-12.onnx"
        let resnetID = "onnx:\(resnet)/resnet50-v1-7.onnx"
        let packages = try ws.sediment(["packages", "--json"]).jsonLines
        XCTAssertEqual(packages.first { $0["id"] as? String == "\(bert)/bertsquad-12.onnx" }?["subpath"] as? String, bert)
        XCTAssertEqual(try ws.sediment(["snapshots", bertID, "--json"]).jsonLines.last?["head"] as? String, second)
        XCTAssertEqual(try ws.sediment(["snapshots", resnetID, "--json"]).jsonLines.last?["head"] as? String, first)
        let files = try ws.sediment(["show", bertID, "--json"]).jsonLines
        XCTAssertEqual(Set(files.compactMap { $0["path"] as? String }), ["README.md", "bertsquad-12.onnx"])
        XCTAssertEqual(files.first { $0["path"] as? String == "bertsquad-12.onnx" }?["lfs_size"] as? Int, 435852736)
        XCTAssertEqual(try ws.sediment(["show", bertID, "README.md"]).out, "# BERT-Squad\nUpdated.\n")
        let log = Set(try ws.sediment(["log", bertID, "--json"]).jsonLines.compactMap { $0["commit"] as? String })
        XCTAssertEqual(log, [first, second], "a subpath package's log lists the commits that touched it")
        // diff within a subpath equals git's, limited to that folder.
        let subDiff = try ws.sediment(["diff", bertID, String(first.prefix(10)), String(second.prefix(10)), "--json"])
        XCTAssertEqual(subDiff.status, 0, subDiff.stderr)
        XCTAssertEqual(sedimentFileChanges(subDiff.jsonLines), try gitNameStatus(ws, zoo, first, second, subpath: bert))
        XCTAssertEqual(sedimentFileChanges(subDiff.jsonLines), ["modified README.md"])
        let catalog = try Catalog(readOnlyPath: ws.store + "/catalog.sqlite")
        let metadata = try catalog.metadata(package: try catalog.package(named: resnetID).rowID).last?.json ?? ""
        XCTAssertTrue(metadata.contains("\"opset_version\":7") && metadata.contains("\"model_bytes\":102583340"), metadata)

        // A change to the ResNet folder only: its packages move, BERT's does not.
        try ws.write("\(resnet)/README.md", "# ResNet\nv2 notes.\n", in: zoo)
        try ws.commitAll("resnet notes", in: zoo)
        try publish(zoo, as: "onnx/models")
        let again = try ws.sediment(["sync", "--json"])
        let byID = Dictionary(uniqueKeysWithValues: again.jsonLines.map { ($0["package"] as? String ?? "", $0) })
        XCTAssertEqual(byID["\(resnet)/resnet50-v1-7.onnx"]?["eventful"] as? Bool, true)
        XCTAssertEqual(byID["\(resnet)/resnet50-v2-7.onnx"]?["eventful"] as? Bool, true)
        XCTAssertEqual(byID["\(bert)/bertsquad-12.onnx"]?["eventful"] as? Bool, false)
    }
}

extension IndexHubTests {
    /// An ONNX Model Zoo package is its entry: in a folder of three entries (as the real
    /// `vgg/model/`), one entry's manifest holds its model, its `model_with_data_path` archive
    /// and the README one level up; its LFS bytes are `model_bytes + model_with_data_bytes`;
    /// its head and log move only with its own files; `reuse` finds no reuse among entries of
    /// one folder, and does find a real re-upload under another path.
    func testONNXPackageIsItsEntryNotItsFolder() throws {
        let family = "validated/vision/classification/vgg"
        let folder = family + "/model"
        let pointer = { (seed: String, size: Int) in
            "version https://git-lfs.github.com/spec/v1\noid sha256:\(String(repeating: seed, count: 64))\nsize \(size)\n"
        }
        let entries: [(name: String, seed: String, bytes: Int, dataSeed: String, dataBytes: Int)] = [
            ("vgg16-7", "1", 553_436_134, "2", 512_642_021), ("vgg19-7", "3", 574_677_218, "4", 533_541_923),
            ("vgg16-bn-7", "5", 553_509_467, "6", 512_711_118),
        ]
        // A weight file of the folder that no entry names belongs to every entry of it: one file, not reuse.
        var files = ["\(family)/README.md": "# VGG\n", "\(folder)/LICENSE": "MIT\n", "\(folder)/preprocess.onnx": pointer("8", 1000)]
        var manifest: [String] = []
        for e in entries {
            files["\(folder)/\(e.name).onnx"] = pointer(e.seed, e.bytes)
            files["\(folder)/\(e.name).tar.gz"] = pointer(e.dataSeed, e.dataBytes)
            manifest.append("""
                {"model": "\(e.name)", "model_path": "\(folder)/\(e.name).onnx", "onnx_version": "1.2.1", "opset_version": 7,
                 "metadata": {"model_sha": "\(String(repeating: e.seed, count: 64))", "model_bytes": \(e.bytes), "tags": ["vision"],
                              "model_with_data_path": "\(folder)/\(e.name).tar.gz", "model_with_data_sha": "\(String(repeating: e.dataSeed, count: 64))",
                              "model_with_data_bytes": \(e.dataBytes)}}
                """)
        }
        // The same weights re-uploaded under another path: real reuse.
        files["validated/vision/classification/vgg-copy/model/vgg16.onnx"] = pointer("1", 553_436_134)
        manifest.append("{\"model\": \"vgg16-copy\", \"model_path\": \"validated/vision/classification/vgg-copy/model/vgg16.onnx\"}")
        files["ONNX_HUB_MANIFEST.json"] = "[" + manifest.joined(separator: ",\n") + "]"
        let zoo = try repository("onnx/models", files: files)
        let first = try ws.git(["rev-parse", "HEAD"], in: zoo).trimmingCharacters(in: .whitespacesAndNewlines)
        // A commit that changes only another entry's weights.
        try ws.write("\(folder)/vgg19-7.onnx", pointer("7", 574_677_219), in: zoo)
        try ws.commitAll("new vgg19 weights", in: zoo)
        try publish(zoo, as: "onnx/models")
        http = try GitHTTPServer(root: ws.served, home: ws.home, scratch: ws.root)
        try configure("[[hub]]\nkind = \"onnx-model-zoo\"\nname = \"onnx\"")

        let sync = try ws.sediment(["sync", "--json"])
        XCTAssertEqual(sync.status, 0, sync.stderr)
        XCTAssertEqual(sync.jsonLines.count, 4)
        let vgg16 = "onnx:\(folder)/vgg16-7.onnx"
        let shown = try ws.sediment(["show", vgg16, "--json"]).jsonLines
        XCTAssertEqual(Set(shown.compactMap { $0["path"] as? String }), ["../README.md", "LICENSE", "preprocess.onnx", "vgg16-7.onnx", "vgg16-7.tar.gz"])
        XCTAssertEqual(try ws.sediment(["show", vgg16, "../README.md"]).out, "# VGG\n")
        let observed = try ws.catalogRows("""
            SELECT o.lfs_files, o.lfs_bytes, o.card_state FROM observation o JOIN package p ON p.id = o.package_id
            WHERE p.package_id = '\(folder)/vgg16-7.onnx'
            """)
        XCTAssertEqual(observed, [["3", "\(553_436_134 + 512_642_021 + 1000)", "ok"]],
                       "LFS bytes = model_bytes + model_with_data_bytes (+ the folder's unnamed file)")
        XCTAssertEqual(try ws.sediment(["snapshots", vgg16, "--json"]).jsonLines.last?["head"] as? String, first,
                       "another entry's new weights do not move this entry's head")
        XCTAssertEqual(Set(try ws.sediment(["log", vgg16, "--json"]).jsonLines.compactMap { $0["commit"] as? String }), [first])
        XCTAssertEqual(try ws.sediment(["log", "onnx:\(folder)/vgg19-7.onnx", "--json"]).jsonLines.count, 2)
        let weightChanges = try ws.catalogRows("SELECT package, path FROM weight_changes WHERE commit_id <> '\(first)'")
        XCTAssertEqual(weightChanges, [["\(folder)/vgg19-7.onnx", "\(folder)/vgg19-7.onnx"]])

        let groups = try ws.sediment(["reuse", "--json"]).jsonLines
        XCTAssertEqual(groups.count, 1, "entries of one folder share files, which is not reuse: \(groups)")
        XCTAssertEqual(groups.first?["oid"] as? String, String(repeating: "1", count: 64))
        XCTAssertEqual(groups.first?["places"] as? Int, 2)

        // An entry's manifest is rebuilt from the mirror by its own files, not its folder's.
        let catalog = try Catalog(readOnlyPath: ws.store + "/catalog.sqlite")
        let entryManifest = try XCTUnwrap(try catalog.snapshots(package: try catalog.package(named: vgg16).rowID).last?.manifest)
        let original = try ws.storedContent(entryManifest.hex)
        try ws.loseBlob(entryManifest.hex)
        XCTAssertEqual(try ws.sediment(["verify"]).status, 3)
        let repair = try ws.sediment(["verify", "--repair"])
        XCTAssertEqual(repair.status, 0, repair.out + repair.stderr)
        XCTAssertEqual(try ws.storedContent(entryManifest.hex), original)
    }
}
