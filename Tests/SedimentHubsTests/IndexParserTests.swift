import Foundation
@testable import SedimentHubs
import XCTest

/// The hub parsers on inputs in the real formats (as the hubs publish them).
final class IndexParserTests: XCTestCase {
    func testPyTorchHubCard() throws {
        let card = """
            ---
            layout: hub_detail
            background-class: hub-background
            body-class: hub
            title: ResNet
            summary: Deep residual networks pre-trained on ImageNet
            category: researchers
            image: resnet.png
            author: Pytorch Team
            tags: [vision, scriptable]
            github-link: https://github.com/pytorch/vision/blob/main/torchvision/models/resnet.py
            github-id: pytorch/vision
            featured_image_1: resnet.png
            featured_image_2: no-image
            accelerator: cuda-optional
            order: 10
            demo-model-link: https://huggingface.co/spaces/pytorch/ResNet
            ---

            ```python
            import torch
            model = torch.hub.load('pytorch/vision:v0.10.0', 'resnet18', pretrained=True)
            ```
            """
        let listed = PyTorchHubIndex.packages(hub: "pt", cards: [("pytorch_vision_resnet.md", Data(card.utf8)),
                                                                 ("README.md", Data("# hub\n".utf8)),
                                                                 ("no_front_matter.md", Data("# just text\n".utf8)),
                                                                 ("bad.md", Data("---\ntitle: [x\n---\n".utf8)),
                                                                 ("no_id.md", Data("---\ntitle: X\n---\n".utf8))])
        XCTAssertEqual(listed.packages.map(\.id), ["pytorch_vision_resnet"])
        XCTAssertEqual(listed.packages.first?.repository, "https://github.com/pytorch/vision")
        XCTAssertEqual(Set(listed.problems.map(\.item)), ["bad.md", "no_id.md", "no_front_matter.md"],
                       "every listed card that is skipped is named, README.md aside")
        XCTAssertTrue(listed.problems.allSatisfy { $0.problem.hasPrefix("skipped: ") }, "\(listed.problems)")
        let metadata = try XCTUnwrap(listed.packages.first?.metadata)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(metadata.utf8)) as? [String: Any])
        XCTAssertEqual(object["tags"] as? [String], ["vision", "scriptable"])
        XCTAssertEqual(object["order"] as? Int, 10)
        XCTAssertEqual(object["summary"] as? String, "Deep residual networks pre-trained on ImageNet")
    }

    /// The real `pytorch/hub` index has CRLF cards (`hustvl_yolop.md`); with a BOM and mixed
    /// endings too, each is a package with the same fields as its LF twin.
    func testPyTorchHubCardsWithCRLFMixedEndingsAndBOM() throws {
        let lf = "---\nlayout: hub_detail\ntitle: YOLOP\ntags: [vision]\ngithub-id: hustvl/YOLOP\n---\n\n### Before You Start\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let mixed = "---\r\nlayout: hub_detail\ntitle: YOLOP\r\ntags: [vision]\ngithub-id: hustvl/YOLOP\r\n---\n\nbody"
        let bom = Data([0xEF, 0xBB, 0xBF]) + Data(crlf.utf8)
        let listed = PyTorchHubIndex.packages(hub: "pt", cards: [("a_lf.md", Data(lf.utf8)), ("b_crlf.md", Data(crlf.utf8)),
                                                                 ("c_mixed.md", Data(mixed.utf8)), ("d_bom.md", bom)])
        XCTAssertEqual(listed.problems, [])
        XCTAssertEqual(listed.packages.map(\.id), ["a_lf", "b_crlf", "c_mixed", "d_bom"])
        XCTAssertEqual(Set(listed.packages.map(\.repository)), ["https://github.com/hustvl/YOLOP"])
        XCTAssertEqual(Set(listed.packages.map(\.metadata)).count, 1, "the same fields whatever the line endings")
    }

    func testHubconfEntrypointsWithCRLFAndBOM() {
        let lf = "dependencies = ['torch']\n\ndef yolop(pretrained=True):\n    return None\n\ndef _helper():\n    pass\ndef other(): pass"
        let crlf = Data([0xEF, 0xBB, 0xBF]) + Data(lf.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let mixed = Data(lf.replacingOccurrences(of: "\n\n", with: "\r\n\n").utf8)
        XCTAssertEqual(HubconfEntrypoints.parse(Data(lf.utf8)), ["yolop", "other"])
        XCTAssertEqual(HubconfEntrypoints.parse(crlf), ["yolop", "other"])
        XCTAssertEqual(HubconfEntrypoints.parse(mixed), ["yolop", "other"])
    }

    /// A folder of several entries (the real `vgg/model/` holds twelve): each package is its
    /// entry, leaving out the other entries' weights, with the README one level up as its card.
    func testONNXEntriesOfOneFolder() throws {
        let folder = "validated/vision/classification/vgg/model"
        func entry(_ name: String, bytes: Int, withData: Bool = true) -> String {
            let data = withData ? ", \"model_with_data_path\": \"\(folder)/\(name).tar.gz\", \"model_with_data_bytes\": \(bytes * 2)" : ""
            return "{\"model\": \"\(name)\", \"model_path\": \"\(folder)/\(name).onnx\", \"opset_version\": 7, \"metadata\": {\"model_bytes\": \(bytes)\(data)}}"
        }
        let manifest = "[" + [entry("vgg16-7", bytes: 100), entry("vgg19-7", bytes: 200), entry("vgg16-bn-7", bytes: 300, withData: false),
                              entry("vgg16-7", bytes: 100), "{\"model\": \"flat\", \"model_path\": \"top/flat.onnx\"}"].joined(separator: ",") + "]"
        let listed = try ONNXModelZooIndex.packages(hub: "onnx", repository: "https://github.com/onnx/models", manifest: Data(manifest.utf8))
        XCTAssertEqual(listed.packages.map(\.id), ["\(folder)/vgg16-7.onnx", "\(folder)/vgg19-7.onnx", "\(folder)/vgg16-bn-7.onnx", "top/flat.onnx"])
        XCTAssertEqual(listed.problems.map(\.problem), ["is listed twice; the first entry is used"])
        let vgg16 = listed.packages[0]
        XCTAssertEqual(vgg16.subpath, folder)
        XCTAssertEqual(Set(vgg16.excludedPaths), ["vgg19-7.onnx", "vgg19-7.tar.gz", "vgg16-bn-7.onnx"])
        XCTAssertEqual(vgg16.cardPath, "../README.md")
        XCTAssertEqual(Set(listed.packages[2].excludedPaths), ["vgg16-7.onnx", "vgg16-7.tar.gz", "vgg19-7.onnx", "vgg19-7.tar.gz"])
        XCTAssertEqual(listed.packages[3].excludedPaths, [])
        XCTAssertNil(listed.packages[3].cardPath, "a folder not named model/ has no card one level up")
        let metadata = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(vgg16.metadata).utf8)) as? [String: Any])
        XCTAssertEqual(metadata["model_with_data_path"] as? String, "\(folder)/vgg16-7.tar.gz")
        XCTAssertEqual(metadata["model_with_data_bytes"] as? Int, 200)
    }

    func testHubconfEntrypoints() {
        let hubconf = """
            dependencies = ['torch']
            from torchvision.models.resnet import resnet18 as _resnet18

            def resnet18(pretrained=False, **kwargs):
                \"\"\"ResNet-18\"\"\"
                return _resnet18(pretrained=pretrained, **kwargs)

            def _internal():
                pass

            async def fetch_weights(url):
                pass

            class Helper:
                def not_top_level(self):
                    pass
            def alexnet(**kwargs): return None
            """
        XCTAssertEqual(HubconfEntrypoints.parse(Data(hubconf.utf8)), ["resnet18", "fetch_weights", "alexnet"])
    }

    func testONNXManifestEntry() throws {
        let manifest = """
            [{"model": "ResNet50", "model_path": "vision/classification/resnet/model/resnet50-v1-7.onnx", "onnx_version": "1.2.1",
              "opset_version": 7, "metadata": {"model_sha": "af16a04a6ec48ac494065d4439fe9dea590d337b9ca6dc328160ccf04a217b9c",
              "model_bytes": 102583340, "tags": ["vision", "classification", "resnet"],
              "io_ports": {"inputs": [{"name": "data", "shape": [1, 3, 224, 224], "type": "tensor(float)"}],
                           "outputs": [{"name": "resnetv17_dense0_fwd", "shape": [1, 1000], "type": "tensor(float)"}]},
              "model_with_data_path": "vision/classification/resnet/model/resnet50-v1-7.tar.gz",
              "model_with_data_sha": "0f9b4b4a1a8d8e57f1c0e3fd1a3a7b7d7ea1e9e6c5d1f6b4a2b0b3a8c2d1e0f9", "model_with_data_bytes": 96473344}},
             {"model": "no path"}, "not an object"]
            """
        let listed = try ONNXModelZooIndex.packages(hub: "onnx", repository: "https://github.com/onnx/models", manifest: Data(manifest.utf8))
        XCTAssertEqual(listed.packages.count, 1)
        let package = try XCTUnwrap(listed.packages.first)
        XCTAssertEqual(package.id, "vision/classification/resnet/model/resnet50-v1-7.onnx")
        XCTAssertEqual(package.subpath, "vision/classification/resnet/model")
        XCTAssertTrue(package.metadata?.contains("\"model_bytes\":102583340") == true)
        XCTAssertEqual(listed.problems.count, 2)
        XCTAssertThrowsError(try ONNXModelZooIndex.packages(hub: "onnx", repository: "r", manifest: Data("{}".utf8)))
        XCTAssertEqual(ONNXModelZooIndex.packages(hub: "onnx", repository: "r", filePaths: ["a/b/m.onnx", "a/b/n.onnx", "c/x.onnx", "top.onnx", "d/readme.md"]).map(\.id),
                       ["a/b", "c"])
    }

    func testModelhubEntry() throws {
        let json = """
            [{"id": 1, "name": "squeezenet", "task_extended": "ImageNet classification", "github": "https://github.com/modelhub-ai/squeezenet",
              "github_branch": "master", "backend": ["kubernetes"], "gpu": false},
             {"id": 2, "name": "squeezenet", "github": "https://github.com/x/y"},
             {"id": 3, "name": "bad-url", "github": "not a url"},
             {"id": 4, "name": "traversal", "github": "https://github.com/a/b", "github_branch": "../../etc"}]
            """
        let listed = try ModelhubIndex.packages(hub: "mh", modelsJSON: Data(json.utf8))
        XCTAssertEqual(listed.packages.map(\.id), ["squeezenet", "traversal"])
        XCTAssertEqual(listed.packages.first?.branch, "master")
        XCTAssertNil(listed.packages.last?.branch, "an unsafe branch name is dropped")
        XCTAssertEqual(listed.problems.map(\.item), ["squeezenet", "bad-url"])
    }

    func testModelZooLinks() {
        XCTAssertEqual(ModelZooHub.repositoryURL("https://github.com/tensorflow/models/tree/master/research/deeplab"), "https://github.com/tensorflow/models")
        XCTAssertEqual(ModelZooHub.repositoryURL("http://www.github.com/owner/repo.git"), "https://github.com/owner/repo")
        XCTAssertEqual(ModelZooHub.repositoryURL("https://gitlab.com/group/project"), "https://gitlab.com/group/project")
        XCTAssertNil(ModelZooHub.repositoryURL("https://arxiv.org/abs/1606.00915"))
        XCTAssertNil(ModelZooHub.repositoryURL("https://github.com/onlyowner"))
        XCTAssertNil(ModelZooHub.repositoryURL("ftp://github.com/a/b"))
    }

    func testHuggingFaceListingEntry() throws {
        let entry: [String: Any] = [
            "_id": "621ffdc036468d709f174338", "id": "google-bert/bert-base-uncased", "modelId": "google-bert/bert-base-uncased",
            "author": "google-bert", "sha": "86B5E0934494BD15C9632B12F734A8A67F723594", "lastModified": "2024-02-19T11:06:12.000Z",
            "private": false, "disabled": false, "gated": false, "downloads": 54234123, "likes": 1700,
            "tags": ["transformers", "pytorch", "bert", "fill-mask", "en", "dataset:bookcorpus", "arxiv:1810.04805", "license:apache-2.0"],
            "pipeline_tag": "fill-mask", "library_name": "transformers", "createdAt": "2022-03-02T23:29:04.000Z",
            "cardData": ["language": "en", "tags": ["exbert"], "license": "apache-2.0", "datasets": ["bookcorpus", "wikipedia"]],
        ]
        let package = try HuggingFaceHub.package(from: entry, hub: "hf", endpoint: "https://huggingface.co").get()
        XCTAssertEqual(package.id, "google-bert/bert-base-uncased")
        XCTAssertEqual(package.repository, "https://huggingface.co/google-bert/bert-base-uncased")
        XCTAssertEqual(package.reportedHead, "86b5e0934494bd15c9632b12f734a8a67f723594")
        XCTAssertFalse(package.gated)
        XCTAssertTrue(package.metadata?.contains("\"downloads\":54234123") == true)
        var gated = entry
        gated["gated"] = "manual"
        XCTAssertTrue(try HuggingFaceHub.package(from: gated, hub: "hf", endpoint: "https://huggingface.co").get().gated)
        for bad in [["id": "../etc/passwd"], ["id": "a/b/c"], ["modelId": ""], [:]] as [[String: Any]] {
            XCTAssertThrowsError(try HuggingFaceHub.package(from: bad, hub: "hf", endpoint: "e").get(), "\(bad)")
        }
        let hub = HuggingFaceHub(name: "hf", endpoint: "https://huggingface.co/", query: .init(author: "google", filter: ["text-classification", "pytorch"], sort: "downloads", limit: 50), token: nil)
        let url = hub.listingURL
        XCTAssertTrue(url.hasPrefix("https://huggingface.co/api/models?author=google&filter=text-classification&filter=pytorch&sort=downloads&direction=-1&limit=50"), url)
        XCTAssertTrue(url.contains("expand%5B%5D=sha") || url.contains("expand[]=sha"), url)
    }
}
