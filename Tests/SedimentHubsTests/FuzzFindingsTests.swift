import Foundation
import SedimentHubs
import XCTest

/// Inputs the fuzz targets (Fuzz/, `make fuzz`) found to stop the process, minimised.
final class FuzzFindingsTests: XCTestCase {
    /// fuzz-pytorch-hub-card: a card whose front matter has a sequence as a mapping key is
    /// skipped with a problem; the other cards are still packages.
    func testPyTorchHubCardWithACollectionKey() {
        let good = "---\ntitle: ResNet\ngithub-id: pytorch/vision\n---\n"
        let listed = PyTorchHubIndex.packages(hub: "pt", cards: [("a_b_bad.md", Data("---\n?\n-\n---".utf8)),
                                                                 ("pytorch_vision_resnet.md", Data(good.utf8))])
        XCTAssertEqual(listed.packages.map(\.id), ["pytorch_vision_resnet"])
        XCTAssertEqual(listed.problems.map(\.item), ["a_b_bad.md"])
        XCTAssertTrue(listed.problems.first?.problem.contains("mapping key that is a sequence or a mapping") == true,
                      "\(listed.problems)")
    }
}
