import Foundation
import SedimentMetadata
import SedimentStore
import XCTest

/// Extraction on cards and configs in the shapes real model repositories have.
final class ExtractionTests: XCTestCase {
    let realCard = """
        ---
        language:
        - en
        - fr
        license: apache-2.0
        tags:
        - text-classification
        - generated_from_trainer
        datasets:
        - glue
        base_model: distilbert-base-uncased
        pipeline_tag: text-classification
        library_name: transformers
        model-index:
        - name: distilbert-sst2
          results:
          - task:
              type: text-classification
              name: Text Classification
            dataset:
              name: glue
              type: glue
              args: sst2
            metrics:
            - type: accuracy
              value: 0.9106
              name: Accuracy
        ---

        # distilbert-sst2

        This model is a fine-tuned version of distilbert-base-uncased on the glue dataset.
        """

    func testRealCard() throws {
        let o = ObservationExtractor.observe(manifest: nil, card: Data(realCard.utf8), config: nil, hubMetadata: nil)
        XCTAssertEqual(o.cardLicense, "apache-2.0")
        XCTAssertEqual(o.cardTags, "[\"text-classification\",\"generated_from_trainer\"]")
        XCTAssertEqual(o.cardDatasets, "[\"glue\"]")
        XCTAssertEqual(o.cardLanguage, "[\"en\",\"fr\"]")
        XCTAssertEqual(o.cardBaseModel, "distilbert-base-uncased")
        XCTAssertEqual(o.cardPipelineTag, "text-classification")
        XCTAssertEqual(o.cardLibraryName, "transformers")
        XCTAssertEqual(o.cardHasModelIndex, true)
        XCTAssertEqual(o.cardHasBody, true)
        XCTAssertEqual(o.cardBytes, Int64(realCard.utf8.count))
        XCTAssertTrue(o.cardFields?.contains("\"value\":0.9106") == true, o.cardFields ?? "")
        XCTAssertNil(o.problems)
    }

    /// A card written on Windows (CRLF), with mixed endings, or with a byte order mark reads
    /// exactly as its LF twin.
    func testCardWithCRLFMixedEndingsAndBOM() throws {
        let lf = ObservationExtractor.observe(manifest: nil, card: Data(realCard.utf8), config: nil, hubMetadata: nil)
        let crlf = Data(realCard.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        var mixedText = ""
        for (i, line) in realCard.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            mixedText += line + (i % 2 == 0 ? "\r\n" : "\n")
        }
        for (name, data) in [("crlf", crlf), ("mixed", Data(mixedText.utf8)), ("bom", Data([0xEF, 0xBB, 0xBF]) + crlf)] {
            let o = ObservationExtractor.observe(manifest: nil, card: data, config: nil, hubMetadata: nil)
            XCTAssertEqual(o.cardLicense, "apache-2.0", name)
            XCTAssertEqual(o.cardTags, lf.cardTags, name)
            XCTAssertEqual(o.cardFields, lf.cardFields, name)
            XCTAssertEqual(o.cardHasBody, true, name)
            XCTAssertNil(o.problems, name)
        }
        let noFinalNewline = ModelCard(Data("---\r\nlicense: mit\r\n---".utf8))
        XCTAssertEqual(noFinalNewline.fields?["license"], .string("mit"))
        XCTAssertEqual(noFinalNewline.hasBody, false)
    }

    func testCardWithoutFrontMatterMalformedAndBinary() {
        let plain = ObservationExtractor.observe(manifest: nil, card: Data("# Just a title\n\nText.\n".utf8), config: nil, hubMetadata: nil)
        XCTAssertNil(plain.cardFields)
        XCTAssertEqual(plain.cardHasBody, true)
        XCTAssertNil(plain.problems)
        let malformed = ObservationExtractor.observe(manifest: nil, card: Data("---\nlicense: [mit\n---\nbody\n".utf8),
                                                     config: Data("{\"model_type\": \"gpt2\"}".utf8), hubMetadata: nil)
        XCTAssertNil(malformed.cardLicense)
        XCTAssertTrue(malformed.problems?.contains("card") == true, malformed.problems ?? "")
        XCTAssertEqual(malformed.configModelType, "gpt2", "a bad card does not stop the config")
        let binary = ObservationExtractor.observe(manifest: nil, card: Data([0xFF, 0xFE, 0x00, 0x01]), config: nil, hubMetadata: nil)
        XCTAssertTrue(binary.problems?.contains("UTF-8") == true)
        let list = ObservationExtractor.observe(manifest: nil, card: Data("---\n- a\n- b\n---\n".utf8), config: nil, hubMetadata: nil)
        XCTAssertTrue(list.problems?.contains("mapping") == true)
    }

    func testCardSectionsAreTheHeadingsOutsideCode() {
        let card = ModelCard(Data("""
            ---
            license: mit
            # a YAML comment, no heading
            ---
            # Model ##
            Text #not a heading
            ## Usage
            ```python
            # a comment in code
            ```
            ####### seven is no heading
            #hashtag
                # indented code
            ### Evaluation
            ~~~
            # still code
            ~~~
            """.utf8))
        XCTAssertEqual(card.sections, ["Model", "Usage", "Evaluation"])
        XCTAssertEqual(ModelCard(Data("# Title\n\ntext\n".utf8)).sections, ["Title"], "a card without front matter")
        XCTAssertEqual(ModelCard(Data("---\nlicense: mit\n# never closed\n".utf8)).sections, [], "an unclosed front matter has no body")
    }

    func testRealConfigAndBadConfigs() {
        let config = """
            {"_name_or_path": "bert-base-uncased", "architectures": ["BertForMaskedLM"], "attention_probs_dropout_prob": 0.1,
             "hidden_size": 768, "model_type": "bert", "torch_dtype": "float32", "transformers_version": "4.36.2",
             "use_cache": true, "id2label": {"0": "NEGATIVE", "1": "POSITIVE"}}
            """
        let o = ObservationExtractor.observe(manifest: nil, card: nil, config: Data(config.utf8), hubMetadata: nil)
        XCTAssertEqual(o.configArchitectures, "[\"BertForMaskedLM\"]")
        XCTAssertEqual(o.configModelType, "bert")
        XCTAssertEqual(o.configTorchDtype, "float32")
        XCTAssertEqual(o.configTransformersVersion, "4.36.2")
        XCTAssertTrue(o.configFields?.contains("\"use_cache\":true") == true, o.configFields ?? "")
        XCTAssertTrue(o.configFields?.contains("\"hidden_size\":768") == true, o.configFields ?? "")
        for bad in ["{not json", "[1, 2]", "\"text\""] {
            let parsed = ObservationExtractor.observe(manifest: nil, card: nil, config: Data(bad.utf8), hubMetadata: nil)
            XCTAssertNil(parsed.configFields, bad)
            XCTAssertTrue(parsed.problems?.contains("config") == true, bad)
        }
    }

    func testInventoryUsesLFSSizesAndFormats() {
        let sha = ContentID.of(Data("x".utf8))
        let manifest = Manifest(entries: [
            ManifestEntry(path: "model.safetensors", mode: 0o100644, size: 134, blob: String(repeating: "a", count: 40), sha256: sha, lfsOID: sha, lfsSize: 1_000_000),
            ManifestEntry(path: "pytorch_model.bin", mode: 0o100644, size: 132, blob: String(repeating: "b", count: 40), sha256: sha, lfsOID: sha, lfsSize: 2_000_000),
            ManifestEntry(path: "onnx/model.onnx", mode: 0o100644, size: 500, blob: String(repeating: "c", count: 40), sha256: sha),
            ManifestEntry(path: "tf/saved_model/variables/variables.index", mode: 0o100644, size: 10, blob: String(repeating: "d", count: 40), sha256: sha),
            ManifestEntry(path: "model.Q4_K_M.gguf", mode: 0o100644, size: 130, blob: String(repeating: "e", count: 40), sha256: sha, lfsOID: sha, lfsSize: 4_000_000),
            ManifestEntry(path: "README.md", mode: 0o100644, size: 20, blob: String(repeating: "f", count: 40), sha256: sha),
        ])
        let o = ObservationExtractor.observe(manifest: manifest, card: nil, config: nil, hubMetadata: "{\"downloads\": 7, \"likes\": 2, \"tags\": [\"x\"]}")
        XCTAssertEqual(o.files, 6)
        XCTAssertEqual(o.bytes, 1_000_000 + 2_000_000 + 500 + 10 + 4_000_000 + 20)
        XCTAssertEqual(o.lfsFiles, 3)
        XCTAssertEqual(o.lfsBytes, 7_000_000)
        let formats = o.weightFormats ?? ""
        for expected in ["\"safetensors\":{\"bytes\":1000000,\"files\":1}", "\"pytorch\":{\"bytes\":2000000,\"files\":1}",
                         "\"onnx\":{\"bytes\":500,\"files\":1}", "\"tensorflow\":{\"bytes\":10,\"files\":1}", "\"gguf\":{\"bytes\":4000000,\"files\":1}"] {
            XCTAssertTrue(formats.contains(expected), "\\(expected) in \\(formats)")
        }
        XCTAssertEqual(o.downloads, 7)
        XCTAssertEqual(o.likes, 2)
        XCTAssertEqual(o.hubMetrics, "{\"downloads\":7,\"likes\":2}")
    }
}
