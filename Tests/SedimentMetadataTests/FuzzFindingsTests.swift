import Foundation
import SedimentMetadata
import XCTest

/// Inputs the fuzz targets (Fuzz/, `make fuzz`) found to stop the process, minimised; each
/// must now cost its card a problem, not the archiver.
final class FuzzFindingsTests: XCTestCase {
    /// fuzz-front-matter and fuzz-model-card: a mapping key that is a sequence stopped the
    /// process inside Yams (a force-unwrapped string key).
    func testCardWhoseFrontMatterHasACollectionKey() {
        let card = ModelCard(Data("---\n?\n-\n---".utf8))
        XCTAssertNil(card.fields)
        XCTAssertEqual(card.problem, "the front matter has a mapping key that is a sequence or a mapping, which is not supported")
        let observed = ObservationExtractor.observe(manifest: nil, card: Data("---\nlicense: mit\n? [a]\n: b\n---\n# body\n".utf8),
                                                    config: Data("{\"model_type\": \"bert\"}".utf8), hubMetadata: nil)
        XCTAssertNil(observed.cardLicense)
        XCTAssertTrue(observed.problems?.contains("mapping key") == true, observed.problems ?? "")
        XCTAssertEqual(observed.configModelType, "bert", "the config is still read")
    }
}
