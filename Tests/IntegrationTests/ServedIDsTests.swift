import Foundation
import SedimentServe
import SedimentStore
import XCTest

/// The ids `sediment serve` offers: valid for the Hugging Face client, never shared.
final class ServedIDsTests: XCTestCase {
    private func package(_ row: Int64, _ hub: String, _ id: String) -> (rowID: Int64, hub: String, id: String) {
        (rowID: row, hub: hub, id: id)
    }

    func testEveryPackageHasOneValidIdAndNoTwoShareOne() {
        let hostile = [
            "org/model-a", "org.model-a", "a/b/c", "a--b/c..d", "-leading/trailing-", "ünïcode/模型", "x/" + String(repeating: "y", count: 200),
            "with space/and:colon", "ends.git", "../../etc/passwd", "a/b", "a.b", "",
        ]
        var packages = hostile.enumerated().map { package(Int64($0.offset + 1), "ours", $0.element) }
        packages.append(package(100, "hf", "google-bert/bert-tiny"))
        packages.append(package(101, "hf", "gpt2"))
        packages.append(package(102, "hf-mirror", "google-bert/bert-tiny"))
        let ids = ServedIDs(packages, huggingFaceHubs: ["hf", "hf-mirror"])
        var seen: [String: Int64] = [:]
        for p in packages {
            guard let name = ids.name(of: p.rowID) else { return XCTFail("no id for \(p.hub):\(p.id)") }
            XCTAssertTrue(ServedIDs.isValid(name), "\(p.hub):\(p.id) → \(name)")
            XCTAssertNil(seen[name], "\(name) given twice")
            seen[name] = p.rowID
            XCTAssertEqual(ids.package(name), p.rowID, name)
            // The alias always reaches the package too.
            XCTAssertEqual(ids.package(ServedIDs.alias(hub: p.hub, id: p.id)), p.rowID)
        }
        XCTAssertEqual(ids.name(of: 100), "google-bert/bert-tiny")
        XCTAssertEqual(ids.name(of: 101), "gpt2")
        // The second Hugging Face hub with the same id: reachable under its alias only.
        XCTAssertEqual(ids.name(of: 102), "sediment.hf-mirror/google-bert.bert-tiny")
        XCTAssertEqual(ids.name(of: 1), "sediment.ours/org.model-a")
        XCTAssertNotEqual(ids.name(of: 1), ids.name(of: 2))
    }

    func testTheClientsRuleForRepositoryIds() {
        for valid in ["gpt2", "google-bert/bert-tiny", "sediment.ours/a.b", "a_b/c-d.e"] { XCTAssertTrue(ServedIDs.isValid(valid), valid) }
        for invalid in ["a--b/c", "a/b..c", "a/b/c", "-a/b", "a/b-", "x.git", "", "a/", String(repeating: "z", count: 97), "é/x"] {
            XCTAssertFalse(ServedIDs.isValid(invalid), invalid)
        }
    }
}
